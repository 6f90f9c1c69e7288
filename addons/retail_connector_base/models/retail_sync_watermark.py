# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RetailSyncWatermark(models.Model):
    """How far each entity of a backend is synchronised: the catch-up cron asks
    the channel for what changed since ``last_external_updated_at``."""

    _name = "retail.sync.watermark"
    _description = "Retail Sync Watermark"
    _order = "backend_id, entity"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    entity = fields.Char(required=True)
    last_external_updated_at = fields.Datetime(
        string="Synced Up To", help="Newest channel 'updated at' already imported."
    )
    last_success_at = fields.Datetime(string="Last Successful Sync")
    last_run_at = fields.Datetime(string="Last Run")

    _backend_entity_uniq = models.Constraint("UNIQUE(backend_id, entity)", "One watermark per backend and entity.")

    def _get(self, backend, entity):
        mark = self.search([("backend_id", "=", backend.id), ("entity", "=", entity)], limit=1)
        return mark or self.create({"backend_id": backend.id, "entity": entity})

    def _advance(self, external_updated_at=None, success=True):
        """Move the watermark forward (never backwards: events arrive out of order)."""
        now = fields.Datetime.now()
        for mark in self:
            values = {"last_run_at": now}
            if success:
                values["last_success_at"] = now
            if external_updated_at and (
                not mark.last_external_updated_at or external_updated_at > mark.last_external_updated_at
            ):
                values["last_external_updated_at"] = external_updated_at
            mark.write(values)
