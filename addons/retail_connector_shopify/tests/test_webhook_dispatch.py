# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo.addons.queue_job.tests.common import trap_jobs

from .test_stock_export import StockCase


class TestWebhookDispatch(StockCase):
    """Inbox events of the topics helper M1 owns, processed by their job."""

    store_products = 6

    def receive(self, topic, payload):
        event, created = self.env["retail.webhook.event"]._receive(
            self.backend, topic, str(uuid.uuid4()), payload, len(str(payload)), event_id=str(uuid.uuid4())
        )
        self.assertTrue(created)
        return event

    def inventory_payload(self, binding, location_map, available, updated_at="2026-03-01T10:00:00Z"):
        return {
            "inventory_item_id": int(binding.inventory_item_id),
            "location_id": int(location_map.shopify_location_id),
            "available": available,
            "updated_at": updated_at,
        }

    def level_log(self, binding, location_map):
        return self.env["retail.sync.log"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("entity", "=", "inventory_level"),
                ("external_id", "=", f"{binding.inventory_item_id}@{location_map.shopify_location_id}"),
            ],
            limit=1,
        )

    def test_echo_of_our_own_update_is_not_drift(self):
        self.backend._shopify_push_stock_job()
        binding, location_map = self.bindings[0], self.maps[0]
        sent = self.odoo_qty(binding, location_map)
        with trap_jobs() as trap:
            event = self.receive("inventory_levels/update", self.inventory_payload(binding, location_map, sent))
            event._process_job()
            self.assertEqual(event.state, "done")
            self.assertEqual(self.level_log(binding, location_map).result, "skipped")
            self.assertFalse(binding.stock_dirty)
            self.assertFalse([job for job in trap.enqueued_jobs if job.method_name == "_export_job"])
        self.assertFalse(
            self.env["retail.exception"].search([("backend_id", "=", self.backend.id), ("state", "=", "new")])
        )

    def test_change_in_shopify_is_recorded_and_odoo_pushed_again(self):
        self.backend._shopify_push_stock_job()
        binding, location_map = self.bindings[0], self.maps[0]
        odoo_qty = self.odoo_qty(binding, location_map)
        self.set_shopify(binding, location_map, odoo_qty + 5)
        with trap_jobs() as trap:
            event = self.receive("inventory_levels/update", self.inventory_payload(binding, location_map, odoo_qty + 5))
            event._process_job()
            self.assertEqual(self.level_log(binding, location_map).result, "done")
            level = binding.stock_level_ids.filtered(lambda lv: lv.location_map_id == location_map)
            self.assertEqual(level.shopify_available, odoo_qty + 5)
            self.assertTrue(binding.stock_dirty)
            self.sandbox.calls.clear()
            self.run_export_jobs(trap)
        self.assertEqual(len(self.calls_of("InventorySetQuantities")), 1)
        self.assertEqual(self.shopify_available(binding, location_map), odoo_qty)
        self.assertFalse(
            self.env["retail.exception"].search(
                [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_stock_drift")]
            ),
            "only the reconcile reports drift",
        )

    def test_app_uninstalled_pauses_the_backend(self):
        event = self.receive("app/uninstalled", {"id": 90000001, "domain": "sandbox-shop.myshopify.com"})
        event._process_job()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.backend.state, "paused")
        exception = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_app_uninstalled")]
        )
        self.assertEqual((len(exception), exception.severity), (1, "critical"))
        # what arrives while paused waits for Resume
        with trap_jobs() as trap:
            waiting = self.receive("inventory_levels/update", self.inventory_payload(self.bindings[0], self.maps[0], 1))
            trap.assert_jobs_count(0)
        self.assertEqual(waiting.state, "received")

    def test_unknown_topic_fails_with_an_exception(self):
        event = self.receive("customers/delete", {"id": 1})
        event._process_job()
        self.assertEqual(event.state, "failed")
        self.assertIn("not handled", event.error_message)
