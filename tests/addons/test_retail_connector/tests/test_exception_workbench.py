# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError

from .common import RetailCase


class TestExceptionWorkbench(RetailCase):
    def setUp(self):
        super().setUp()
        self.exceptions = self.env["retail.exception"]

    def report(self, key="k-1", message="Order 1001: tax 'VAT 21%' is not mapped", **kwargs):
        return self.exceptions._report("mapping_missing", key=key, backend=self.backend, message=message, **kwargs)

    def test_same_open_key_is_updated_not_duplicated(self):
        first = self.report()
        second = self.report(message="Order 1001: tax 'VAT 21%' is still not mapped")
        self.assertEqual(first, second)
        self.assertEqual(first.occurrence_count, 2)
        self.assertIn("still not mapped", first.message)
        self.assertEqual(self.exceptions.search_count([("key", "=", "k-1")]), 1)
        other = self.report(key="k-2")
        self.assertNotEqual(other, first)

    def test_type_gives_severity_category_and_suggested_fix(self):
        exception = self.report()
        self.assertEqual(exception.type_id, self.env.ref("retail_connector_base.exception_type_mapping_missing"))
        self.assertEqual((exception.severity, exception.category), ("medium", "data"))
        self.assertIn("mapping", exception.suggested_fix)
        self.assertTrue(exception.name.startswith("Missing mapping: Order 1001"))

    def test_unknown_type_code_falls_back_to_generic(self):
        exception = self.exceptions._report("no_such_type", key="k-x", backend=self.backend, message="odd")
        self.assertEqual(exception.type_code, "generic")

    def test_resolved_key_opens_a_new_exception_next_time(self):
        first = self.report()
        first.action_resolve()
        self.assertEqual(first.state, "resolved")
        second = self.report()
        self.assertNotEqual(first, second)
        self.assertEqual(second.state, "new")

    def test_ignore_needs_a_reason(self):
        exception = self.report()
        wizard = self.env["retail.exception.ignore.wizard"].create(
            {"exception_ids": [(6, 0, exception.ids)], "reason": " "}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(exception.state, "new")
        action = exception.action_ignore()
        self.assertEqual(action["res_model"], "retail.exception.ignore.wizard")
        wizard = (
            self.env["retail.exception.ignore.wizard"]
            .with_context(**action["context"])
            .create({"reason": "Test order placed by the shop owner"})
        )
        wizard.action_confirm()
        self.assertEqual(exception.state, "ignored")
        self.assertEqual(exception.ignore_reason, "Test order placed by the shop owner")

    def test_closed_exception_cannot_be_retried(self):
        exception = self.report()
        exception.action_resolve()
        with self.assertRaises(UserError):
            exception.action_retry()

    def test_retry_without_anything_to_rerun_says_so(self):
        exception = self.report()
        with self.assertRaises(UserError):
            exception.action_retry()

    def test_retry_requeues_the_failed_job(self):
        job = self.backend.with_delay(channel="root.retail.import")._test_fetch_job("/orders")
        job_record = self.env["queue.job"].search([("uuid", "=", job.uuid)])
        self.assertEqual(job_record.retail_backend_id, self.backend)
        job_record.write({"state": "failed", "exc_info": "HTTP 503", "exc_name": "RetryableJobError"})
        reported = self.exceptions._cron_report_failed_jobs()
        self.assertEqual(len(reported), 1)
        self.assertEqual((reported.type_code, reported.job_uuid), ("job_failed", job.uuid))
        # the cron does not report the same failed job twice
        self.assertFalse(self.exceptions._cron_report_failed_jobs())
        reported.action_retry()
        self.assertEqual(job_record.state, "pending")
        self.assertEqual(reported.state, "in_progress")

    def test_take_assigns_to_me(self):
        exception = self.report().with_user(self.connector_user)
        exception.action_take()
        self.assertEqual((exception.state, exception.user_id), ("in_progress", self.connector_user))

    def test_payload_excerpt_is_masked_and_bounded(self):
        exception = self.report(payload={"email": "jane@example.com", "note": "x" * 5000, "total": "10.00"})
        self.assertNotIn("jane@example.com", exception.payload_excerpt)
        self.assertIn('"total": "10.00"', exception.payload_excerpt)
        self.assertLessEqual(len(exception.payload_excerpt), 2000)

    def test_age_buckets_follow_time(self):
        with freeze_time("2026-11-01 08:00:00"):
            exception = self.report()
        self.assertEqual(exception.age_bucket, "0_1")
        with freeze_time("2026-11-10 08:00:00"):
            self.exceptions._cron_refresh_age()
            self.assertEqual(exception.age_bucket, "7_30")
            self.assertEqual(exception.age_days, 9)
        with freeze_time(datetime(2026, 12, 15)):
            self.exceptions._cron_refresh_age()
            self.assertEqual(exception.age_bucket, "30_plus")

    def test_backend_dashboard_counts_open_exceptions_and_failed_jobs(self):
        self.report(key="a")
        self.report(key="b").action_resolve()
        self.report(key="c")
        job = self.backend.with_delay()._test_fetch_job("/orders")
        self.env["queue.job"].search([("uuid", "=", job.uuid)]).write({"state": "failed"})
        self.backend.with_delay()._test_fetch_job("/shop")
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.open_exception_count, 2)
        self.assertEqual(self.backend.failed_job_count, 1)
        self.assertEqual(self.backend.pending_job_count, 1)
