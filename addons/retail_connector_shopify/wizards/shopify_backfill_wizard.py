# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError


class ShopifyBackfillWizard(models.TransientModel):
    """Import every order of a date range through a Shopify bulk operation."""

    _name = "shopify.backfill.wizard"
    _description = "Shopify Backfill"

    backend_id = fields.Many2one("retail.backend", required=True, domain="[('channel', '=', 'shopify')]")
    date_from = fields.Datetime(required=True)
    date_to = fields.Datetime()

    def action_start(self):
        # The bulk-operation importer (lib/bulk.py is ready) is not wired to the
        # ORM yet, and the form offers no Backfill button until it is.
        raise UserError(_("Backfill by date range is not available yet: use Import Now."))
