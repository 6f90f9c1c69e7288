# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyBackfillWizard(models.TransientModel):
    """Import every order of a date range through a Shopify bulk operation."""

    _name = "shopify.backfill.wizard"
    _description = "Shopify Backfill"

    backend_id = fields.Many2one("retail.backend", required=True, domain="[('channel', '=', 'shopify')]")
    date_from = fields.Datetime(required=True)
    date_to = fields.Datetime()
