# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.queue_job.exception import RetryableJobError

from .common import ChannelApiCase


class TestRetryPolicyInJobs(ChannelApiCase):
    """A job reading a real local HTTP API: what each remote outcome does to the job."""

    def failed_logs(self):
        return self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id), ("result", "=", "failed")])

    def test_success_is_logged_done(self):
        self.assertEqual(self.backend._test_fetch_job("/orders"), "done")
        log = self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual((log.result, log.message), ("done", "read 2 keys"))

    def test_429_retry_after_becomes_retryable_with_its_delay(self):
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._test_fetch_job("/throttled")
        self.assertEqual(caught.exception.seconds, 7)
        self.assertTrue(caught.exception.ignore_retry, "throttling must not use up the job's retries")
        self.assertFalse(self.env["retail.exception"].search([("backend_id", "=", self.backend.id)]))

    def test_5xx_becomes_retryable(self):
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._test_fetch_job("/boom")
        self.assertEqual(caught.exception.seconds, 30)
        self.assertFalse(caught.exception.ignore_retry)

    def test_connection_error_becomes_retryable(self):
        # a port nobody listens on: the connection is refused
        self.backend.test_api_url = "http://127.0.0.1:9"
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._test_fetch_job("/orders")
        self.assertIn("ConnectionError", str(caught.exception))
        self.assertEqual(caught.exception.seconds, 30)

    def test_permanent_4xx_becomes_exception_record(self):
        self.assertEqual(self.backend._test_fetch_job("/missing"), "failed")
        self.assertEqual(len(self.failed_logs()), 1)
        exception = self.env["retail.exception"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(exception.type_code, "import_failed")
        self.assertIn("HTTP 404", exception.message)
        # a second failure of the same run updates the same exception
        self.backend._test_fetch_job("/missing")
        self.assertEqual(exception.occurrence_count, 2)
        self.assertEqual(self.env["retail.exception"].search_count([("backend_id", "=", self.backend.id)]), 1)

    def test_test_connection_reports_shop_name(self):
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Test Shop", action["params"]["message"])
