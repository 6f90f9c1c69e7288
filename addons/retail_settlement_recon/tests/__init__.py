# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_batch_import
from . import test_exceptions
from . import test_import
from . import test_lib_parsers
from . import test_matching
from . import test_posting
from . import test_security
from . import test_shopify_payouts
from . import test_tour_accountant
