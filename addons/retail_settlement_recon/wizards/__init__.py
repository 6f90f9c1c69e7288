from . import retail_settlement_import_wizard
from . import retail_settlement_match_wizard
from . import retail_settlement_resolve_wizard
