# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.lib.savepoint import racing_insert

from .common import RetailCase, customer_payload


class TestInboxProcessing(RetailCase):
    """Inbox events become jobs; jobs import through bindings; failures become exceptions."""

    def setUp(self):
        super().setUp()
        self.bindings = self.env["retail.test.partner.binding"]
        self.logs = self.env["retail.sync.log"]

    def test_event_job_imports_customer_once(self):
        with trap_jobs() as trap:
            event, created = self.receive(customer_payload(), delivery="p-1")
            self.assertTrue(created)
            trap.assert_jobs_count(1, only=event._process_job)
            trap.assert_enqueued_job(
                event._process_job,
                properties={
                    "channel": "root.retail.webhook",
                    "description": "Process webhook partners/update (p-1)",
                    "identity_key": f"retail-webhook-event-{event.id}",
                },
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        binding = self.bindings._lookup(self.backend, "101")
        self.assertEqual(binding.odoo_id.name, "Jane Roe")
        self.assertEqual(binding.odoo_id.email, "jane.roe@example.com")
        self.assertEqual(self.bindings.search_count([("backend_id", "=", self.backend.id)]), 1)
        import_log = self.logs.search([("backend_id", "=", self.backend.id), ("direction", "=", "import")])
        self.assertEqual(import_log.result, "done")
        self.assertEqual(import_log.res_id, binding.odoo_id.id)

    def test_same_payload_in_new_delivery_is_skipped(self):
        with trap_jobs() as trap:
            self.receive(customer_payload(), delivery="p-1")
            self.receive(customer_payload(), delivery="p-2")
            trap.assert_jobs_count(2)
            trap.perform_enqueued_jobs()
        results = self.logs.search(
            [("backend_id", "=", self.backend.id), ("direction", "=", "import")], order="id"
        ).mapped("result")
        self.assertEqual(results, ["done", "skipped"])
        self.assertEqual(self.bindings.search_count([("backend_id", "=", self.backend.id)]), 1)

    def test_changed_payload_updates_record_and_older_one_is_ignored(self):
        with trap_jobs() as trap:
            self.receive(customer_payload(name="Jane Roe"), delivery="p-1")
            self.receive(customer_payload(name="Jane Smith", updated_at="2026-11-21 09:00:00"), delivery="p-2")
            # arrives late: older than what is stored
            self.receive(customer_payload(name="Jane Old", updated_at="2026-11-19 09:00:00"), delivery="p-0")
            trap.perform_enqueued_jobs()
        partner = self.bindings._lookup_record(self.backend, 101)
        self.assertEqual(partner.name, "Jane Smith")

    def test_identity_key_enqueues_one_job_per_event(self):
        event, __ = self.receive(customer_payload(), delivery="p-1")
        with trap_jobs() as trap:
            event._enqueue_processing()
            event._enqueue_processing()
            trap.assert_jobs_count(1)

    def test_failed_event_opens_exception_and_replay_resolves_it(self):
        with trap_jobs() as trap:
            event, __ = self.receive({"name": "Customer without id"}, delivery="f-1")
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "failed")
        exception = event.exception_id
        self.assertEqual(exception.type_code, "webhook_failed")
        self.assertEqual(exception.state, "new")
        self.assertIn("has no id", exception.message)
        self.assertEqual(exception.origin_model, "retail.webhook.event")
        # The same failure again updates the same exception.
        with trap_jobs() as trap:
            event.action_replay()
            trap.perform_enqueued_jobs()
        self.assertEqual(exception.occurrence_count, 2)
        self.assertEqual(self.env["retail.exception"].search_count([("backend_id", "=", self.backend.id)]), 1)
        # The data is corrected at the source; Retry replays the stored event.
        event.sudo().write({"payload": customer_payload(external_id=7)})
        with trap_jobs() as trap:
            exception.action_retry()
            self.assertEqual(exception.state, "in_progress")
            trap.assert_jobs_count(1, only=event._process_job)
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        self.assertEqual(exception.state, "resolved")
        self.assertTrue(self.bindings._lookup(self.backend, "7"))

    def test_channel_refusal_opens_exception_with_its_message(self):
        with trap_jobs() as trap:
            event, __ = self.receive({"message": "Shop closed"}, delivery="f-2", topic="fail/permanent")
            trap.perform_enqueued_jobs()
        self.assertEqual((event.state, event.error_message), ("failed", "Shop closed"))
        self.assertEqual(event.exception_id.severity, "high")

    def test_bad_payload_rolls_back_and_keeps_event(self):
        with trap_jobs() as trap:
            event, __ = self.receive({"name": "No id"}, delivery="bad-1")
            trap.perform_enqueued_jobs()
        # the inner import failed: nothing half-written, a failed run logged, an exception opened
        self.assertFalse(self.bindings.search([("backend_id", "=", self.backend.id)]))
        failed = self.logs.search([("backend_id", "=", self.backend.id), ("result", "=", "failed")])
        self.assertEqual(len(failed), 1)
        self.assertIn("has no id", failed.message)
        self.assertEqual(failed.exception_id.state, "new")
        self.assertTrue(event.exists())

    def test_a_delivery_stored_meanwhile_is_refused_by_the_key_without_error_log(self):
        """Two identical deliveries racing: the loser's INSERT hits the unique key. That is
        expected (the request answers 'duplicate'), so Odoo must not log it as a bad query."""
        event, __ = self.receive(customer_payload(), delivery="race-1")
        events = self.env["retail.webhook.event"].sudo()
        with self.assertNoLogs("odoo.sql_db", level="ERROR"), self.assertRaises(psycopg2.errors.UniqueViolation):
            with racing_insert(self.env.cr):
                events.create(
                    {"backend_id": self.backend.id, "topic": event.topic, "delivery_id": "race-1", "payload_size": 1}
                )
        self.assertEqual(events.search_count([("delivery_id", "=", "race-1")]), 1)
        self.assertEqual(event.state, "queued")
