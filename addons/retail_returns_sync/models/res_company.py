# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_return_restocking_fee = fields.Float(
        string="Default Restocking Fee (%)",
        help="Kept from the refund of returned goods; each return can change it.",
    )
    retail_return_restocking_product_id = fields.Many2one(
        "product.product",
        string="Restocking Fee Product",
        help="Empty: the module's Restocking Fee product.",
    )
    retail_return_shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping Refund Product",
        help="Empty: the module's Shipping Refund product.",
    )
    retail_return_post_refunds = fields.Boolean(
        string="Post Return Refunds",
        help="Post credit notes and exchange invoices made from returns; otherwise they stay draft.",
    )
    retail_return_check_days = fields.Integer(
        string="Return Check Delay (days)",
        default=14,
        help="After this many days, a refund without receipt or a receipt without refund is reported.",
    )

    def _retail_return_product(self, kind):
        """The company's restocking fee or shipping refund product, else the module's own."""
        self.ensure_one()
        if kind == "restocking":
            return self.retail_return_restocking_product_id or self.env.ref(
                "retail_returns_sync.product_restocking_fee"
            )
        return self.retail_return_shipping_product_id or self.env.ref("retail_returns_sync.product_shipping_refund")
