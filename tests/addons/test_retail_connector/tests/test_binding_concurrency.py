# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading

from odoo import SUPERUSER_ID, api
from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.models.retail_webhook_event import inbox_job_key

from .common import customer_payload, make_backend


class TestConcurrentImport(TransactionCase):
    """Two jobs importing the same external id from two real cursors create one record."""

    def _env(self, cr):
        return api.Environment(cr, self.env.uid, {})

    def test_two_cursors_create_one_record(self):
        with self.registry.cursor() as cr:
            backend_id = make_backend(self._env(cr), name="Concurrency Shop").id
        self.addCleanup(self._cleanup, backend_id)

        first_holds_lock = threading.Event()
        second_done = threading.Event()
        outcomes = {}

        def first_job():
            with self.registry.cursor() as cr:
                env = self._env(cr)
                backend = env["retail.backend"].browse(backend_id)
                outcomes["first"] = env["retail.test.partner.binding"]._import_partner(backend, customer_payload(555))
                first_holds_lock.set()
                second_done.wait(10)
            # commit happens when the cursor context exits

        def second_job():
            first_holds_lock.wait(10)
            with self.registry.cursor() as cr:
                env = self._env(cr)
                backend = env["retail.backend"].browse(backend_id)
                try:
                    env["retail.test.partner.binding"]._import_partner(backend, customer_payload(555))
                    outcomes["second"] = "imported"
                except RetryableJobError:
                    outcomes["second"] = "retry"
                    cr.rollback()
            second_done.set()

        threads = [threading.Thread(target=first_job), threading.Thread(target=second_job)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        self.assertEqual(outcomes, {"first": "done", "second": "retry"})

        # queue_job retries the second job: it now sees the first job's binding.
        with self.registry.cursor() as cr:
            env = self._env(cr)
            backend = env["retail.backend"].browse(backend_id)
            retried = env["retail.test.partner.binding"]._import_partner(backend, customer_payload(555))
            bindings = env["retail.test.partner.binding"].search([("backend_id", "=", backend_id)])
            partners = env["res.partner"].search(
                [("email", "=", "jane.roe@example.com"), ("id", "in", bindings.odoo_id.ids)]
            )
            self.assertEqual(retried, "skipped")
            self.assertEqual(len(bindings), 1)
            self.assertEqual(len(partners), 1)

    def _cleanup(self, backend_id):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            bindings = env["retail.test.partner.binding"].search([("backend_id", "=", backend_id)])
            partners = bindings.odoo_id
            bindings.unlink()
            partners.unlink()
            env["retail.backend"].browse(backend_id).unlink()


def _keep_from_the_job_runner(cr, uuid):
    """Where the test run's HTTP server starts queue_job's real runner (scripts/test.sh
    disables it), it would enqueue a committed pending job at any moment; one due
    later stays pending."""
    cr.execute("UPDATE queue_job SET eta = now() at time zone 'UTC' + interval '1 hour' WHERE uuid = %s", (uuid,))


class TestInboxJobEnqueuedMeanwhile(TransactionCase):
    """A delivery whose transaction began before the runner enqueued the backend's
    pending inbox job must not count on that job: it may already be past the point
    of seeing the new event. The delivery queues an inbox job of its own."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_delivery_queues_its_own_inbox_job_when_the_pending_one_was_enqueued_meanwhile(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            backend = make_backend(env, name="Inbox Race Shop")
            backend_id = backend.id
            pending_uuid = env["retail.webhook.event"]._delay_inbox_job(backend).uuid
            _keep_from_the_job_runner(cr, pending_uuid)
        self.addCleanup(self._cleanup, backend_id)
        key = inbox_job_key(backend_id)

        with self.registry.cursor() as delivery_cr:
            delivery_cr.execute("SELECT 1")  # the delivery's snapshot: the inbox job is pending in it
            # Meanwhile the job runner enqueues that job and commits.
            with self.registry.cursor() as runner_cr:
                runner_cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", (pending_uuid,))
            env = self._env(delivery_cr)
            backend = env["retail.backend"].browse(backend_id)
            job = env["retail.webhook.event"]._ensure_inbox_job(backend)
            self.assertTrue(job, "the enqueued job may not see this delivery's event: a new one is queued")
            self.assertNotEqual(job.uuid, pending_uuid)
            new_uuid = job.uuid

        # (the real runner may have started the new job since: its state is not asserted)
        with self.registry.cursor() as cr:
            cr.execute("SELECT uuid FROM queue_job WHERE identity_key = %s", (key,))
            self.assertEqual({row[0] for row in cr.fetchall()}, {pending_uuid, new_uuid})

    def test_delivery_relies_on_a_pending_inbox_job(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            backend_id = make_backend(env, name="Inbox Pending Shop").id
            job = env["retail.webhook.event"]._delay_inbox_job(env["retail.backend"].browse(backend_id))
            _keep_from_the_job_runner(cr, job.uuid)
        self.addCleanup(self._cleanup, backend_id)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self.assertFalse(env["retail.webhook.event"]._ensure_inbox_job(env["retail.backend"].browse(backend_id)))
            cr.execute("SELECT count(*) FROM queue_job WHERE identity_key = %s", (inbox_job_key(backend_id),))
            self.assertEqual(cr.fetchone()[0], 1)

    def _cleanup(self, backend_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM queue_job WHERE identity_key = %s", (inbox_job_key(backend_id),))
            self._env(cr)["retail.backend"].browse(backend_id).unlink()
