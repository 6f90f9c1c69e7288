# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Orders imported after they shipped in Shopify (backfill, catch-up after an
outage that lost the fulfillments/create webhook): the import validates their
Odoo delivery like the webhook would (sandbox shop over 127.0.0.1)."""

import uuid
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..sandbox import rest
from .common import ShopifyCase

STOCK = 10


class TestFulfillmentImport(ShopifyCase):
    store_orders = 3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.tax_calculation_rounding_method = "round_per_line"  # as Shopify
        cls.skus = sorted(cls.products_by_sku)[:2]
        cls.products = [cls.products_by_sku[sku] for sku in cls.skus]
        cls.main_map = cls.backend.shopify_location_map_ids.sorted("sequence")[0]
        quants = cls.env["stock.quant"]
        for product in cls.products:
            quants |= (
                cls.env["stock.quant"]
                .with_context(inventory_mode=True)
                .create(
                    {"product_id": product.id, "location_id": cls.main_map.location_id.id, "inventory_quantity": STOCK}
                )
            )
        quants.action_apply_inventory()
        cls.orders = cls.env["shopify.order.binding"]
        cls.fulfillments = cls.env["shopify.fulfillment.binding"]

    def setUp(self):
        super().setUp()
        self.sandbox.calls.clear()

    # ------------------------------------------------------------------ helpers
    def _shipped_order(self, quantities, shipped=None, tracking=None, **order_fields):
        """A paid sandbox order fulfilled (``shipped``: {sku index: quantity}, default all)
        before Odoo ever saw it; returns (order id, {sku index: line id}, fulfilment)."""
        created = self.sandbox.create_order(lines=list(zip(self.skus, quantities, strict=True)), **order_fields)
        line_ids = {index: line["id"] for index, line in enumerate(created["line_items"])}
        lines = None if shipped is None else [(line_ids[index], qty) for index, qty in shipped.items()]
        record = self.sandbox.create_fulfillment(created["id"], lines=lines, tracking=tracking)
        return created["id"], line_ids, record

    def _import(self, order_id):
        """The order import of a webhook or a re-read: fetch, then import."""
        return self.orders._import_order(self.backend, self.orders._fetch_order(self.backend, order_id))

    def _deliveries(self, sale):
        return sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing").sorted("id")

    def _quantities(self, picking, field="quantity"):
        return {move.sale_line_id.shopify_line_id: move[field] for move in picking.move_ids}

    def _webhook(self, order_id, record):
        """A fulfillments/create delivery of ``record`` received by Odoo."""
        with self.sandbox.lock:
            body = rest.rest_fulfillment(self.sandbox.store.order(order_id), record)
        event, __ = self.env["retail.webhook.event"]._receive(
            self.backend, "fulfillments/create", str(uuid.uuid4()), body, len(str(body)), event_id=str(uuid.uuid4())
        )
        return self.fulfillments._import_fulfillment_webhook(self.backend, event)

    def _available(self, product):
        return product.with_context(location=self.main_map.location_id.id)

    # ------------------------------------------------------------------ tests
    def test_partially_fulfilled_order_imported_later(self):
        order_id, line_ids, record = self._shipped_order([3, 2], shipped={0: 3, 1: 1}, tracking="1ZLATE0000001")
        binding = self._import(order_id)
        sale = binding.odoo_id
        self.assertEqual(sale.state, "sale")
        delivery, backorder = self._deliveries(sale)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.carrier_tracking_ref, "1ZLATE0000001")
        self.assertEqual(self._quantities(delivery), {line_ids[0]: 3, line_ids[1]: 1})
        self.assertNotIn(backorder.state, ("done", "cancel"))
        self.assertEqual(self._quantities(backorder, "product_uom_qty"), {line_ids[1]: 1})
        fulfillment = delivery.shopify_fulfillment_ids
        self.assertEqual((fulfillment.external_id, fulfillment.direction), (record["id"], "import"))
        self.assertEqual(fulfillment.order_binding_id, binding)
        self.assertEqual(fulfillment.tracking_number, "1ZLATE0000001")
        delivered = {line.shopify_line_id: line.qty_delivered for line in sale.order_line if not line.is_delivery}
        self.assertEqual(delivered, {line_ids[0]: 3, line_ids[1]: 1})
        self.assertEqual(len(self.calls_of("OrderFulfillments")), 1)
        # Shipped goods left the warehouse; the unshipped unit stays reserved.
        product_a, product_b = (self._available(product) for product in self.products)
        self.assertEqual((product_a.qty_available, product_a.free_qty), (STOCK - 3, STOCK - 3))
        self.assertEqual((product_b.qty_available, product_b.free_qty), (STOCK - 1, STOCK - 2))

        # Imported again, then the lost webhook arriving late: nothing changes.
        self._import(order_id)
        self.assertEqual(self._webhook(order_id, record), "skipped")
        self.assertEqual(self._deliveries(sale), delivery | backorder)
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(self._quantities(backorder, "product_uom_qty"), {line_ids[1]: 1})
        self.assertEqual(self.fulfillments.search([("order_binding_id", "=", binding.id)]), fulfillment)

        # The stock export pushes what Odoo has free, and Shopify shows it.
        stock_levels = self.env["shopify.stock.level"]
        stock_bindings = self.env["shopify.product.binding"].search([("odoo_id", "in", [p.id for p in self.products])])
        stock_levels._export_stock(self.backend, stock_bindings, force=True)
        shown = []
        for product in (product_a, product_b):
            inventory_item = stock_bindings.filtered(lambda b, product=product: b.odoo_id == product).inventory_item_id
            with self.sandbox.lock:
                shown.append(self.sandbox.state["inventory"][inventory_item][self.main_map.shopify_location_id])
        self.assertEqual([level["available"] for level in shown], [STOCK - 3, STOCK - 2])

    def _update_webhook(self, body):
        """A fulfillments/update delivery of ``body`` received and processed by Odoo."""
        event = self.deliver_webhook("fulfillments/update", body)
        self.assertEqual(event.state, "done", event.error_message)
        return event

    def test_tracking_added_in_shopify_later_reaches_the_delivery(self):
        order_id, __, record = self._shipped_order([1, 1])
        binding = self._import(order_id)
        [delivery] = self._deliveries(binding.odoo_id)
        self.assertFalse(delivery.carrier_tracking_ref)
        older = self.sandbox.update_fulfillment_tracking(order_id, record["id"], "1ZFIRST", emit=False)
        newer = self.sandbox.update_fulfillment_tracking(
            order_id, record["id"], "1ZCARRIER42", company="UPS", url="https://ups.example/1ZCARRIER42", emit=False
        )
        self._update_webhook(newer)
        fulfillment = delivery.shopify_fulfillment_ids
        self.assertEqual(delivery.carrier_tracking_ref, "1ZCARRIER42")
        self.assertEqual(
            (fulfillment.tracking_number, fulfillment.tracking_company, fulfillment.tracking_url),
            ("1ZCARRIER42", "UPS", "https://ups.example/1ZCARRIER42"),
        )
        self._update_webhook(older)  # late and out of order: nothing goes back
        self._update_webhook(newer)  # twice: nothing changes
        self.assertEqual(delivery.carrier_tracking_ref, "1ZCARRIER42")
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.fulfillments.search([("order_binding_id", "=", binding.id)]), fulfillment)

    def test_update_of_a_fulfilment_never_seen_imports_it(self):
        order_id, line_ids, __ = self._shipped_order([1, 1], shipped={0: 1})
        sale = self._import(order_id).odoo_id
        delivery, backorder = self._deliveries(sale)
        self.assertEqual((delivery.state, backorder.state), ("done", "assigned"))
        # the rest ships later and only its fulfillments/update reaches Odoo
        later = self.sandbox.create_fulfillment(order_id, lines=[(line_ids[1], 1)], tracking="1ZLATER")
        with self.sandbox.lock:
            body = rest.rest_fulfillment(self.sandbox.store.order(order_id), later)
        self._update_webhook(body)
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.carrier_tracking_ref, "1ZLATER")
        self.assertEqual(backorder.shopify_fulfillment_ids.external_id, later["id"])

    def test_fulfilment_cancelled_in_shopify_is_reported_by_its_update_webhook(self):
        order_id, __, record = self._shipped_order([1, 1])
        binding = self._import(order_id)
        [delivery] = self._deliveries(binding.odoo_id)
        self.sandbox.cancel_fulfillment(order_id, record["id"])
        with self.sandbox.lock:
            order = self.sandbox.store.order(order_id)
            body = rest.rest_fulfillment(order, next(f for f in order["fulfillments"] if f["id"] == record["id"]))
        self.assertEqual(body["status"], "cancelled")
        self._update_webhook(body)
        self._update_webhook(body)
        self._import(order_id)  # the orders/updated that follows reports nothing more
        reported = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_fulfillment_cancelled")]
        )
        self.assertEqual(len(reported), 1)
        self.assertEqual(reported.occurrence_count, 1)
        self.assertEqual((reported.res_model, reported.res_id), ("stock.picking", delivery.id))
        self.assertEqual(delivery.state, "done", "Odoo moves no stock by itself")

    def test_fulfilment_cancelled_in_shopify_after_delivery_is_reported_once(self):
        order_id, __, record = self._shipped_order([1, 1])
        binding = self._import(order_id)
        [delivery] = self._deliveries(binding.odoo_id)
        self.assertEqual(delivery.state, "done")
        # a voided label: Shopify cancels the fulfilment, Odoo's delivery is done
        self.sandbox.cancel_fulfillment(order_id, record["id"])
        with self.sandbox.lock:
            self.assertEqual(self.sandbox.store.order(order_id)["fulfillment_status"], "UNFULFILLED")
        self._import(order_id)
        reported = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_fulfillment_cancelled")]
        )
        self.assertEqual(len(reported), 1)
        self.assertEqual((reported.res_model, reported.res_id), ("stock.picking", delivery.id))
        self.assertEqual(reported.external_id, record["id"])
        self.assertIn(delivery.name, reported.message)
        self.assertTrue(delivery.shopify_fulfillment_ids.cancelled_in_shopify)
        # Odoo moves no stock by itself: someone decides whether the goods left
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self._available(self.products[0]).qty_available, STOCK - 1)
        # read again (repeated webhook, catch-up overlap): still one report, seen once
        self._import(order_id)
        self.orders._catch_up_orders(self.backend, None)
        self.assertEqual(reported.occurrence_count, 1)
        self.assertEqual(
            self.env["retail.exception"].search_count(
                [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_fulfillment_cancelled")]
            ),
            1,
        )

    def test_catch_up_validates_fulfilled_orders(self):
        """The catch-up books its orders in a batch, then applies their fulfilments."""
        since = fields.Datetime.now() - timedelta(minutes=1)
        order_id, line_ids, record = self._shipped_order([1, 2])
        self.orders._catch_up_orders(self.backend, since)
        binding = self.orders._lookup(self.backend, order_id)
        sale = binding.odoo_id
        self.assertEqual(sale.state, "sale")
        delivery = self._deliveries(sale)
        self.assertEqual(delivery.mapped("state"), ["done"])
        self.assertEqual(self._quantities(delivery), {line_ids[0]: 1, line_ids[1]: 2})
        self.assertEqual(delivery.shopify_fulfillment_ids.external_id, record["id"])
        self.assertEqual([self._available(p).qty_available for p in self.products], [STOCK - 1, STOCK - 2])

        # The lost webhook, delivered at last, and the next catch-up: nothing more.
        self.assertEqual(self._webhook(order_id, record), "skipped")
        self.sandbox.calls.clear()
        self.orders._catch_up_orders(self.backend, since)
        self.assertEqual(self._deliveries(sale), delivery)
        self.assertEqual(self.calls_of("OrderFulfillments"), [], "no open delivery: Shopify is not asked")
        self.assertEqual([self._available(p).qty_available for p in self.products], [STOCK - 1, STOCK - 2])

    def test_throttled_fulfilment_read_is_done_by_a_job_of_its_own(self):
        """Shopify throttles the fulfilment read of a batch: the booked orders stand and a
        job reads the fulfilments once the bucket has refilled (no lost fulfilment, no
        failed catch-up)."""
        order_id, line_ids, record = self._shipped_order([2, 1])
        deferred = []
        self.orders._import_order(self.backend, self.orders._fetch_order(self.backend, order_id), deferred=deferred)
        self.sandbox.faults.throttle_ratio = 1.0
        try:
            with trap_jobs() as trap:
                self.orders._book_deferred(self.backend, deferred)
                jobs = [job for job in trap.enqueued_jobs if job.method_name == "_import_fulfillments_job"]
                self.assertEqual(len(jobs), 1)
                binding = self.orders._lookup(self.backend, order_id)
                self.assertEqual(binding.odoo_id.state, "sale", "the booking stands")
                self.assertEqual(self._deliveries(binding.odoo_id).mapped("state"), ["assigned"])
                # still busy when the job runs: it is retried later, not failed
                with self.assertRaises(RetryableJobError):
                    jobs[0].perform()
                self.sandbox.faults.throttle_ratio = 0.0
                trap.perform_enqueued_jobs()
        finally:
            self.sandbox.faults.throttle_ratio = 0.0
        delivery = self._deliveries(binding.odoo_id)
        self.assertEqual(delivery.mapped("state"), ["done"])
        self.assertEqual(self._quantities(delivery), {line_ids[0]: 2, line_ids[1]: 1})
        self.assertEqual(delivery.shopify_fulfillment_ids.external_id, record["id"])

    def test_held_order_gets_its_fulfilment_once_confirmed(self):
        """A risky order stays a quotation (no delivery): the import does not fail and
        validates the delivery on a later import, once someone confirmed the order."""
        order_id, line_ids, record = self._shipped_order([1, 1], risk="INVESTIGATE")
        binding = self._import(order_id)
        sale = binding.odoo_id
        self.assertEqual(sale.state, "draft")
        self.assertFalse(self.fulfillments._lookup(self.backend, record["id"]))
        self.assertEqual(self.calls_of("OrderFulfillments"), [])
        failed = self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id), ("result", "=", "failed")])
        self.assertFalse(failed)

        sale.action_confirm()
        self._import(order_id)
        delivery = self._deliveries(sale)
        self.assertEqual(delivery.mapped("state"), ["done"])
        self.assertEqual(self._quantities(delivery), {line_ids[0]: 1, line_ids[1]: 1})
        self.assertEqual(delivery.shopify_fulfillment_ids.external_id, record["id"])

    def test_fulfilment_from_another_shopify_location_ships_from_its_odoo_location(self):
        store_map = self.backend.shopify_location_map_ids.sorted("sequence")[1]
        store = store_map.location_id
        self.assertNotEqual(store, self.main_map.location_id)
        quants = self.env["stock.quant"].with_context(inventory_mode=True)
        quants.create({"product_id": self.products[0].id, "location_id": store.id, "inventory_quantity": 4})
        quants.create({"product_id": self.products[1].id, "location_id": store.id, "inventory_quantity": 4})
        quants.search([("location_id", "=", store.id)]).action_apply_inventory()
        # a sale at the shop's counter: fulfilled at once at the store's Shopify location
        created = self.sandbox.create_order(
            lines=list(zip(self.skus, [2, 1], strict=True)), location_id=store_map.shopify_location_id
        )
        line_ids = [line["id"] for line in created["line_items"]]
        self.sandbox.create_fulfillment(created["id"], lines=[(line_ids[0], 2)])
        sale = self._import(created["id"]).odoo_id
        delivery, backorder = self._deliveries(sale)
        self.assertEqual((delivery.state, delivery.location_id), ("done", store))
        self.assertEqual(delivery.move_ids.move_line_ids.location_id, store)
        in_store = self.products[0].with_context(location=store.id)
        in_warehouse = self._available(self.products[0])
        self.assertEqual((in_store.qty_available, in_warehouse.qty_available), (2, STOCK))
        # what the store did not hand over ships from the warehouse, as planned
        self.assertEqual(backorder.location_id, self.main_map.location_id)
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(self._quantities(backorder, "product_uom_qty"), {line_ids[1]: 1})
        # the store's Shopify level follows: 4 - 2 pushed, the warehouse's unchanged
        stock_bindings = self.env["shopify.product.binding"].search([("odoo_id", "=", self.products[0].id)])
        self.env["shopify.stock.level"]._export_stock(self.backend, stock_bindings, force=True)
        with self.sandbox.lock:
            levels = self.sandbox.state["inventory"][stock_bindings.inventory_item_id]
            self.assertEqual(levels[store_map.shopify_location_id]["available"], 2)
            self.assertEqual(levels[self.main_map.shopify_location_id]["available"], STOCK)

    def test_order_routed_to_another_warehouse_s_location_is_delivered_from_it(self):
        second = self.env["stock.warehouse"].create({"name": "East Coast", "code": "EAST"})
        east_map = self.backend.shopify_location_map_ids.sorted("sequence")[1]
        east_map.location_id = second.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.products[0], second.lot_stock_id, 5.0)
        created = self.sandbox.create_order(lines=[(self.skus[0], 2)], location_id=east_map.shopify_location_id)
        sale = self._import(created["id"]).odoo_id
        self.assertEqual(sale.warehouse_id, second, "Shopify's routing decides the warehouse")
        [delivery] = self._deliveries(sale)
        self.assertEqual(delivery.picking_type_id.warehouse_id, second)
        self.assertEqual(delivery.location_id, second.lot_stock_id)
        self.assertEqual(delivery.state, "assigned", "reserved in the east's stock")
        # an order routed to the main location keeps the backend's warehouse
        main = self.sandbox.create_order(lines=[(self.skus[0], 1)])
        self.assertEqual(self._import(main["id"]).odoo_id.warehouse_id, self.warehouse)

    def _east_warehouse(self):
        east = self.env["stock.warehouse"].create({"name": "East Coast", "code": "EAST"})
        east_map = self.backend.shopify_location_map_ids.sorted("sequence")[1]
        east_map.location_id = east.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.products[0], east.lot_stock_id, 5.0)
        return east, east_map

    def _moved_webhook(self, body):
        event, __ = self.env["retail.webhook.event"]._receive(
            self.backend, "fulfillment_orders/moved", str(uuid.uuid4()), body, len(str(body))
        )
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)
        return event

    def test_order_moved_to_another_location_in_shopify_ships_from_its_warehouse(self):
        east, east_map = self._east_warehouse()
        created = self.sandbox.create_order(lines=[(self.skus[0], 2)])
        sale = self._import(created["id"]).odoo_id
        [planned] = self._deliveries(sale)
        self.assertEqual((sale.warehouse_id, planned.state), (self.warehouse, "assigned"))
        # the merchant moves the shipment to the east coast in Shopify's admin
        body = self.sandbox.move_fulfillment_order(created["id"], east_map.shopify_location_id, emit=False)
        self.assertNotIn("order_id", body["moved_fulfillment_order"], "read through the API")
        self._moved_webhook(body)
        self.assertEqual(planned.state, "cancel")
        self.assertEqual(sale.warehouse_id, east)
        [moved] = self._deliveries(sale).filtered(lambda p: p.state != "cancel")
        self.assertEqual((moved.location_id, moved.state), (east.lot_stock_id, "assigned"))
        self.assertEqual(self._quantities(moved, "product_uom_qty"), {created["line_items"][0]["id"]: 2})
        self.assertEqual(self._available(self.products[0]).free_qty, STOCK, "the main warehouse's stock is freed")
        # the same webhook again, or the catch-up reading the order: nothing more moves
        self._moved_webhook(body)
        self.assertEqual(len(self._deliveries(sale)), 2)
        self.assertEqual(
            self.calls_of("FulfillmentOrderOrder")[0]["variables"]["id"], body["moved_fulfillment_order"]["id"]
        )
        # the fulfilment made there validates the new delivery
        self.sandbox.create_fulfillment(created["id"])
        self._import(created["id"])
        self.assertEqual(moved.state, "done")
        self.assertEqual(self.products[0].with_context(location=east.lot_stock_id.id).qty_available, 3)

    def test_order_moved_after_picking_started_is_left_to_a_person(self):
        __, east_map = self._east_warehouse()
        created = self.sandbox.create_order(lines=[(self.skus[0], 2)])
        sale = self._import(created["id"]).odoo_id
        [planned] = self._deliveries(sale)
        planned.move_ids.picked = True  # the picker has it in hand
        self._moved_webhook(
            self.sandbox.move_fulfillment_order(created["id"], east_map.shopify_location_id, emit=False)
        )
        self.assertEqual((planned.state, sale.warehouse_id), ("assigned", self.warehouse))
        exception = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_reroute_blocked")]
        )
        self.assertEqual((len(exception), exception.res_model, exception.res_id), (1, "stock.picking", planned.id))
        self.assertIn("East Coast", exception.message)

    def test_move_of_an_order_not_imported_is_skipped(self):
        __, east_map = self._east_warehouse()
        created = self.sandbox.create_order(lines=[(self.skus[0], 1)])
        self._moved_webhook(
            self.sandbox.move_fulfillment_order(created["id"], east_map.shopify_location_id, emit=False)
        )
        self.assertFalse(self.orders._lookup(self.backend, created["id"]))
        # its later import ships from where it is now
        self.assertEqual(self._import(created["id"]).odoo_id.warehouse_id.code, "EAST")

    def _fulfillment_order_webhook(self, topic, body):
        event, __ = self.env["retail.webhook.event"]._receive(self.backend, topic, str(uuid.uuid4()), body, 99)
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)

    def test_order_on_hold_in_shopify_cannot_ship_until_released(self):
        created = self.sandbox.create_order(lines=[(self.skus[0], 1)])
        sale = self._import(created["id"]).odoo_id
        [delivery] = self._deliveries(sale)
        body = self.sandbox.hold_fulfillment_order(created["id"], reason="INCORRECT_ADDRESS", emit=False)
        self._fulfillment_order_webhook("fulfillment_orders/placed_on_hold", body)
        self.assertTrue(delivery.shopify_on_hold)
        delivery.move_ids.write({"quantity": 1, "picked": True})
        with self.assertRaisesRegex(UserError, "on hold in Shopify"):
            delivery.button_validate()
        self.assertEqual(delivery.state, "assigned")
        held = self.env["stock.picking"].search([("shopify_on_hold", "=", True), ("sale_id", "=", sale.id)])
        self.assertEqual(held, delivery, "the warehouse's 'On Hold in Shopify' filter lists it")
        body = self.sandbox.hold_fulfillment_order(created["id"], release=True, emit=False)
        self._fulfillment_order_webhook("fulfillment_orders/hold_released", body)
        self.assertFalse(delivery.shopify_on_hold)
        with trap_jobs() as trap:
            delivery.button_validate()
            trap.assert_jobs_count(1, only=self.backend._shopify_export_fulfillment_job)
        self.assertEqual(delivery.state, "done")

    def test_order_imported_while_on_hold_is_held(self):
        created = self.sandbox.create_order(lines=[(self.skus[0], 1)])
        self.sandbox.hold_fulfillment_order(created["id"], emit=False)
        sale = self._import(created["id"]).odoo_id
        self.assertEqual(sale.state, "sale")
        self.assertTrue(self._deliveries(sale).shopify_on_hold)

    def test_order_left_to_ship_from_two_warehouses_is_not_moved(self):
        east, east_map = self._east_warehouse()
        created = self.sandbox.create_order(lines=[(self.skus[0], 1), (self.skus[1], 1)])
        sale = self._import(created["id"]).odoo_id
        [planned] = self._deliveries(sale)
        # Shopify splits it: the first item now ships from the east, the second from the main location
        with self.sandbox.lock:
            order = self.sandbox.store.order(created["id"])
            [fulfillment_order] = order["fulfillment_orders"]
            second = dict(fulfillment_order, id=fulfillment_order["id"] + "9", location_id=east_map.shopify_location_id)
            second["line_items"] = [fulfillment_order["line_items"][0]]
            fulfillment_order["line_items"] = fulfillment_order["line_items"][1:]
            order["fulfillment_orders"].insert(0, second)
        self._import(created["id"])
        self.assertEqual((planned.state, sale.warehouse_id), ("assigned", self.warehouse), "one delivery stays")
        self.assertNotEqual(east, self.warehouse)

    def test_routing_completed_after_the_import_moves_the_delivery(self):
        east, east_map = self._east_warehouse()
        created = self.sandbox.create_order(lines=[(self.skus[0], 1)])
        sale = self._import(created["id"]).odoo_id
        self.assertEqual(sale.warehouse_id, self.warehouse, "imported before Shopify routed it")
        body = self.sandbox.route_order(created["id"], east_map.shopify_location_id, emit=False)
        self._fulfillment_order_webhook("fulfillment_orders/order_routing_complete", body)
        self.assertEqual(sale.warehouse_id, east)
        [delivery] = self._deliveries(sale).filtered(lambda p: p.state != "cancel")
        self.assertEqual(delivery.location_id, east.lot_stock_id)
