# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from .common import RetailCase


class TestSyncLog(RetailCase):
    def setUp(self):
        super().setUp()
        self.logs = self.env["retail.sync.log"]

    def log(self, **values):
        return self.logs.create(
            {"backend_id": self.backend.id, "direction": "import", "entity": "orders", "result": "done", **values}
        )

    def test_messages_are_masked(self):
        log = self.log(
            message="Customer jane.roe@example.com, +1 (613) 555-0199, ships to 42 Wallaby Way, total 1234.50"
        )
        self.assertNotIn("jane.roe@example.com", log.message)
        self.assertNotIn("555-0199", log.message)
        self.assertNotIn("42 Wallaby Way", log.message)
        self.assertIn("j***@e***.com", log.message)
        self.assertIn("1234.50", log.message)
        log.write({"message": "retry for bob@shop.test"})
        self.assertEqual(log.message, "retry for b***@s***.test")

    def test_retention_removes_only_old_rows(self):
        self.env["ir.config_parameter"].sudo().set_param("retail_connector_base.sync_log_retention_days", "30")
        with freeze_time("2026-09-01 10:00:00"):
            old = self.log(external_id="old")
        with freeze_time("2026-10-20 10:00:00"):
            recent = self.log(external_id="recent")
        with freeze_time("2026-10-25 10:00:00"):
            removed = self.logs._gc_old_logs()
        self.assertEqual(removed, 1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_processed_webhook_events_are_purged_after_retention(self):
        with freeze_time("2026-07-01 10:00:00"):
            old_done, __ = self.receive({"id": 1}, delivery="old-done")
            old_failed, __ = self.receive({"id": 2}, delivery="old-failed")
        with freeze_time("2026-11-01 10:00:00"):
            recent_done, __ = self.receive({"id": 3}, delivery="recent-done")
        (old_done | recent_done).write({"state": "done"})
        old_failed.write({"state": "failed"})
        with freeze_time("2026-11-22 10:00:00"):
            removed = self.env["retail.webhook.event"]._gc_old_events()
        self.assertEqual(removed, 1)
        self.assertFalse(old_done.exists())
        self.assertTrue(old_failed.exists(), "failed events stay until someone handles them")
        self.assertTrue(recent_done.exists())

    def test_lag_percentiles_on_dashboard(self):
        now = datetime(2026, 11, 22, 12, 0, 0)
        with freeze_time(now):
            # lags of 10, 20, ..., 100 seconds in the last 24 h
            for seconds in range(10, 101, 10):
                self.log(external_updated_at=now - timedelta(seconds=seconds), lag_seconds=seconds)
        with freeze_time(now - timedelta(days=3)):
            self.log(external_updated_at=now - timedelta(days=4), lag_seconds=86400)  # too old to count
        with freeze_time(now + timedelta(minutes=5)):
            self.backend.invalidate_recordset()
            self.assertAlmostEqual(self.backend.sync_lag_p50, 55.0)
            self.assertAlmostEqual(self.backend.sync_lag_p95, 95.5)

    def test_tracked_run_records_duration_lag_and_record(self):
        partner = self.env["res.partner"].create({"name": "Tracked"})
        with freeze_time("2026-11-22 12:00:30"):
            with self.logs._track(self.backend, "import", "customer", external_id="c-9", correlation_id="evt-1") as run:
                run.record = partner
                run.external_updated_at = datetime(2026, 11, 22, 12, 0, 0)
        log = self.logs.search([("external_id", "=", "c-9")])
        self.assertEqual((log.result, log.res_model, log.res_id), ("done", "res.partner", partner.id))
        self.assertEqual(log.correlation_id, "evt-1")
        self.assertEqual(log.lag_seconds, 30.0)
        self.assertGreaterEqual(log.duration_ms, 0)

    def test_watermark_never_moves_backwards(self):
        mark = self.backend._get_watermark("orders")
        mark._advance(datetime(2026, 11, 20, 10, 0))
        mark._advance(datetime(2026, 11, 19, 10, 0))
        self.assertEqual(mark.last_external_updated_at, datetime(2026, 11, 20, 10, 0))
        self.assertEqual(self.backend._get_watermark("orders"), mark)
        self.backend.invalidate_recordset()
        self.assertIn("orders:", self.backend.last_sync_summary)

    def test_failed_run_rolls_back_and_links_no_ghost_record(self):
        with self.logs._track(self.backend, "import", "customer", external_id="c-ghost") as run:
            run.record = self.env["res.partner"].create({"name": "Half Written"})
            raise ValueError("price is not a number")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Half Written")]))
        log = self.logs.search([("external_id", "=", "c-ghost")])
        self.assertEqual((log.result, log.res_id), ("failed", 0))
        self.assertEqual(log.exception_id.type_code, "import_failed")
        self.assertFalse(log.exception_id.res_id)
        self.assertEqual(log.exception_id.message, "price is not a number")
