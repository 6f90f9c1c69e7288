# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shopify_fulfillment_ids = fields.One2many(
        "shopify.fulfillment.binding", "odoo_id", string="Shopify Fulfilments", readonly=True
    )

    shopify_on_hold = fields.Boolean(
        string="On Hold in Shopify",
        readonly=True,
        copy=False,
        help="The Shopify fulfilment order of this delivery is on hold (the merchant's hold, a fraud "
        "check, a payment awaited): it cannot be validated until Shopify releases it.",
    )

    def button_validate(self):
        held = self.filtered("shopify_on_hold")
        if held and not self.env.context.get("shopify_fulfillment_import"):
            raise UserError(
                _("%s is on hold in Shopify: release the hold in Shopify before shipping it.", held[0].name)
            )
        return super().button_validate()

    def _action_done(self):
        result = super()._action_done()
        self._shopify_schedule_fulfillment_export()
        return result

    def _shopify_schedule_fulfillment_export(self):
        """Queue the Shopify fulfilment of validated deliveries of Shopify orders."""
        if self.env.context.get("shopify_fulfillment_import"):
            return  # validated because Shopify fulfilled it: nothing to send back
        fulfillments = self.env["shopify.fulfillment.binding"].sudo()
        for picking in self.sudo().filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.sale_id
        ):
            order_binding = picking._shopify_order_binding()
            backend = order_binding.backend_id
            if not backend or backend.state != "active" or not backend.shopify_push_fulfillments:
                continue
            if picking.shopify_fulfillment_ids.filtered(lambda b, backend=backend: b.backend_id == backend):
                continue
            fulfillments._enqueue_export(backend, picking)

    def _shopify_sale_order(self):
        """The sale order whose Shopify order this delivery fulfils."""
        self.ensure_one()
        return self.sale_id

    def _shopify_order_binding(self, backend=None):
        """The Shopify binding of this delivery's sale order (empty if none)."""
        self.ensure_one()
        sale_order = self._shopify_sale_order()
        if not sale_order:
            return self.env["shopify.order.binding"]
        domain = [("odoo_id", "=", sale_order.id), ("backend_id.channel", "=", "shopify")]
        if backend:
            domain.append(("backend_id", "=", backend.id))
        return self.env["shopify.order.binding"].sudo().search(domain, limit=1)

    def _shopify_done_quantities(self):
        """{Shopify line item id: quantity shipped} in the sale line's unit."""
        self.ensure_one()
        quantities = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id.shopify_line_id):
            line = move.sale_line_id
            qty = move.product_uom._compute_quantity(move.quantity, line.product_uom_id)
            quantities[line.shopify_line_id] = quantities.get(line.shopify_line_id, 0) + qty
        # Shopify counts whole units.
        return {line_id: int(round(qty)) for line_id, qty in quantities.items() if int(round(qty)) > 0}

    def _shopify_location_ids(self, backend):
        """Shopify locations mapped to this delivery's source location (or a parent of it)."""
        self.ensure_one()
        source = self.location_id
        return [
            mapping.shopify_location_id
            for mapping in backend.shopify_location_map_ids
            if source.parent_path
            and mapping.location_id.parent_path
            and source.parent_path.startswith(mapping.location_id.parent_path)
        ]

    def _shopify_tracking_info(self, backend):
        """FulfillmentTrackingInput of this delivery (None without tracking number)."""
        self.ensure_one()
        if not self.carrier_tracking_ref:
            return None
        tracking = {"number": self.carrier_tracking_ref}
        company = self.env["shopify.carrier.map"]._tracking_company(backend, self.carrier_id)
        if company:
            tracking["company"] = company
        url = self.carrier_tracking_url
        # Multi-parcel carriers store a JSON list there: only a plain URL is sent.
        if url and url.startswith(("http://", "https://")):
            tracking["url"] = url
        return tracking
