# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyFulfillmentBinding(models.Model):
    """A Shopify fulfilment bound to the Odoo delivery it mirrors."""

    _name = "shopify.fulfillment.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Fulfilment Binding"

    odoo_id = fields.Many2one("stock.picking", string="Delivery", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    tracking_number = fields.Char()
    tracking_company = fields.Char()
    tracking_url = fields.Char(string="Tracking URL")
    direction = fields.Selection(
        [("export", "Odoo to Shopify"), ("import", "Shopify to Odoo")], required=True, default="export"
    )
