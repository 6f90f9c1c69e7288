# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Backfill through a Shopify bulk operation (sandbox over real HTTP)."""

import unittest
from datetime import datetime

from odoo.exceptions import UserError

from odoo.addons.queue_job.tests.common import trap_jobs

from ..lib import normalize
from ..lib.backfill import backfill_search_query, poll_delay
from .common import ShopifyCase


class TestBackfillHelpers(unittest.TestCase):
    def test_search_query_is_on_creation_date(self):
        self.assertEqual(
            backfill_search_query(datetime(2026, 1, 5, 9, 0), datetime(2026, 1, 6, 0, 30, 15)),
            "created_at:>='2026-01-05T09:00:00Z' AND created_at:<='2026-01-06T00:30:15Z'",
        )

    def test_poll_delay_grows_and_is_capped(self):
        delays = [poll_delay(attempt) for attempt in range(1, 12)]
        self.assertEqual(delays, sorted(delays))
        self.assertLessEqual(delays[0], 5)
        self.assertEqual(delays[-1], 60)


class TestBackfill(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        by_creation = sorted(cls.orders_by_name.values(), key=lambda order: order["created_at"])
        # The first six orders: includes the planted unknown-SKU order (#3rd).
        cls.window = by_creation[:6]
        cls.outside = by_creation[6:]
        cls.date_from = cls.window[0]["created_at"]
        cls.date_to = cls.window[-1]["created_at"]

    def setUp(self):
        super().setUp()
        self.sandbox.calls.clear()
        store = self.sandbox.store
        # Deterministic: an operation answers RUNNING once, then COMPLETED.
        saved = (store.bulk_polls, store.bulk_seconds)
        store.bulk_polls, store.bulk_seconds = 2, 3600
        self.addCleanup(self._restore_store, saved)

    def _restore_store(self, saved):
        store = self.sandbox.store
        store.bulk_polls, store.bulk_seconds = saved
        with self.sandbox.lock:  # never leave a running operation to the next test
            for operation in self.sandbox.state["bulk_operations"].values():
                if operation["status"] in ("CREATED", "RUNNING"):
                    operation["status"] = "CANCELED"

    def _wizard(self):
        return (
            self.env["shopify.backfill.wizard"]
            .with_context(default_backend_id=self.backend.id)
            .create({"date_from": self.date_from, "date_to": self.date_to})
        )

    def _start(self, trap):
        action = self._wizard().action_start()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["title"], "Backfill started")
        trap.assert_jobs_count(1, only=self.backend._shopify_backfill_start_job)
        trap.assert_enqueued_job(
            self.backend._shopify_backfill_start_job,
            args=(self.date_from, self.date_to),
            properties={"channel": "root.retail.import"},
        )
        trap.perform_enqueued_jobs()
        [poll] = trap.enqueued_jobs
        self.assertEqual(poll.method_name, "_shopify_backfill_poll_job")
        operation_id, attempt = poll.args
        self.assertEqual(attempt, 1)
        self.assertTrue(poll.eta)
        return operation_id

    def test_backfill_imports_the_orders_of_the_period_through_bulk(self):
        with trap_jobs() as trap:
            operation_id = self._start(trap)
            [run_call] = self.calls_of("BulkOperationRunQuery")
            self.assertIn("created_at:>=", run_call["variables"]["query"])

            # Still running: the check is a new job, later, never a wait.
            trap.perform_enqueued_jobs()
            [again] = trap.enqueued_jobs
            self.assertEqual(again.method_name, "_shopify_backfill_poll_job")
            self.assertEqual(again.args, (operation_id, 2))
            self.assertTrue(again.eta)
            self.assertEqual(
                again.identity_key,
                f"shopify-backfill-poll-{self.backend.id}-{normalize.legacy_id(operation_id)}-2",
            )

            # Completed: the result file is imported in chunks.
            trap.perform_enqueued_jobs()
            imports = trap.enqueued_jobs
            self.assertEqual([job.method_name for job in imports], ["_shopify_backfill_import_job"])
            # The bulk result gives the very orders the regular query gives.
            self.assertEqual(
                sorted((normalize.order_from_graphql(node) for node in imports[0].args[0]), key=lambda o: o["id"]),
                sorted(self.window, key=lambda order: order["id"]),
            )
            trap.perform_enqueued_jobs()

        # Read only through the bulk operation: no order query at all.
        self.assertEqual(self.calls_of("Orders") + self.calls_of("Order"), [])
        logs = self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id), ("entity", "=", "order")])
        self.assertEqual(set(logs.mapped("external_id")), {order["id"] for order in self.window})
        bindings = self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])
        bound = set(bindings.mapped("external_id"))
        self.assertFalse(bound & {order["id"] for order in self.outside})
        # A bad order (unknown SKU) is reported; the others are imported anyway.
        unknown_sku = next(
            order for order in self.window if any(line["sku"] not in self.products_by_sku for line in order["lines"])
        )
        self.assertNotIn(unknown_sku["id"], bound)
        self.assertTrue(
            self.env["retail.exception"].search(
                [("backend_id", "=", self.backend.id), ("external_id", "=", unknown_sku["id"])]
            )
        )
        # Every order went through the order importer once: bound, or reported.
        exceptions = self.env["retail.exception"].search([("backend_id", "=", self.backend.id)])
        for log in logs:
            if log.result == "failed":
                self.assertIn(log.external_id, exceptions.mapped("external_id"))
            else:
                self.assertIn(log.external_id, bound)
        self.assertTrue(bound)
        self.assertIn("orders queued for import", self.backend.message_ids[0].body)

    def test_failed_bulk_operation_opens_an_exception(self):
        with trap_jobs() as trap:
            operation_id = self._start(trap)
            with self.sandbox.lock:
                operation = self.sandbox.state["bulk_operations"][normalize.legacy_id(operation_id)]
                operation.update(status="FAILED", error_code="ACCESS_DENIED")
            trap.perform_enqueued_jobs()
            self.assertEqual(trap.enqueued_jobs, [], "a failed operation is not polled again")
        exception = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", normalize.legacy_id(operation_id))]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.type_code, "import_failed")
        self.assertIn("ACCESS_DENIED", exception.message)
        self.assertFalse(self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)]))

    def test_backfill_needs_an_active_backend(self):
        self.backend.action_pause()
        with self.assertRaises(UserError), trap_jobs() as trap:
            self._wizard().action_start()
        trap.assert_jobs_count(0)

    def test_result_file_is_imported_in_chunks_of_records_per_catch_up_job(self):
        self.backend.catch_up_batch_size = 4
        with trap_jobs() as trap:
            self._start(trap)
            trap.perform_enqueued_jobs()  # still running
            trap.perform_enqueued_jobs()  # completed: the import jobs are queued
            imports = trap.enqueued_jobs
            self.assertEqual([len(job.args[0]) for job in imports], [4, 2])
            trap.perform_enqueued_jobs()
        bindings = self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])
        logs = self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id), ("entity", "=", "order")])
        self.assertEqual(set(logs.mapped("external_id")), {order["id"] for order in self.window})
        reported = self.env["retail.exception"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            set(bindings.mapped("external_id")) | set(reported.mapped("external_id")),
            {order["id"] for order in self.window},
            "every order of the period imported or reported",
        )
        self.assertTrue(bindings)
