# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_exchange
from . import test_exchange_pairing
from . import test_inspection
from . import test_refund
from . import test_reports
from . import test_return_workflow
from . import test_sandbox_returns
from . import test_security
from . import test_shopify_returns
from . import test_three_way_check
from . import test_tour_inspection
from . import test_views
