# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ShopifyCustomerBinding(models.Model):
    _inherit = "shopify.customer.binding"

    @api.model
    def _shop_documents(self, order_bindings):
        """A return of a shop's order is the shop's too: its refunds, invoices and exchange order."""
        sales, moves = super()._shop_documents(order_bindings)
        returns = self.env["retail.return"].with_context(active_test=False).search([("sale_order_id", "in", sales.ids)])
        exchanges = returns.replacement_order_id
        return sales | exchanges, moves | returns.account_move_ids | exchanges.invoice_ids
