from . import retail_backend
from . import retail_test_partner_binding
