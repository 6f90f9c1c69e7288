# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyBackfillWizard(models.TransientModel):
    """Import every order of a date range through a Shopify bulk operation."""

    _name = "shopify.backfill.wizard"
    _description = "Shopify Backfill"

    backend_id = fields.Many2one("retail.backend", required=True, domain="[('channel', '=', 'shopify')]")
    date_from = fields.Datetime(required=True)
    date_to = fields.Datetime()

    def action_start(self):
        """Queue the bulk import of the range (see shopify.order.binding)."""
        self.ensure_one()
        self.backend_id.with_delay(
            channel="root.retail.import",
            description=f"Backfill {self.backend_id.name} orders from {self.date_from}",
            identity_key=f"shopify-backfill-{self.backend_id.id}-{self.date_from}-{self.date_to}",
        )._catch_up_job()
        return {"type": "ir.actions.act_window_close"}
