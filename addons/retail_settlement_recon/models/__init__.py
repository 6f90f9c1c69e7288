from . import retail_settlement_provider
from . import retail_settlement_csv_profile
from . import retail_settlement
from . import retail_settlement_line
from . import retail_exception
from . import account_account
from . import retail_backend
from . import retail_settlement_import_batch
