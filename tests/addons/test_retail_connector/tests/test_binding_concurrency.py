# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading

from odoo import api
from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError

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
