# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_id = fields.Char(
        string="Shopify Line ID", index=True, copy=False, help="Shopify line item (or shipping line) id."
    )
    shopify_discount = fields.Float(
        digits="Product Price",
        copy=False,
        help="Discount Shopify allocated to this line (all units, shop currency).",
    )
