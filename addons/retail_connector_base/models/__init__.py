from . import retail_backend
from . import retail_sync_watermark
from . import retail_binding_mixin
from . import retail_sync_log
from . import retail_exception_type
from . import retail_exception
from . import retail_webhook_event
from . import queue_job
