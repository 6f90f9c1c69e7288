# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ChannelApiCase, FakeChannelHandler, make_backend


class TestCatchUpAndExport(ChannelApiCase):
    """The scheduled catch-up and the debounced export, against a local HTTP API."""

    def test_cron_enqueues_one_catch_up_per_active_backend(self):
        paused = make_backend(self.env, name="Paused Shop", state="paused")
        with trap_jobs() as trap:
            self.env["retail.backend"]._cron_catch_up()
            self.env["retail.backend"]._cron_catch_up()
            jobs = [job for job in trap.enqueued_jobs if job.method_name == "_catch_up_job"]
            self.assertIn(self.backend.ids, [job.recordset.ids for job in jobs])
            self.assertNotIn(paused.ids, [job.recordset.ids for job in jobs])
            own = [job for job in jobs if job.recordset == self.backend]
            self.assertEqual(len(own), 1, "the identity key keeps one pending catch-up per backend")
            self.assertEqual(own[0].channel, "root.retail.import")

    def test_catch_up_imports_and_advances_watermark_with_overlap(self):
        self.assertEqual(self.backend._catch_up_job(), "caught up: customers")
        bindings = self.env["retail.test.partner.binding"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(bindings.odoo_id.mapped("name")), ["Ann Lee", "Bo Chen", "Cy Diaz"])
        mark = self.backend._get_watermark("customers")
        self.assertEqual(mark.last_external_updated_at, datetime(2026, 11, 22, 7, 45, 0))
        # next run asks from the watermark minus the 10 minutes overlap; unchanged records are skipped
        self.backend._catch_up_job()
        self.assertEqual(FakeChannelHandler.requests_seen[-1][1], "/customers?updated_at_min=2026-11-22+07%3A35%3A00")
        results = (
            self.env["retail.sync.log"]
            .search([("backend_id", "=", self.backend.id), ("entity", "=", "customer")], order="id")
            .mapped("result")
        )
        self.assertEqual(results, ["done", "done", "done", "skipped"])

    def test_exports_are_debounced_into_one_job(self):
        with freeze_time("2026-11-22 10:00:00"), trap_jobs() as trap:
            self.backend._schedule_export("stock")
            self.backend._schedule_export("stock")
            self.backend._schedule_export("stock")
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(
                (job.method_name, job.args, job.channel), ("_export_job", ("stock",), "root.retail.export")
            )
            self.assertEqual(job.eta, datetime(2026, 11, 22, 10, 1, 0))

    def test_export_job_sends_and_logs(self):
        self.backend._catch_up_job()
        self.assertEqual(self.backend._export_job("customers"), "done")
        method, path, body = FakeChannelHandler.requests_seen[-1]
        self.assertEqual((method, path, len(body["items"])), ("POST", "/export", 3))
        log = self.env["retail.sync.log"].search([("backend_id", "=", self.backend.id), ("direction", "=", "export")])
        self.assertEqual((log.result, log.message), ("done", "sent 3 customers"))

    def test_paused_backend_does_not_export(self):
        self.backend.action_pause()
        with trap_jobs() as trap:
            self.backend._schedule_export("stock")
            trap.assert_jobs_count(0)
