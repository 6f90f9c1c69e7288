from . import test_lib_parsers
from . import test_import
from . import test_matching
from . import test_posting
from . import test_exceptions
from . import test_security
