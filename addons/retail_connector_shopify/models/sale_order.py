# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.retail_connector_base.models.retail_backend import EXPORT_CHANNEL


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_bind_ids = fields.One2many("shopify.order.binding", "odoo_id", string="Shopify Bindings", copy=False)
    shopify_presentment_currency = fields.Char(string="Customer Currency", copy=False, readonly=True)
    shopify_presentment_total = fields.Float(
        string="Total in Customer Currency",
        digits="Product Price",
        copy=False,
        readonly=True,
        help="What the customer paid in the currency shown to them (amounts are booked in the shop currency).",
    )

    shopify_admin_url = fields.Char(related="shopify_bind_ids.shopify_admin_url", string="Shopify Admin Link")

    def action_open_in_shopify(self):
        """The order in the shop's admin, in a new tab."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

    def _shopify_deliveries(self):
        """The outgoing deliveries that ship this order's Shopify line items."""
        return self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def _action_cancel(self):
        result = super()._action_cancel()
        if not self.env.context.get("shopify_no_push"):
            for binding in self.shopify_bind_ids:
                backend = binding.backend_id
                if backend.state == "active" and backend.shopify_push_cancellations and not binding.cancelled_at:
                    binding.with_delay(
                        channel=EXPORT_CHANNEL,
                        description=f"Cancel Shopify order {binding.shopify_name or binding.external_id}",
                        identity_key=f"shopify-order-cancel-{binding.id}",
                    )._shopify_export_cancel()
        return result
