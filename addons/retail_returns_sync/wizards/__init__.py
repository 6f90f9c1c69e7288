from . import retail_return_inspect_wizard
from . import retail_return_inspect_wizard_line
