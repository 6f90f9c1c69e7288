# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fulfilments both ways against the sandbox shop (real HTTP on 127.0.0.1)."""

import unittest
import uuid

from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.tests.common import perform_jobs

from ..lib import normalize
from ..models.shopify_fulfillment_binding import allocate_fulfillment
from ..sandbox import rest
from .common import ShopifyCase


def _fo(fo_id, location_id, items, status="OPEN"):
    return {
        "id": f"gid://shopify/FulfillmentOrder/{fo_id}",
        "status": status,
        "assignedLocation": {"location": {"id": f"gid://shopify/Location/{location_id}"}},
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/FulfillmentOrderLineItem/{item_id}",
                    "remainingQuantity": remaining,
                    "lineItem": {"id": f"gid://shopify/LineItem/{line_id}"},
                }
                for item_id, line_id, remaining in items
            ]
        },
    }


class TestAllocateFulfillment(unittest.TestCase):
    """The split of shipped quantities over fulfilment orders (plain Python)."""

    def test_split_over_fulfillment_orders_by_remaining_quantity(self):
        orders = [_fo(1, 9, [(11, 100, 1)]), _fo(2, 8, [(21, 100, 3), (22, 200, 1)]), _fo(3, 8, [], "CLOSED")]
        groups, leftovers = allocate_fulfillment(orders, {"100": 2, "200": 1})
        self.assertEqual([location for location, _items in groups], ["9", "8"])
        self.assertEqual(groups[0][1][0]["fulfillmentOrderLineItems"][0]["quantity"], 1)
        self.assertEqual(
            groups[1][1][0]["fulfillmentOrderLineItems"],
            [
                {"id": "gid://shopify/FulfillmentOrderLineItem/21", "quantity": 1},
                {"id": "gid://shopify/FulfillmentOrderLineItem/22", "quantity": 1},
            ],
        )
        self.assertEqual(leftovers, {})

    def test_preferred_location_first_and_leftovers(self):
        orders = [_fo(1, 9, [(11, 100, 1)]), _fo(2, 8, [(21, 100, 3)])]
        groups, leftovers = allocate_fulfillment(orders, {"100": 5, "300": 1}, ["8"])
        self.assertEqual([location for location, _items in groups], ["8", "9"])
        self.assertEqual(leftovers, {"100": 1, "300": 1})

    def test_unfulfillable_statuses_are_ignored(self):
        orders = [_fo(1, 9, [(11, 100, 2)], "ON_HOLD")]
        groups, leftovers = allocate_fulfillment(orders, {"100": 2})
        self.assertEqual(groups, [])
        self.assertEqual(leftovers, {"100": 2})


class TestFulfillment(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skus = sorted(cls.products_by_sku)[:2]
        carrier_product = cls.env["product.product"].create({"name": "UPS Ground", "type": "service"})
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "UPS Ground (Odoo)",
                "product_id": carrier_product.id,
                "delivery_type": "fixed",
                "tracking_url": "https://www.ups.com/track?tracknum=<shipmenttrackingnumber>",
            }
        )
        cls.env["shopify.carrier.map"].create(
            {
                "backend_id": cls.backend.id,
                "shipping_code": "STANDARD",
                "carrier_id": cls.carrier.id,
                "tracking_company": "UPS",
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.calls.clear()

    # ------------------------------------------------------------------ helpers
    def _shopify_order(self, quantities):
        """A new paid order in the sandbox; returns it normalised (read back over GraphQL)."""
        created = self.sandbox.create_order(lines=list(zip(self.skus, quantities, strict=False)))
        return self._read_order(created["id"])

    def _read_order(self, order_id):
        node = self.client.execute("order", {"id": normalize.to_gid("Order", order_id)})["order"]
        return normalize.order_from_graphql(node)

    def _bound_sale_order(self, order):
        """The order as the importer leaves it: confirmed, lines carrying their Shopify ids."""
        partner = self.env["res.partner"].create({"name": f"Customer {order['name']}"})
        sale = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.products_by_sku[line["sku"]].id,
                            "product_uom_qty": line["quantity"],
                            "price_unit": float(line["unit_price"]),
                            "shopify_line_id": line["id"],
                        }
                    )
                    for line in order["lines"]
                ],
            }
        )
        sale.action_confirm()
        self.env["shopify.order.binding"].create(
            {
                "backend_id": self.backend.id,
                "external_id": order["id"],
                "odoo_id": sale.id,
                "shopify_name": order["name"],
            }
        )
        return sale

    def _line_id(self, order, sku):
        return next(line["id"] for line in order["lines"] if line["sku"] == sku)

    def _deliver(self, picking, quantities=None, tracking=None):
        """Validate a delivery the way a user does (backorder wizard: create the backorder)."""
        if tracking:
            picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            qty = move.product_uom_qty if quantities is None else quantities.get(move.sale_line_id.shopify_line_id, 0)
            move.quantity = qty
            move.picked = bool(qty)
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            Form(self.env["stock.backorder.confirmation"].with_context(**result["context"])).save().process()
        self.assertEqual(picking.state, "done")

    def _sandbox_order(self, order_id):
        with self.sandbox.lock:
            return self.sandbox.store.order(order_id)

    def _remaining(self, order):
        """{line id: quantity Shopify still has to fulfil}."""
        data = self.client.execute("fulfillment_orders", {"orderId": normalize.to_gid("Order", order["id"])})
        remaining = {}
        for fo in data["order"]["fulfillmentOrders"]["nodes"]:
            for item in fo["lineItems"]["nodes"]:
                line_id = normalize.legacy_id(item["lineItem"]["id"])
                remaining[line_id] = remaining.get(line_id, 0) + item["remainingQuantity"]
        return remaining

    def _event(self, order_id, record):
        """Store a fulfillments/create delivery in the inbox (its inbox job is trapped)."""
        with self.sandbox.lock:
            body = rest.rest_fulfillment(self.sandbox.store.order(order_id), record)
        event, created = self.env["retail.webhook.event"]._receive(
            self.backend, "fulfillments/create", str(uuid.uuid4()), body, len(str(body)), event_id=str(uuid.uuid4())
        )
        self.assertTrue(created)
        return event

    def _export_job(self):
        return self.backend._shopify_export_fulfillment_job

    # ------------------------------------------------------------------ export
    def test_full_delivery_creates_one_fulfilment_with_tracking(self):
        order = self._shopify_order([2, 1])
        sale = self._bound_sale_order(order)
        picking = sale.picking_ids
        with trap_jobs() as trap:
            self._deliver(picking, tracking="1ZODOO0001")
            trap.assert_jobs_count(1, only=self._export_job())
            trap.assert_enqueued_job(
                self._export_job(),
                args=(picking,),
                properties={
                    "channel": "root.retail.export",
                    "identity_key": f"shopify-fulfillment-export-{self.backend.id}-{picking.id}",
                },
            )
            trap.perform_enqueued_jobs()

        binding = picking.shopify_fulfillment_ids
        self.assertEqual(len(binding), 1)
        self.assertEqual(binding.direction, "export")
        fulfillments = self._sandbox_order(order["id"])["fulfillments"]
        self.assertEqual(len(fulfillments), 1)
        self.assertEqual(fulfillments[0]["id"], binding.external_id)
        self.assertEqual(fulfillments[0]["tracking_number"], "1ZODOO0001")
        self.assertEqual(fulfillments[0]["tracking_company"], "UPS")
        self.assertEqual(fulfillments[0]["tracking_url"], "https://www.ups.com/track?tracknum=1ZODOO0001")
        self.assertEqual(
            {line["line_item_id"]: line["quantity"] for line in fulfillments[0]["lines"]},
            {line["id"]: line["quantity"] for line in order["lines"]},
        )
        self.assertEqual(set(self._remaining(order).values()), {0})
        self.assertEqual(self._read_order(order["id"])["fulfillment_status"], "fulfilled")

    def test_fulfilment_sent_then_cancelled_in_shopify_is_reported(self):
        order = self._shopify_order([1, 1])
        picking = self._bound_sale_order(order).picking_ids
        with trap_jobs() as trap:
            self._deliver(picking, tracking="1ZODOO0002")
            trap.perform_enqueued_jobs()
        binding = picking.shopify_fulfillment_ids
        self.assertEqual(binding.direction, "export")
        # the merchant cancels our fulfilment in Shopify (label voided)
        self.sandbox.cancel_fulfillment(order["id"], binding.external_id)
        shopify_order = self._read_order(order["id"])
        self.assertEqual(shopify_order["fulfillment_statuses"], {binding.external_id: "cancelled"})
        self.assertEqual(shopify_order["fulfillment_status"], "unfulfilled")
        fulfillments = self.env["shopify.fulfillment.binding"]
        self.assertEqual(fulfillments._report_cancelled(self.backend, shopify_order), binding)
        self.assertFalse(fulfillments._report_cancelled(self.backend, shopify_order), "reported once")
        reported = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_fulfillment_cancelled")]
        )
        self.assertEqual((len(reported), reported.res_id, reported.occurrence_count), (1, picking.id, 1))
        self.assertIn(order["name"], reported.message)
        self.assertEqual(picking.state, "done")

    def test_job_run_twice_sends_one_fulfilment(self):
        order = self._shopify_order([1, 1])
        sale = self._bound_sale_order(order)
        picking = sale.picking_ids
        with trap_jobs() as trap:
            self._deliver(picking)
            # A second signal for the same delivery reuses the pending job.
            picking._shopify_schedule_fulfillment_export()
            trap.assert_jobs_count(1, only=self._export_job())
            trap.perform_enqueued_jobs()
        # The job is run again (e.g. requeued by hand): nothing is sent twice.
        self.assertEqual(self.backend._shopify_export_fulfillment_job(picking), "skipped")
        self.assertEqual(len(self._sandbox_order(order["id"])["fulfillments"]), 1)
        self.assertEqual(len(self.calls_of("FulfillmentCreate")), 1)
        self.assertEqual(len(picking.shopify_fulfillment_ids), 1)

    def test_partial_delivery_then_backorder(self):
        order = self._shopify_order([3, 1])
        line_a, line_b = self._line_id(order, self.skus[0]), self._line_id(order, self.skus[1])
        sale = self._bound_sale_order(order)
        picking = sale.picking_ids
        with trap_jobs() as trap:
            self._deliver(picking, {line_a: 1, line_b: 1}, tracking="1ZPART0001")
            trap.perform_enqueued_jobs()
        self.assertEqual(self._remaining(order), {line_a: 2, line_b: 0})
        first = self._sandbox_order(order["id"])["fulfillments"][0]
        self.assertEqual({line["line_item_id"]: line["quantity"] for line in first["lines"]}, {line_a: 1, line_b: 1})
        self.assertEqual(self._read_order(order["id"])["fulfillment_status"], "partially_fulfilled")

        # Our own fulfilment comes back as a webhook: ignored, the backorder stays open.
        backorder = sale.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        with trap_jobs() as trap:
            echo = self._event(order["id"], first)
            perform_jobs(trap)
            trap.assert_jobs_count(0, only=self._export_job())
        self.assertEqual(echo.state, "done")
        self.assertNotEqual(backorder.state, "done")
        self.assertEqual(len(picking.shopify_fulfillment_ids), 1)

        with trap_jobs() as trap:
            self._deliver(backorder, tracking="1ZPART0002")
            trap.assert_jobs_count(1, only=self._export_job())
            trap.perform_enqueued_jobs()
        self.assertEqual(set(self._remaining(order).values()), {0})
        fulfillments = self._sandbox_order(order["id"])["fulfillments"]
        self.assertEqual(len(fulfillments), 2)
        self.assertEqual({line["line_item_id"]: line["quantity"] for line in fulfillments[1]["lines"]}, {line_a: 2})
        self.assertEqual(fulfillments[1]["tracking_number"], "1ZPART0002")
        self.assertEqual(self._read_order(order["id"])["fulfillment_status"], "fulfilled")

    def test_delivery_validated_by_a_warehouse_user(self):
        """Warehouse staff have no connector rights: the export still happens."""
        worker = new_test_user(self.env, login="m3_stock_worker", groups="stock.group_stock_user")
        order = self._shopify_order([1, 1])
        picking = self._bound_sale_order(order).picking_ids
        with trap_jobs() as trap:
            self._deliver(picking.with_user(worker), tracking="1ZWORKER0001")
            trap.assert_jobs_count(1, only=self._export_job())
            trap.perform_enqueued_jobs()
        self.assertEqual(len(picking.shopify_fulfillment_ids), 1)
        self.assertEqual(len(self._sandbox_order(order["id"])["fulfillments"]), 1)

    def test_not_pushed_when_disabled_or_not_shopify(self):
        self.backend.shopify_push_fulfillments = False
        order = self._shopify_order([1, 1])
        sale = self._bound_sale_order(order)
        other = self.env["sale.order"].create(
            {
                "partner_id": sale.partner_id.id,
                "order_line": [Command.create({"product_id": self.products_by_sku[self.skus[0]].id})],
            }
        )
        other.action_confirm()
        with trap_jobs() as trap:
            self._deliver(sale.picking_ids)
            self._deliver(other.picking_ids)
            trap.assert_jobs_count(0, only=self._export_job())

    # ------------------------------------------------------------------ import
    def test_fulfilment_in_shopify_validates_the_delivery(self):
        order = self._shopify_order([2, 1])
        line_a, line_b = self._line_id(order, self.skus[0]), self._line_id(order, self.skus[1])
        sale = self._bound_sale_order(order)
        picking = sale.picking_ids
        record = self.sandbox.create_fulfillment(order["id"], lines=[(line_a, 1)], tracking="1Z3PL0000001")
        with trap_jobs() as trap:
            event = self._event(order["id"], record)
            perform_jobs(trap)  # the inbox job, then the event's job through the backend's dispatch
            trap.assert_jobs_count(0, only=self._export_job())
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1Z3PL0000001")
        done = {move.sale_line_id.shopify_line_id: move.quantity for move in picking.move_ids if move.state == "done"}
        self.assertEqual(done, {line_a: 1})
        backorder = sale.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        self.assertEqual(
            {move.sale_line_id.shopify_line_id: move.product_uom_qty for move in backorder.move_ids},
            {line_a: 1, line_b: 1},
        )
        binding = picking.shopify_fulfillment_ids
        self.assertEqual((binding.external_id, binding.direction), (record["id"], "import"))
        self.assertEqual(binding.tracking_number, "1Z3PL0000001")
        self.assertEqual(sale.order_line.filtered(lambda line: line.shopify_line_id == line_a).qty_delivered, 1)

        # The same event again (replayed): nothing more is validated.
        result = self.env["shopify.fulfillment.binding"]._import_fulfillment_webhook(self.backend, event)
        self.assertEqual(result, "skipped")
        self.assertNotEqual(backorder.state, "done")

    def test_fulfilment_arriving_before_our_binding_is_adopted(self):
        """The webhook of our own fulfilment can beat the export job's commit: the
        validated, not yet bound delivery is recognised and not validated twice."""
        order = self._shopify_order([1, 1])
        sale = self._bound_sale_order(order)
        picking = sale.picking_ids
        with trap_jobs() as trap:
            self._deliver(picking)
            [export_job] = [job for job in trap.enqueued_jobs if job.method_name == "_shopify_export_fulfillment_job"]
            trap.enqueued_jobs.remove(export_job)
            # Shopify shows a fulfilment of exactly this delivery before the job ran.
            record = self.sandbox.create_fulfillment(order["id"])
            self._event(order["id"], record)
            perform_jobs(trap)  # the webhook first
            self.assertEqual(picking.shopify_fulfillment_ids.external_id, record["id"])
            export_job.perform()
            self.assertEqual(export_job.result, "skipped")
        self.assertEqual(picking.shopify_fulfillment_ids.external_id, record["id"])
        self.assertEqual(len(self._sandbox_order(order["id"])["fulfillments"]), 1)
        self.assertEqual(self.calls_of("FulfillmentCreate"), [])

    def test_fulfilment_of_an_order_not_imported_yet(self):
        order = self._shopify_order([1, 2])
        record = self.sandbox.create_fulfillment(order["id"], tracking="1ZEARLY00001")
        with trap_jobs() as trap:
            event = self._event(order["id"], record)
            perform_jobs(trap)
        self.assertEqual(event.state, "done", event.error_message)
        order_binding = self.env["shopify.order.binding"]._lookup(self.backend, order["id"])
        self.assertTrue(order_binding, "the order is imported first")
        sale = order_binding.odoo_id
        self.assertEqual(sale.state, "sale")
        delivery = sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(delivery.mapped("state"), ["done"])
        self.assertEqual(delivery.carrier_tracking_ref, "1ZEARLY00001")
        self.assertEqual(delivery.shopify_fulfillment_ids.external_id, record["id"])
