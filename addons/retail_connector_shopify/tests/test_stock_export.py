# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

from odoo import fields
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..lib import normalize
from .common import ShopifyCase


class StockCase(ShopifyCase):
    store_orders = 3
    store_products = 80

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bindings = cls.env["shopify.product.binding"].search([("backend_id", "=", cls.backend.id)], order="id")
        cls.maps = cls.backend.shopify_location_map_ids.sorted("sequence")

    def set_stock(self, quantities):
        """{(product, location): quantity} through an inventory adjustment (real done moves)."""
        quants = self.env["stock.quant"]
        for (product, location), quantity in quantities.items():
            quants |= (
                self.env["stock.quant"]
                .with_context(inventory_mode=True)
                .create({"product_id": product.id, "location_id": location.id, "inventory_quantity": quantity})
            )
        quants.action_apply_inventory()

    def shopify_available(self, binding, location_map):
        with self.sandbox.lock:
            level = self.sandbox.state["inventory"][binding.inventory_item_id][location_map.shopify_location_id]
            return level["available"]

    def set_shopify(self, binding, location_map, quantity):
        self.sandbox.set_inventory(binding.inventory_item_id, location_map.shopify_location_id, quantity)

    def odoo_qty(self, binding, location_map):
        return int(binding.odoo_id.with_context(location=location_map.location_id.id).free_qty)

    def run_export_jobs(self, trap):
        for job in [job for job in trap.enqueued_jobs if job.method_name == "_export_job"]:
            job.perform()

    def quantities_sent(self, call):
        return {
            (normalize.legacy_id(q["inventoryItemId"]), normalize.legacy_id(q["locationId"])): q
            for q in call["variables"]["input"]["quantities"]
        }


class TestStockExport(StockCase):
    def test_hundred_products_at_two_locations_is_one_call(self):
        self.assertGreaterEqual(len(self.bindings), 100)
        changed = self.bindings[:100]
        wanted = {}
        for index, binding in enumerate(changed):
            for position, location_map in enumerate(self.maps[:2]):
                wanted[(binding.odoo_id, location_map.location_id)] = 5 + index % 7 + position
        with trap_jobs() as trap:
            self.set_stock(wanted)
            self.assertEqual(set(changed.mapped("stock_dirty")), {True})
            exports = [job for job in trap.enqueued_jobs if job.method_name == "_export_job"]
            self.assertEqual(len(exports), 1, "one debounced export for the whole adjustment")
            self.assertEqual(exports[0].args, ("stock",))
            self.sandbox.calls.clear()
            self.run_export_jobs(trap)
        calls = self.calls_of("InventorySetQuantities")
        self.assertEqual(len(calls), 1)
        sent = self.quantities_sent(calls[0])
        self.assertEqual(len(sent), 200)
        first = calls[0]["variables"]
        self.assertEqual(
            (first["input"]["name"], first["input"]["reason"], first["input"]["referenceDocumentUri"]),
            ("available", "correction", f"gid://odoo/retail.backend/{self.backend.id}"),
        )
        self.assertTrue(first["idempotencyKey"])
        for binding in changed:
            for location_map in self.maps[:2]:
                expected = wanted[(binding.odoo_id, location_map.location_id)]
                entry = sent[(binding.inventory_item_id, location_map.shopify_location_id)]
                self.assertEqual(entry["quantity"], expected)
                self.assertIsNone(entry["changeFromQuantity"], "Shopify's quantity was not known yet")
                self.assertEqual(self.shopify_available(binding, location_map), expected)
        self.assertFalse(any(changed.mapped("stock_dirty")))
        levels = self.env["shopify.stock.level"].search([("binding_id", "in", changed.ids)])
        self.assertEqual(len(levels), 200)
        self.assertTrue(all(level.last_sent_qty == level.shopify_available for level in levels))

        # nothing changed: a second export sends nothing
        self.sandbox.calls.clear()
        changed.write({"stock_dirty": True})
        self.backend._export_job("stock")
        self.assertEqual(self.calls_of("InventorySetQuantities"), [])

    def test_push_all_is_split_in_batches_of_250(self):
        self.sandbox.calls.clear()
        self.assertEqual(self.backend._shopify_push_stock_job(), "done")
        total = len(self.bindings) * len(self.maps)
        calls = self.calls_of("InventorySetQuantities")
        self.assertEqual(len(calls), math.ceil(total / 250))
        self.assertTrue(all(len(call["variables"]["input"]["quantities"]) <= 250 for call in calls))
        self.assertEqual(sum(len(call["variables"]["input"]["quantities"]) for call in calls), total)
        # Shopify now shows Odoo's quantities everywhere
        for binding in self.bindings:
            for location_map in self.maps:
                self.assertEqual(self.shopify_available(binding, location_map), self.odoo_qty(binding, location_map))

    def test_stale_change_from_rereads_and_succeeds(self):
        binding = self.bindings[0]
        main, store = self.maps[0], self.maps[1]
        self.backend._shopify_push_stock_job()
        # a sale in Shopify that Odoo has not heard of yet
        self.set_shopify(binding, main, 17)
        with trap_jobs() as trap:
            self.set_stock({(binding.odoo_id, main.location_id): 9})
            self.sandbox.calls.clear()
            self.run_export_jobs(trap)
        sets = self.calls_of("InventorySetQuantities")
        self.assertEqual(len(sets), 2, "refused once as stale, then sent again")
        self.assertEqual(len(self.calls_of("InventoryLevels")), 1, "the location was read again")
        retried = self.quantities_sent(sets[1])[(binding.inventory_item_id, main.shopify_location_id)]
        self.assertEqual((retried["quantity"], retried["changeFromQuantity"]), (9, 17))
        self.assertEqual(self.shopify_available(binding, main), 9)
        self.assertEqual(self.shopify_available(binding, store), self.odoo_qty(binding, store))
        log = self.env["retail.sync.log"].search(
            [("backend_id", "=", self.backend.id), ("direction", "=", "export"), ("entity", "=", "stock")], limit=1
        )
        self.assertEqual(log.result, "done")

    def test_older_api_version_uses_compare_quantity(self):
        self.backend.shopify_api_version = "2025-01"
        binding = self.bindings[0]
        self.backend._shopify_push_stock_job()
        self.sandbox.calls.clear()
        with trap_jobs() as trap:
            self.set_stock({(binding.odoo_id, self.maps[0].location_id): 4})
            self.run_export_jobs(trap)
        call = self.calls_of("InventorySetQuantities")[0]
        self.assertNotIn("idempotencyKey", call["variables"])
        entry = self.quantities_sent(call)[(binding.inventory_item_id, self.maps[0].shopify_location_id)]
        self.assertEqual((entry["quantity"], entry["compareQuantity"]), (4, 0))
        self.assertEqual(self.shopify_available(binding, self.maps[0]), 4)


class TestStockExportConcurrency(StockCase):
    """Races between stock exports, inventory webhooks and stock moves, first seen in bench/soak.py."""

    store_products = 10

    def test_move_on_a_variant_already_dirty_writes_its_binding_again(self):
        """An export job that read the dirty flags before a move clears them when it ends. The move
        must write the binding's row even if it is already dirty: PostgreSQL then refuses the job's
        clearing (serialization failure, the job is retried and sends the move); without a write
        the move never reaches Shopify and the flag says there is nothing left to send."""
        binding, main = self.bindings[0], self.maps[0]
        with trap_jobs():
            self.set_stock({(binding.odoo_id, main.location_id): 5})
            self.assertTrue(binding.stock_dirty)
            before = self._row_version(binding)
            self.set_stock({(binding.odoo_id, main.location_id): 7})
        self.assertTrue(binding.stock_dirty)
        self.assertNotEqual(self._row_version(binding), before, "the binding's row was written again")

    def test_change_whose_export_request_was_lost_is_sent_by_the_catch_up_cron(self):
        """A move whose export request merged into an export job that had already read its
        data leaves the variant dirty with no job: the catch-up cron queues the export."""
        binding, main = self.bindings[0], self.maps[0]
        with trap_jobs():
            self.set_stock({(binding.odoo_id, main.location_id): 9})  # its export job is dropped here
        self.assertTrue(binding.stock_dirty)
        with trap_jobs() as trap:
            self.env["retail.backend"]._cron_catch_up()
            exports = [job for job in trap.enqueued_jobs if job.method_name == "_export_job"]
            self.assertEqual([(job.recordset, job.args) for job in exports], [(self.backend, ("stock",))])
            trap.perform_enqueued_jobs()
        self.assertFalse(binding.stock_dirty)
        self.assertEqual(self.shopify_available(binding, main), 9)

    def _row_version(self, binding):
        # every UPDATE makes a new row version, at a new ctid: what concurrent transactions conflict on
        self.env.flush_all()
        self.env.cr.execute("SELECT ctid FROM shopify_product_binding WHERE id = %s", (binding.id,))
        return self.env.cr.fetchone()[0]

    def test_level_recorded_meanwhile_by_another_job_retries_the_export(self):
        """An export and an inventory webhook job racing for a level never recorded before: the
        export that loses is retried and sees the level then; it neither fails nor opens an exception."""
        binding, main = self.bindings[0], self.maps[0]
        levels = self.env["shopify.stock.level"]
        # what the export read before the webhook job committed: no level yet for this variant there
        entries = [{"binding": binding, "map": main, "quantity": 6, "known": None, "level": levels}]
        levels.create(
            {
                "binding_id": binding.id,
                "location_map_id": main.id,
                "shopify_available": 3,
                "shopify_updated_at": fields.Datetime.now(),
            }
        )
        with self.assertRaises(RetryableJobError), mute_logger("odoo.sql_db"):
            with self.env["retail.sync.log"]._track(self.backend, "export", "stock"):
                levels._send_entries(self.backend, entries)
        self.assertFalse(
            self.env["retail.exception"].search(
                [("backend_id", "=", self.backend.id), ("type_code", "=", "export_failed")]
            )
        )
        self.assertEqual(len(levels.search([("binding_id", "=", binding.id), ("location_map_id", "=", main.id)])), 1)
        # the retried export starts from the level the other job recorded: Shopify ends with Odoo's quantity
        self.assertEqual(self.backend._shopify_push_stock_job(), "done")
        self.assertEqual(self.shopify_available(binding, main), self.odoo_qty(binding, main))


class TestStockReconcile(StockCase):
    store_products = 10

    def test_cron_queues_one_reconcile_per_active_backend(self):
        with trap_jobs() as trap:
            self.env["retail.backend"]._cron_shopify_stock_reconcile()
            self.env["retail.backend"]._cron_shopify_stock_reconcile()
            jobs = [job for job in trap.enqueued_jobs if job.method_name == "_shopify_stock_reconcile_job"]
            self.assertEqual([job.recordset for job in jobs], [self.backend])

    def test_reconcile_reports_drift_and_pushes_odoo(self):
        self.backend._shopify_push_stock_job()
        self.assertEqual(self.backend._shopify_stock_reconcile_job(), "done")
        self.assertFalse(self._drift_exception(), "everything matches after a push")
        drifted = self.bindings[:2]
        for binding in drifted:
            self.set_shopify(binding, self.maps[1], 33)
        self.sandbox.calls.clear()
        self.backend._shopify_stock_reconcile_job()
        exception = self._drift_exception()
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.severity, "low")
        for binding in drifted:
            self.assertIn(binding.sku, exception.message)
            self.assertEqual(self.shopify_available(binding, self.maps[1]), self.odoo_qty(binding, self.maps[1]))
        self.assertEqual(len(self.calls_of("InventoryLevels")), len(self.maps))
        sent = self.quantities_sent(self.calls_of("InventorySetQuantities")[0])
        self.assertEqual(len(sent), 2, "only the drifted levels are pushed")
        # the next reconcile finds nothing and closes the exception
        self.backend._shopify_stock_reconcile_job()
        self.assertEqual(exception.state, "resolved")

    def _drift_exception(self):
        return self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_stock_drift"), ("state", "=", "new")]
        )
