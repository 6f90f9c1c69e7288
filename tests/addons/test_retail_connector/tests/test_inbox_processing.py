# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2
from freezegun import freeze_time

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.lib.savepoint import racing_insert
from odoo.addons.retail_connector_base.tests.common import perform_jobs

from .common import RetailCase, customer_payload


class TestInboxProcessing(RetailCase):
    """Inbox events become jobs; jobs import through bindings; failures become exceptions."""

    def setUp(self):
        super().setUp()
        self.events = self.env["retail.webhook.event"]
        self.bindings = self.env["retail.test.partner.binding"]
        self.logs = self.env["retail.sync.log"]

    def test_event_job_imports_customer_once(self):
        with trap_jobs() as trap:
            event, created = self.receive(customer_payload(), delivery="p-1")
            self.assertTrue(created)
            self.assertEqual((event.state, event.job_uuid), ("queued", False))
            trap.assert_jobs_count(1, only=self.events._dispatch_inbox_job)
            trap.assert_enqueued_job(
                self.events._dispatch_inbox_job,
                args=(self.backend,),
                properties={
                    "channel": "root.retail.webhook",
                    "description": f"Dispatch the webhook inbox of {self.backend.name}",
                },
            )
            trap.perform_enqueued_jobs()
            trap.assert_jobs_count(1, only=event._process_job)
            trap.assert_enqueued_job(
                event._process_job,
                properties={
                    "channel": "root.retail.webhook",
                    "description": "Process webhook partners/update (p-1)",
                    "identity_key": f"retail-webhook-event-{event.id}",
                },
            )
            self.assertEqual(event.job_uuid, trap.enqueued_jobs[0].uuid)
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        binding = self.bindings._lookup(self.backend, "101")
        self.assertEqual(binding.odoo_id.name, "Jane Roe")
        self.assertEqual(binding.odoo_id.email, "jane.roe@example.com")
        self.assertEqual(self.bindings.search_count([("backend_id", "=", self.backend.id)]), 1)
        import_log = self.logs.search([("backend_id", "=", self.backend.id), ("direction", "=", "import")])
        self.assertEqual(import_log.result, "done")
        self.assertEqual(import_log.res_id, binding.odoo_id.id)

    def _inbox_jobs(self, states=("pending",)):
        return self.env["queue.job"].search(
            [("identity_key", "=", f"retail-webhook-inbox-{self.backend.id}"), ("state", "in", list(states))]
        )

    def _run(self, job_records):
        """Run stored jobs the way the runner does (each with its uuid in the context)."""
        for uuid in job_records.mapped("uuid"):
            job = Job.load(self.env, uuid)
            job.set_started()
            job.perform()
            job.set_done()
            job.store()

    def test_a_burst_of_deliveries_shares_one_inbox_job_and_each_event_gets_its_job(self):
        deliveries = [
            customer_payload(name="Jane Roe"),
            customer_payload(external_id=102, name="John Doe", email="john@example.com"),
            customer_payload(name="Jane Smith", updated_at="2026-11-21 09:00:00"),
        ]
        events = self.events
        for index, payload in enumerate(deliveries):
            events |= self.receive(payload, delivery=f"burst-{index}")[0]
        inbox_job = self._inbox_jobs()
        self.assertEqual(len(inbox_job), 1, "one pending inbox job, however many deliveries")
        self.assertEqual(inbox_job.retail_backend_id, self.backend)
        self.assertEqual(set(events.mapped("state")), {"queued"})
        self._run(inbox_job)
        self.assertIn("3 events queued", inbox_job.result)
        event_jobs = self.env["queue.job"].search([("uuid", "in", events.mapped("job_uuid"))], order="id")
        self.assertEqual(len(event_jobs), 3)
        self.assertEqual(set(event_jobs.mapped("retail_backend_id").ids), {self.backend.id})
        self.assertEqual(event_jobs.mapped("identity_key"), [f"retail-webhook-event-{e.id}" for e in events])
        self._run(event_jobs)
        self.assertEqual(events.mapped("state"), ["done"] * 3)
        self.assertEqual(self.bindings._lookup_record(self.backend, 101).name, "Jane Smith")
        self.assertEqual(self.bindings._lookup_record(self.backend, 102).name, "John Doe")
        self.assertFalse(self._inbox_jobs())

    def test_a_delivery_after_the_inbox_job_was_enqueued_gets_an_inbox_job_of_its_own(self):
        first, __ = self.receive(customer_payload(), delivery="late-1")
        running = self._inbox_jobs()
        # the runner took that job: it may have begun before the next event was committed
        self.env.cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", [running.uuid])
        running.invalidate_recordset(["state"])
        second, __ = self.receive(customer_payload(external_id=102, email="b@example.com"), delivery="late-2")
        self.assertEqual(len(self._inbox_jobs()), 1)
        self.assertEqual(len(self._inbox_jobs(("pending", "enqueued"))), 2)
        self._run(self._inbox_jobs())
        self.assertTrue(first.job_uuid and second.job_uuid, "the newer inbox job queues both")
        self._run(self.env["queue.job"].search([("uuid", "in", (first | second).mapped("job_uuid"))]))
        self.assertEqual((first | second).mapped("state"), ["done", "done"])
        self._run(running)
        self.assertIn("0 events queued", running.result, "nothing is queued twice")

    def test_events_left_waiting_are_picked_up_by_the_cron(self):
        with freeze_time("2026-11-22 10:00:00"):
            event, __ = self.receive(customer_payload(), delivery="w-1")
        self._inbox_jobs().unlink()  # an admin deleted the job
        with freeze_time("2026-11-22 10:02:00"):
            self.assertEqual(self.events._cron_process_waiting(), 0, "too recent: its job may still come")
        with freeze_time("2026-11-22 10:10:00"):
            self.assertEqual(self.events._cron_process_waiting(), 1)
            self.assertEqual(self.events._cron_process_waiting(), 0, "a pending inbox job exists now")
        self._run(self._inbox_jobs())
        self._run(self.env["queue.job"].search([("uuid", "=", event.job_uuid)]))
        self.assertEqual(event.state, "done")

    def test_same_payload_in_new_delivery_is_skipped(self):
        with trap_jobs() as trap:
            self.receive(customer_payload(), delivery="p-1")
            self.receive(customer_payload(), delivery="p-2")
            trap.assert_jobs_count(2)
            perform_jobs(trap)
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
            perform_jobs(trap)
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
            perform_jobs(trap)
        self.assertEqual(event.state, "failed")
        exception = event.exception_id
        self.assertEqual(exception.type_code, "webhook_failed")
        self.assertEqual(exception.state, "new")
        self.assertIn("has no id", exception.message)
        self.assertEqual(exception.origin_model, "retail.webhook.event")
        # The same failure again updates the same exception.
        with trap_jobs() as trap:
            event.action_replay()
            perform_jobs(trap)
        self.assertEqual(exception.occurrence_count, 2)
        self.assertEqual(self.env["retail.exception"].search_count([("backend_id", "=", self.backend.id)]), 1)
        # The data is corrected at the source; Retry replays the stored event.
        event.sudo().write({"payload": customer_payload(external_id=7)})
        with trap_jobs() as trap:
            exception.action_retry()
            self.assertEqual(exception.state, "in_progress")
            trap.assert_jobs_count(1, only=event._process_job)
            perform_jobs(trap)
        self.assertEqual(event.state, "done")
        self.assertEqual(exception.state, "resolved")
        self.assertTrue(self.bindings._lookup(self.backend, "7"))

    def test_channel_refusal_opens_exception_with_its_message(self):
        with trap_jobs() as trap:
            event, __ = self.receive({"message": "Shop closed"}, delivery="f-2", topic="fail/permanent")
            perform_jobs(trap)
        self.assertEqual((event.state, event.error_message), ("failed", "Shop closed"))
        self.assertEqual(event.exception_id.severity, "high")

    def test_bad_payload_rolls_back_and_keeps_event(self):
        with trap_jobs() as trap:
            event, __ = self.receive({"name": "No id"}, delivery="bad-1")
            perform_jobs(trap)
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
