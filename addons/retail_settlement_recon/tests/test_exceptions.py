# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.retail_settlement_recon.lib import group_settlements, parse

from .common import FIXTURES, SettlementCase


@tagged("post_install", "-at_install")
class TestFinanceExceptions(SettlementCase):
    def test_unmatched_line_exception(self):
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_002")
        exception = self.exceptions("settlement_no_order", line)
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.category, "finance")
        self.assertIn("#1002", exception.message)
        settlement.action_match()
        self.assertEqual(exception.occurrence_count, 2, "re-running updates the open exception")
        self.assertEqual(len(self.exceptions("settlement_no_order", line)), 1)

    def test_amount_mismatch_and_tolerance_write_off(self):
        self.pay(99.80, "ch_A1", "#1001 sale", self.ann)
        self.pay(50.0, "ch_A2", "#1002 sale", self.bob)
        self.pay(30.0, "re_A1", "#1001 refund", self.ann, payment_type="outbound")
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.match_state, "unmatched")
        exception = self.exceptions("amount_mismatch", line)
        self.assertEqual(len(exception), 1)
        self.assertIn("0.2", exception.message)
        self.assertAlmostEqual(line.amount_difference, 0.20)
        wizard = self.env["retail.settlement.resolve.wizard"].create(
            {
                "line_ids": [(6, 0, line.ids)],
                "action": "write_off",
                "account_id": self.adjustment_account.id,
                "reason": "Rounding at the provider",
            }
        )
        wizard.action_apply()
        self.assertEqual(line.match_state, "written_off")
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        adjustment = settlement.move_id.line_ids.filtered(lambda aml: aml.account_id == self.adjustment_account)
        self.assertAlmostEqual(adjustment.credit, 0.20)
        self.assertEqual(self.clearing_balance(), 0.0)

    def test_write_off_beyond_tolerance_refused(self):
        self.pay(90.0, "ch_A1", "#1001 sale", self.ann)
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertTrue(self.exceptions("amount_mismatch", line))
        with self.assertRaises(UserError):
            line._write_off(self.adjustment_account, "too much")
        self.assertEqual(line.match_state, "unmatched")

    def test_ignore_with_reason(self):
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_002")
        with self.assertRaises(UserError):
            line._ignore("  ")
        wizard = self.env["retail.settlement.resolve.wizard"].create(
            {"line_ids": [(6, 0, line.ids)], "action": "ignore", "reason": "Test charge by the owner"}
        )
        wizard.action_apply()
        self.assertEqual(line.match_state, "ignored")
        self.assertEqual(line.ignore_reason, "Test charge by the owner")
        self.assertEqual(self.exceptions("settlement_no_order", line).state, "resolved")

    def test_duplicate_payment_in_two_payouts(self):
        self.stripe_payments()
        first = self.import_file("stripe_payout.csv")
        self.assertEqual(first.state, "matched")
        rows = parse("stripe", (FIXTURES / "stripe_payout.csv").read_bytes(), settlement_ref="po_T2")
        second = self.env["retail.settlement"]._import_parsed(self.provider, group_settlements(rows))
        second.action_match()
        line = second.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.match_state, "unmatched")
        self.assertEqual(len(self.exceptions("settlement_duplicate", line)), 1)
        self.assertEqual(second.state, "imported")

    def test_payout_missing_cron(self):
        with freeze_time("2026-03-02"):
            payment = self.pay(75.0, "ch_LATE", "#1999 sale", self.ann, date="2026-03-02")
        with freeze_time("2026-03-05"):
            self.env["retail.settlement.provider"]._cron_payout_missing()
            self.assertFalse(self.exceptions("settlement_payout_missing", payment))
        with freeze_time("2026-03-12"):
            self.env["retail.settlement.provider"]._cron_payout_missing()
            exception = self.exceptions("settlement_payout_missing", payment)
            self.assertEqual(len(exception), 1)
            self.assertIn("75", exception.message)
            self.env["retail.settlement.provider"]._cron_payout_missing()
            self.assertEqual(len(self.exceptions("settlement_payout_missing", payment)), 1)
