# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyRefundBinding(models.Model):
    """A Shopify refund bound to the Odoo credit note that books it."""

    _name = "shopify.refund.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Refund Binding"

    odoo_id = fields.Many2one("account.move", string="Credit Note", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    shopify_total = fields.Float(string="Refunded in Shopify", digits="Product Price")
