# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from .common import ReturnsCase

START = datetime(2026, 3, 2, 9, 0)


class TestReturnReports(ReturnsCase):
    def test_days_from_request_to_refund(self):
        with freeze_time(START):
            rma = self._new_return()
        self.assertEqual(rma.date_requested, START)
        self.assertEqual(rma.days_to_refund, 0.0, "not refunded yet")
        with freeze_time(START + timedelta(days=2)):
            rma.action_approve()
            rma.action_receive()
            self._inspect(rma, self.grades["restock"])
        with freeze_time(START + timedelta(days=5, hours=12)):
            rma.action_refund()
        self.assertEqual(rma.date_refunded, START + timedelta(days=5, hours=12))
        self.assertAlmostEqual(rma.days_to_refund, 5.5)
        self.assertAlmostEqual(rma.line_ids.days_to_refund, 5.5, msg="shown by reason / product / grade too")

    def test_days_to_refund_is_averaged_in_the_reports(self):
        for days in (2, 4):
            with freeze_time(START):
                rma = self._new_return([(self.gadget_line, 1)])
                rma.action_approve()
                rma.action_receive()
                self._inspect(rma, self.grades["restock"])
            with freeze_time(START + timedelta(days=days)):
                rma.action_refund()
        groups = self.env["retail.return"].read_group(
            [("days_to_refund", ">", 0)], ["days_to_refund:avg"], ["company_id"]
        )
        self.assertAlmostEqual(groups[0]["days_to_refund"], 3.0)
        by_reason = self.env["retail.return.line"].formatted_read_group(
            [("days_to_refund", ">", 0)], ["reason_id"], ["days_to_refund:avg"]
        )
        self.assertAlmostEqual(by_reason[0]["days_to_refund:avg"], 3.0)

    def test_report_views_show_the_days_to_refund(self):
        views = self.env["retail.return"].get_views([(False, "pivot"), (False, "graph")])
        for kind in ("pivot", "graph"):
            self.assertIn('name="days_to_refund"', views["views"][kind]["arch"])
        analysis = self.env["retail.return.line"].get_views([(False, "pivot"), (False, "graph")])
        pivot = analysis["views"]["pivot"]["arch"]
        for name in ("reason_id", "grade_id", "days_to_refund"):
            self.assertIn(f'name="{name}"', pivot)
        self.assertIn('name="product_id"', analysis["views"]["graph"]["arch"])
        action = self.env.ref("retail_returns_sync.action_retail_return")
        self.assertIn("pivot", action.view_mode)
