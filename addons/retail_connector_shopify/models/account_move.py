# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, fields, models

from odoo.addons.retail_connector_base.models.retail_backend import EXPORT_CHANNEL


class AccountMove(models.Model):
    _inherit = "account.move"

    shopify_refund_bind_ids = fields.One2many("shopify.refund.binding", "odoo_id", string="Shopify Refunds", copy=False)

    def _shopify_order_binding(self):
        """The Shopify order binding behind this invoice or credit note (empty if none)."""
        self.ensure_one()
        orders = self.invoice_line_ids.sale_line_ids.order_id
        if not orders and self.reversed_entry_id:
            orders = self.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id
        return orders.shopify_bind_ids[:1]

    def _shopify_refunds_to_push(self):
        """Credit notes of this batch that the generic refund export may send (modules
        refunding some credit notes another way, e.g. returns, take them out)."""
        return self.filtered(lambda m: m.move_type == "out_refund" and not m.shopify_refund_bind_ids)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if self.env.context.get("shopify_no_push"):
            return posted
        # Whoever posts (an accountant without connector rights too), the
        # bindings are read and the export job runs with the connector's rights.
        for move in posted.sudo()._shopify_refunds_to_push():
            binding = move._shopify_order_binding()
            backend = binding.backend_id
            if binding and backend.state == "active" and backend.shopify_push_refunds:
                # A credit note made in Odoo: Shopify must refund it too (once).
                self.env["shopify.refund.binding"].with_user(SUPERUSER_ID).with_company(move.company_id).with_delay(
                    channel=EXPORT_CHANNEL,
                    description=f"Refund {move.name} in Shopify",
                    identity_key=f"shopify-refund-export-{move.id}",
                )._shopify_export_refund(move)
        return posted
