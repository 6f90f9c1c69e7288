# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyPaymentBinding(models.Model):
    """A Shopify order transaction bound to the Odoo payment that books it."""

    _name = "shopify.payment.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Transaction Binding"

    odoo_id = fields.Many2one("account.payment", string="Payment", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    gateway = fields.Char()
    kind = fields.Char()
    authorization = fields.Char(string="Gateway Reference", index=True)
    payment_reference = fields.Char(string="Payment ID", index=True)
