# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class RetailBackendJobMixin(models.AbstractModel):
    """Records that belong to a backend: the jobs delayed on them are linked to
    it, so the dashboard can count a backend's pending and failed jobs."""

    _name = "retail.backend.job.mixin"
    _description = "Retail Backend Job Link (abstract)"

    def _job_store_values(self, job):
        values = super()._job_store_values(job)
        # a caller that knows the backend says so: the webhook's hot path reads nothing back
        backend_id = self.env.context.get("retail_job_backend_id")
        if backend_id:
            values["retail_backend_id"] = backend_id
        elif len(self.backend_id) == 1:
            values["retail_backend_id"] = self.backend_id.id
        return values
