# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    retail_return_id = fields.Many2one("retail.return", string="Customer Return", index="btree_not_null", copy=False)

    def _action_done(self):
        result = super()._action_done()
        # Validating the receipt from the transfer itself also moves the return on.
        receipts = self.filtered(
            lambda p: p.retail_return_id and p.state == "done" and p.picking_type_code == "incoming"
        )
        receipts.retail_return_id._on_receipt_done()
        return result

    def _shopify_sale_order(self):
        order = super()._shopify_sale_order()
        replaced = order.retail_return_id.sale_order_id
        if replaced and any(order.order_line.mapped("shopify_line_id")):
            # the replacement of a Shopify exchange ships exchange items of the origin order
            return replaced
        return order
