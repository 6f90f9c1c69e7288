# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class RetailBackendJobMixin(models.AbstractModel):
    """Records that belong to a backend: the jobs delayed on them are linked to
    it, so the dashboard can count a backend's pending and failed jobs."""

    _name = "retail.backend.job.mixin"
    _description = "Retail Backend Job Link (abstract)"

    def _job_store_values(self, job):
        values = super()._job_store_values(job)
        if len(self.backend_id) == 1:
            values["retail_backend_id"] = self.backend_id.id
        return values
