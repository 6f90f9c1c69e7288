# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ShopifyCustomerBinding(models.Model):
    _inherit = "shopify.customer.binding"

    @api.model
    def _shop_documents(self, order_bindings):
        """A return of a shop's order is the shop's too: its refunds, invoices and exchange order."""
        sales, moves = super()._shop_documents(order_bindings)
        returns = self.env["retail.return"].with_context(active_test=False).search([("sale_order_id", "in", sales.ids)])
        exchanges = returns.replacement_order_id
        return sales | exchanges, moves | returns.account_move_ids | exchanges.invoice_ids

    @api.model
    def _order_personal_data(self, binding):
        """A customer's data request lists the returns of their orders too (their notes are theirs)."""
        data = super()._order_personal_data(binding)
        returns = (
            self.env["retail.return"]
            .with_context(active_test=False)
            .search([("sale_order_id", "=", binding.odoo_id.id)], order="id")
        )
        data["returns"] = [
            {
                "reference": rma.name,
                "state": rma.state,
                "created": fields.Datetime.to_string(rma.create_date),
                "exchange_order": rma.replacement_order_id.name or None,
                "lines": [
                    {
                        "product": line.product_id.display_name,
                        "quantity": line.quantity,
                        "reason": line.reason_id.name or None,
                        "customer_note": line.customer_note or None,
                    }
                    for line in rma.line_ids
                ],
            }
            for rma in returns
        ]
        return data
