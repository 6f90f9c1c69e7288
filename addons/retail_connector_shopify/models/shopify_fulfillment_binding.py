# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fulfilments both ways.

Export: a validated Odoo delivery of a Shopify order becomes one Shopify
fulfilment per assigned location (Shopify refuses fulfilment orders of
different locations in one ``fulfillmentCreate``), built from the fulfilment
orders' remaining quantities. Import: a ``fulfillments/create`` webhook (the
merchant or a 3PL shipped in Shopify) validates the matching quantities of the
open Odoo delivery, the rest going to a backorder. The order import applies the
same way the fulfilments Shopify made before the order reached Odoo.
"""

from odoo import api, fields, models

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_base.models.retail_backend import EXPORT_CHANNEL

from ..lib import normalize

#: fulfilment order statuses Shopify accepts a fulfilment for
FULFILLABLE_STATUSES = ("OPEN", "IN_PROGRESS")
#: fulfilment statuses that mean the goods left (others: cancelled, failure, error...)
IMPORTED_FULFILLMENT_STATUSES = (None, "success", "open", "pending")


def allocate_fulfillment(fulfillment_orders, quantities, preferred_location_ids=()):
    """Spread shipped quantities over the fulfilment orders' remaining quantities.

    ``quantities`` maps a Shopify line item id to the quantity shipped.
    Fulfilment orders assigned to a preferred location (the Odoo delivery's
    source) are used first. Returns ``(groups, leftovers)``: groups is a list of
    ``(location_gid, [FulfillmentOrderLineItemsInput])`` in the order of first
    use, leftovers maps line ids to what Shopify had no room left for.
    """
    remaining = {line_id: qty for line_id, qty in quantities.items() if qty > 0}
    preferred = set(preferred_location_ids)
    candidates = [fo for fo in fulfillment_orders if isinstance(fo, dict) and fo.get("status") in FULFILLABLE_STATUSES]
    candidates.sort(key=lambda fo: _fo_location(fo) not in preferred)  # stable: Shopify's order otherwise
    groups = {}
    for fo in candidates:
        items = []
        for item in (fo.get("lineItems") or {}).get("nodes") or []:
            line_id = normalize.legacy_id((item.get("lineItem") or {}).get("id"))
            take = min(remaining.get(line_id, 0), int(item.get("remainingQuantity") or 0))
            if take > 0:
                items.append({"id": item["id"], "quantity": take})
                remaining[line_id] -= take
        if items:
            groups.setdefault(_fo_location(fo), []).append(
                {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": items}
            )
    leftovers = {line_id: qty for line_id, qty in remaining.items() if qty > 0}
    return list(groups.items()), leftovers


def _fo_location(fulfillment_order):
    location = (fulfillment_order.get("assignedLocation") or {}).get("location") or {}
    return normalize.legacy_id(location.get("id")) if location.get("id") else None


class ShopifyFulfillmentBinding(models.Model):
    """A Shopify fulfilment bound to the Odoo delivery it mirrors."""

    _name = "shopify.fulfillment.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Fulfilment Binding"

    odoo_id = fields.Many2one("stock.picking", string="Delivery", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    tracking_number = fields.Char()
    tracking_company = fields.Char()
    tracking_url = fields.Char(string="Tracking URL")
    cancelled_in_shopify = fields.Boolean(
        readonly=True, help="Shopify cancelled this fulfilment after the delivery was done in Odoo (reported once)."
    )
    direction = fields.Selection(
        [("export", "Odoo to Shopify"), ("import", "Shopify to Odoo")], required=True, default="export"
    )

    # ------------------------------------------------------------------
    # Export (Odoo delivery -> Shopify fulfilment)
    # ------------------------------------------------------------------
    @api.model
    def _enqueue_export(self, backend, picking):
        """One export job per delivery; a second validation signal reuses it."""
        return backend.with_delay(
            channel=EXPORT_CHANNEL,
            description=f"Send delivery {picking.name} to Shopify ({backend.name})",
            identity_key=f"shopify-fulfillment-export-{backend.id}-{picking.id}",
        )._shopify_export_fulfillment_job(picking)

    @api.model
    def _export_fulfillment(self, backend, picking):
        """Create the Shopify fulfilment(s) of a done delivery; returns the run result."""
        log = self.env["retail.sync.log"]
        with log._track(backend, "export", "fulfillment", external_id=picking.name) as run:
            run.record = picking
            # Two runs of the job for one delivery must not both send it.
            self._lock_external_id(backend, f"picking-{picking.id}")
            sent = self.search([("backend_id", "=", backend.id), ("odoo_id", "=", picking.id)])
            if sent:
                run.skip(f"already sent as fulfilment {', '.join(sent.mapped('external_id'))}")
                return run.result
            if picking.state != "done":
                run.skip(f"delivery {picking.name} is not done")
                return run.result
            order_binding = picking._shopify_order_binding(backend)
            if not order_binding:
                run.skip(f"delivery {picking.name} is not for a Shopify order")
                return run.result
            quantities = picking._shopify_done_quantities()
            if not quantities:
                run.skip(f"delivery {picking.name} ships no Shopify line item")
                return run.result
            client = backend._shopify_client()
            order_gid = normalize.to_gid("Order", order_binding.external_id)
            data = client.execute("fulfillment_orders", {"orderId": order_gid})
            order = data.get("order")
            if not order:
                raise PermanentError(f"Shopify knows no order {order_binding.external_id} any more")
            fulfillment_orders = (order.get("fulfillmentOrders") or {}).get("nodes") or []
            locations = picking._shopify_location_ids(backend)
            groups, leftovers = allocate_fulfillment(fulfillment_orders, quantities, locations)
            if not groups and all(fo.get("status") == "CLOSED" for fo in fulfillment_orders):
                # shipped in Shopify already (merchant or 3PL): nothing to send, nothing wrong
                name = order_binding.shopify_name or order_binding.external_id
                run.skip(f"order {name} is already fulfilled in Shopify")
                return run.result
            if not groups:
                raise PermanentError(
                    f"Shopify has nothing left to fulfil on order "
                    f"{order_binding.shopify_name or order_binding.external_id} for delivery {picking.name}"
                    " (on hold or cancelled there)"
                )
            tracking = picking._shopify_tracking_info(backend)
            created = self.browse()
            for _location, line_items_by_fo in groups:
                fulfillment = {
                    "lineItemsByFulfillmentOrder": line_items_by_fo,
                    "notifyCustomer": bool(backend.shopify_notify_customer_on_fulfillment),
                }
                if tracking:
                    fulfillment["trackingInfo"] = tracking
                payload = client.mutate("fulfillment_create", {"fulfillment": fulfillment}, "fulfillmentCreate")
                fulfillment_id = normalize.legacy_id((payload.get("fulfillment") or {}).get("id"))
                if not fulfillment_id:
                    raise PermanentError(f"Shopify created no fulfilment for delivery {picking.name}")
                binding = self._bind(backend, fulfillment_id, picking)
                binding.write(
                    {
                        "order_binding_id": order_binding.id,
                        "direction": "export",
                        "tracking_number": (tracking or {}).get("number"),
                        "tracking_company": (tracking or {}).get("company"),
                        "tracking_url": (tracking or {}).get("url"),
                    }
                )
                created |= binding
            run.message = f"fulfilment {', '.join(created.mapped('external_id'))} created"
            if leftovers:
                run.message += "; Shopify had no remaining quantity for line(s) " + ", ".join(
                    f"{line_id} ({qty})" for line_id, qty in sorted(leftovers.items())
                )
        return run.result

    # ------------------------------------------------------------------
    # Import (Shopify fulfilment -> Odoo delivery)
    # ------------------------------------------------------------------
    @api.model
    def _import_fulfillment_webhook(self, backend, event):
        return self._import_fulfillment(backend, normalize.fulfillment_from_rest(event.sudo().payload))

    @api.model
    def _update_fulfillment_webhook(self, backend, event):
        """fulfillments/update: a fulfilment not seen yet is imported as fulfillments/create
        does; a known one takes the tracking Shopify now has (a carrier's number added
        later), or, cancelled in Shopify after its delivery was done, is reported."""
        fulfillment = normalize.fulfillment_from_rest(event.sudo().payload)
        if not self._lookup(backend, fulfillment["id"]):
            return self._import_fulfillment(backend, fulfillment)
        with self.env["retail.sync.log"]._track(backend, "import", "fulfillment", external_id=fulfillment["id"]) as run:
            self._lock_external_id(backend, fulfillment["id"])
            binding = self._lookup(backend, fulfillment["id"])
            run.record = binding.odoo_id
            updated_at = fulfillment.get("updated_at")
            if updated_at and binding.external_updated_at and updated_at < binding.external_updated_at:
                run.skip("older than what was applied")
                return run.result
            if fulfillment["status"] == "cancelled":
                order = binding.order_binding_id
                statuses = {"name": order.shopify_name or order.external_id, "fulfillment_statuses": {}}
                statuses["fulfillment_statuses"][binding.external_id] = "cancelled"
                reported = self._report_cancelled(backend, statuses)
                run.message = "cancelled in Shopify" + (" after its delivery was done: reported" if reported else "")
                return run.result
            changes = {
                key: fulfillment[key]
                for key in ("tracking_number", "tracking_company", "tracking_url")
                if fulfillment[key] and fulfillment[key] != binding[key]
            }
            if not changes:
                run.skip("no tracking change")
                return run.result
            binding.write({**changes, "external_updated_at": updated_at or binding.external_updated_at})
            picking = binding.odoo_id
            if changes.get("tracking_number") and picking.carrier_tracking_ref != changes["tracking_number"]:
                picking.carrier_tracking_ref = changes["tracking_number"]
            run.message = f"tracking of {picking.name}: {binding.tracking_number}"
        return run.result

    @api.model
    def _report_cancelled(self, backend, order):
        """Fulfilments the order shows as cancelled in Shopify while their Odoo delivery
        is done: Shopify now says the goods did not ship, Odoo says they did. Someone
        decides (return them to stock, or fulfil again in Shopify); reported once each."""
        cancelled = [key for key, status in (order.get("fulfillment_statuses") or {}).items() if status == "cancelled"]
        if not cancelled:
            return self.browse()
        bindings = self.search(
            [("backend_id", "=", backend.id), ("external_id", "in", cancelled), ("cancelled_in_shopify", "=", False)]
        ).filtered(lambda binding: binding.odoo_id.state == "done")
        for binding in bindings:
            picking = binding.odoo_id
            self.env["retail.exception"]._report(
                "shopify_fulfillment_cancelled",
                key=f"shopify_fulfillment_cancelled:{binding.external_id}",
                backend=backend,
                message=f"Shopify cancelled fulfilment {binding.external_id} of order {order['name']} after delivery"
                f" {picking.name} was done in Odoo: if the goods did not leave, return them to stock; if they did,"
                " fulfil the order again in Shopify.",
                record=picking,
                external_id=binding.external_id,
            )
        bindings.cancelled_in_shopify = True
        return bindings

    @api.model
    def _import_fulfillment(self, backend, fulfillment):
        """Validate in Odoo what a Shopify fulfilment shipped; returns the run result."""
        log = self.env["retail.sync.log"]
        with log._track(backend, "import", "fulfillment", external_id=fulfillment["id"]) as run:
            run.external_updated_at = fulfillment.get("updated_at")
            self._lock_external_id(backend, fulfillment["id"])
            existing = self._lookup(backend, fulfillment["id"])
            if existing:
                # Our own fulfilment coming back, or a repeated event.
                run.record = existing.odoo_id
                run.skip(f"fulfilment {fulfillment['id']} is already bound to {existing.odoo_id.name}")
                return run.result
            if fulfillment.get("status") not in IMPORTED_FULFILLMENT_STATUSES:
                run.skip(f"fulfilment status {fulfillment.get('status')}")
                return run.result
            order_binding = self._order_binding_for(backend, fulfillment["order_id"])
            if not order_binding:
                run.skip(f"order {fulfillment['order_id']} is not imported (import rules)")
                return run.result
            existing = self._lookup(backend, fulfillment["id"])
            if existing:
                # importing the order just now applied this fulfilment
                run.record = existing.odoo_id
                run.skip(f"fulfilment {fulfillment['id']} is already bound to {existing.odoo_id.name}")
                return run.result
            if not fulfillment.get("lines_complete", True):
                raise PermanentError(
                    f"Shopify fulfilment {fulfillment['id']} ships more line items than were read:"
                    f" validate the delivery of {order_binding.odoo_id.name} by hand"
                )
            echo_of = self._unbound_delivery_shipping(backend, order_binding.odoo_id, fulfillment)
            if echo_of:
                # Our export of this delivery created it and has not committed
                # its binding yet: bind it now (the export then finds it sent).
                run.record = echo_of
                self._bind(backend, fulfillment["id"], echo_of).write(
                    {"order_binding_id": order_binding.id, "direction": "export"}
                )
                run.skip(f"fulfilment {fulfillment['id']} is the one sent for {echo_of.name}")
                return run.result
            picking, missing = self._validate_delivery(order_binding.odoo_id, fulfillment, backend)
            run.record = picking or order_binding.odoo_id
            if not picking:
                run.skip(f"no open delivery of {order_binding.odoo_id.name} ships these line items")
                return run.result
            binding = self._bind(
                backend, fulfillment["id"], picking, payload=fulfillment, external_updated_at=run.external_updated_at
            )
            binding.write(
                {
                    "order_binding_id": order_binding.id,
                    "direction": "import",
                    "tracking_number": fulfillment.get("tracking_number"),
                    "tracking_company": fulfillment.get("tracking_company"),
                    "tracking_url": fulfillment.get("tracking_url"),
                }
            )
            run.message = f"delivery {picking.name} validated from {picking.location_id.display_name}"
            if missing:
                run.message += "; not in any open delivery: " + ", ".join(
                    f"line {line_id} ({qty})" for line_id, qty in sorted(missing.items())
                )
        return run.result

    @api.model
    def _order_binding_for(self, backend, order_id):
        """The order's binding, importing the order first when it is not known yet."""
        order_bindings = self.env["shopify.order.binding"]
        binding = order_bindings._lookup(backend, order_id)
        if binding:
            return binding
        # A fulfilment can arrive before its order (webhooks are not ordered).
        order = order_bindings._fetch_order(backend, order_id)
        if order is None:
            raise PermanentError(f"Shopify knows no order {order_id}")
        order_bindings._import_order(backend, order)
        return order_bindings._lookup(backend, order_id)

    @api.model
    def _unbound_delivery_shipping(self, backend, sale_order, fulfillment):
        """A done delivery not bound yet that shipped exactly the fulfilment's lines."""
        wanted = self._wanted_quantities(fulfillment)
        for picking in sale_order._shopify_deliveries().filtered(lambda p: p.state == "done").sorted("id"):
            if picking.shopify_fulfillment_ids.filtered(lambda b: b.backend_id == backend):
                continue
            if picking._shopify_done_quantities() == wanted:
                return picking
        return self.env["stock.picking"]

    @api.model
    def _wanted_quantities(self, fulfillment):
        wanted = {}
        for line in fulfillment["lines"]:
            if line["quantity"] > 0:
                wanted[line["line_id"]] = wanted.get(line["line_id"], 0) + line["quantity"]
        return wanted

    @api.model
    def _validate_delivery(self, sale_order, fulfillment, backend=None):
        """Set the fulfilled quantities on the open outgoing delivery and validate it,
        from the Odoo location mapped to the Shopify location that shipped.

        Returns ``(picking, missing)``: the validated delivery (empty when no
        open delivery ships these lines) and the quantities found nowhere.
        """
        wanted = self._wanted_quantities(fulfillment)
        pickings = (
            sale_order._shopify_deliveries().filtered(lambda p: p.state not in ("draft", "done", "cancel")).sorted("id")
        )
        picking = self.env["stock.picking"]
        for candidate in pickings:
            if any(move.sale_line_id.shopify_line_id in wanted for move in candidate.move_ids):
                picking = candidate
                break
        if not picking:
            return picking, wanted
        planned_source = picking.location_id
        self._ship_from(picking, self._shipping_location(backend, fulfillment))
        remaining = dict(wanted)
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).sorted("id"):
            line = move.sale_line_id
            todo = remaining.get(line.shopify_line_id, 0) if line.shopify_line_id else 0
            if todo <= 0:
                # Not shipped by Shopify: stays (reserved) for the backorder.
                move.picked = False
                continue
            demand = move.product_uom._compute_quantity(move.product_uom_qty, line.product_uom_id)
            take = min(todo, demand)
            remaining[line.shopify_line_id] = todo - take
            move.write({"quantity": line.product_uom_id._compute_quantity(take, move.product_uom), "picked": True})
        if fulfillment.get("tracking_number"):
            picking.carrier_tracking_ref = fulfillment["tracking_number"]
        # No wizard: what Shopify did not ship stays in a backorder (or is
        # cancelled when the operation type never creates backorders).
        picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=[], shopify_fulfillment_import=True
        ).button_validate()
        if picking.location_id != planned_source:
            # what is left ships from where it was planned to
            for backorder in picking.backorder_ids.filtered(lambda p: p.state not in ("done", "cancel")):
                self._ship_from(backorder, planned_source)
                backorder.action_assign()
        missing = {line_id: qty for line_id, qty in remaining.items() if qty > 0}
        return picking, missing

    @api.model
    def _shipping_location(self, backend, fulfillment):
        """The Odoo location mapped to the Shopify location a fulfilment shipped from
        (empty when unknown or unmapped)."""
        if not backend or not fulfillment.get("location_id"):
            return self.env["stock.location"]
        mapping = backend.shopify_location_map_ids.filtered(
            lambda m: m.shopify_location_id == str(fulfillment["location_id"])
        )[:1]
        return mapping.location_id

    @api.model
    def _ship_from(self, picking, location):
        """Make ``picking`` ship from ``location`` (a shop's store, say) unless it already
        ships from there or a location inside it. A delivery fed by an earlier step
        (pick, pack) keeps its source: its goods are already on their way."""
        if not location or picking.location_id.parent_path.startswith(location.parent_path):
            return
        if location.parent_path.startswith(picking.location_id.parent_path):
            return  # inside the planned source: Odoo takes the goods there
        if picking.move_ids.move_orig_ids:
            return
        picking.do_unreserve()
        picking.write({"location_id": location.id})
        picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).write({"location_id": location.id})
