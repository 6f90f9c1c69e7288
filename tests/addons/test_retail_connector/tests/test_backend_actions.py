# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import RetailCase, customer_payload


class TestBackendActions(RetailCase):
    def test_pause_holds_events_and_resume_processes_them(self):
        self.backend.action_pause()
        self.assertEqual(self.backend.state, "paused")
        with trap_jobs() as trap:
            first, __ = self.receive(customer_payload(1), delivery="h-1")
            second, __ = self.receive(customer_payload(2), delivery="h-2")
            trap.assert_jobs_count(0)
            with self.assertRaises(UserError):
                first.action_replay()
            self.backend.action_resume()
            trap.assert_jobs_count(2)
            trap.perform_enqueued_jobs()
        self.assertEqual((first.state, second.state), ("done", "done"))
        self.assertEqual(
            self.env["retail.test.partner.binding"].search_count([("backend_id", "=", self.backend.id)]), 2
        )

    def test_job_started_while_paused_leaves_event_waiting(self):
        with trap_jobs() as trap:
            event, __ = self.receive(customer_payload(3), delivery="h-3")
            self.backend.action_pause()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "received")
        self.assertFalse(self.env["retail.test.partner.binding"].search([("backend_id", "=", self.backend.id)]))

    def test_channel_without_test_connection_says_so(self):
        backend = self.backend.copy({"name": "Copy"})
        self.assertEqual(backend.state, "draft")
        backend.action_activate()
        self.assertEqual(backend.state, "active")
        # copies never carry secrets
        self.assertFalse(backend.webhook_secret)
        backend.test_api_url = False
        with self.assertRaises(Exception):  # noqa: B017 - no URL: requests refuses it
            backend.action_test_connection()
