# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyLocationMap(models.Model):
    """A Shopify location and the Odoo stock location it mirrors."""

    _name = "shopify.location.map"
    _description = "Shopify Location Mapping"
    _order = "backend_id, sequence, id"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    shopify_location_id = fields.Char(string="Shopify Location ID", required=True)
    name = fields.Char(string="Shopify Location")
    location_id = fields.Many2one(
        "stock.location",
        string="Odoo Location",
        required=True,
        domain="[('usage', '=', 'internal')]",
        help="Available quantity of this location (and its children) is what Shopify shows.",
    )
    export_stock = fields.Boolean(string="Push Stock", default=True)

    _backend_location_uniq = models.Constraint(
        "UNIQUE(backend_id, shopify_location_id)", "This Shopify location is already mapped."
    )
