# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyStockLevel(models.Model):
    """What was last sent to, and last read from, Shopify for one variant at one
    location: an inventory webhook that only echoes our own update is not drift."""

    _name = "shopify.stock.level"
    _description = "Shopify Stock Level"

    binding_id = fields.Many2one("shopify.product.binding", required=True, ondelete="cascade", index=True)
    location_map_id = fields.Many2one("shopify.location.map", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="binding_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="binding_id.company_id", store=True)
    last_sent_qty = fields.Integer(string="Last Sent Quantity")
    last_sent_at = fields.Datetime()
    shopify_available = fields.Integer(string="Available in Shopify")
    shopify_updated_at = fields.Datetime(string="Read From Shopify At")

    _binding_location_uniq = models.Constraint(
        "UNIQUE(binding_id, location_map_id)", "One stock level per variant and location."
    )
