# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyOrderBinding(models.Model):
    """A Shopify order bound to an Odoo sale order."""

    _name = "shopify.order.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Order Binding"

    odoo_id = fields.Many2one("sale.order", string="Sale Order", required=True, ondelete="cascade", index=True)
    shopify_name = fields.Char(string="Shopify Order")
    financial_status = fields.Char()
    fulfillment_status = fields.Char()
    risk = fields.Char(string="Risk Recommendation")
    shopify_total = fields.Float(digits="Product Price")
    shopify_currency = fields.Char()
    cancelled_at = fields.Datetime(string="Cancelled in Shopify")
