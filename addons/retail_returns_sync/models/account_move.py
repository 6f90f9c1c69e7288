# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    retail_return_id = fields.Many2one("retail.return", string="Customer Return", index="btree_not_null", copy=False)

    def _shopify_return_binding(self):
        """The Shopify binding of the return this credit note refunds (empty if none)."""
        self.ensure_one()
        if self.move_type != "out_refund" or not self.retail_return_id:
            return self.env["retail.return.binding"]
        return self.retail_return_id._shopify_binding()

    def _shopify_refunds_to_push(self):
        # Credit notes of Shopify returns are refunded through the return (see _post).
        moves = super()._shopify_refunds_to_push()
        return moves.filtered(lambda move: not move._shopify_return_binding())

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if self.env.context.get("shopify_no_push"):
            return posted
        for move in posted.sudo().filtered(lambda m: m.move_type == "out_refund" and not m.shopify_refund_bind_ids):
            binding = move._shopify_return_binding()
            if binding and binding.backend_id.state == "active":
                # A refund made in Odoo for a Shopify return: Shopify refunds it too (once).
                move.retail_return_id._shopify_enqueue(
                    "_shopify_export_refund", f"Refund {move.name} of", f"refund-{move.id}", move
                )
        return posted
