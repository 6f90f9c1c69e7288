# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import SettlementCase


@tagged("post_install", "-at_install")
class TestMatching(SettlementCase):
    def test_match_by_transaction_id(self):
        charge_1, charge_2, refund = self.stripe_payments()
        settlement = self.import_file("stripe_payout.csv")
        lines = {line.source_id: line for line in settlement.line_ids}
        self.assertEqual(lines["txn_001"].payment_id, charge_1)
        self.assertEqual(lines["txn_001"].match_rule, "transaction_id")
        self.assertEqual(lines["txn_002"].payment_id, charge_2)
        self.assertEqual(lines["txn_003"].payment_id, refund, "refund lines go to outbound payments")
        self.assertEqual(lines["txn_001"].move_line_id.account_id, self.clearing)
        self.assertEqual(settlement.state, "matched")
        self.assertEqual(settlement.unmatched_count, 0)

    def test_match_by_order_reference(self):
        charge_1 = self.pay(100.0, None, "#1001 sale 9988", self.ann)
        charge_2 = self.pay(50.0, "other-ref", "#1002", self.bob)
        refund = self.pay(30.0, None, "#1001 refund 77", self.ann, payment_type="outbound")
        settlement = self.import_file("stripe_payout.csv")
        lines = {line.source_id: line for line in settlement.line_ids}
        self.assertEqual(lines["txn_001"].payment_id, charge_1)
        self.assertEqual(lines["txn_001"].match_rule, "order_reference")
        self.assertEqual(lines["txn_002"].payment_id, charge_2)
        self.assertEqual(lines["txn_003"].payment_id, refund)
        self.assertEqual(settlement.state, "matched")

    def test_match_by_sale_order_client_reference(self):
        order = (
            self.env["sale.order"]
            .sudo()
            .create({"partner_id": self.ann.id, "client_order_ref": "#1001", "company_id": self.company.id})
        )
        charge = self.pay(100.0, None, f"{order.name} sale", self.ann)
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.payment_id, charge)
        self.assertEqual(line.match_rule, "order_reference")

    def test_match_by_amount_date_partner(self):
        charge_1 = self.pay(100.0, None, "web order", self.ann, date="2026-03-01")
        charge_2 = self.pay(50.0, None, "web order", self.bob, date="2026-03-04")
        # same amount, but another customer: does not fit the line's e-mail
        self.pay(50.0, None, "web order", self.ann, date="2026-03-04")
        # right customer and amount, outside the date window
        self.pay(100.0, None, "web order", self.ann, date="2026-02-01")
        settlement = self.import_file("stripe_payout.csv")
        lines = {line.source_id: line for line in settlement.line_ids}
        self.assertEqual(lines["txn_001"].payment_id, charge_1)
        self.assertEqual(lines["txn_001"].match_rule, "amount_date_partner")
        self.assertEqual(lines["txn_002"].payment_id, charge_2)
        self.assertEqual(lines["txn_003"].match_state, "unmatched")
        self.assertEqual(settlement.state, "imported")

    def test_ambiguous_amount_is_not_matched(self):
        self.pay(100.0, None, "a", self.ann, date="2026-03-01")
        self.pay(100.0, None, "b", self.ann, date="2026-03-02")
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.match_state, "unmatched")
        self.assertTrue(self.exceptions("settlement_no_order", line))

    def test_two_currencies(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"name": "2026-01-01", "rate": 0.5, "currency_id": eur.id, "company_id": self.company.id}
        )
        self.provider.code = "paypal"
        payment_1 = self.pay(1200.0, "PP-TX1", "#2001 sale", self.ann, currency=eur)
        payment_2 = self.pay(80.0, "PP-TX2", "#2002 sale", self.bob, currency=eur, date="2026-03-03")
        refund = self.pay(200.0, "PP-R1", "#2001 refund", self.ann, payment_type="outbound", currency=eur)
        usd_lookalike = self.pay(80.0, None, "#2002 usd", self.bob, date="2026-03-03")
        settlement = self.import_file("paypal_activity.csv")
        self.assertEqual(settlement.currency_id, eur)
        lines = {line.source_id: line for line in settlement.line_ids}
        self.assertEqual(lines["PP-TX1"].payment_id, payment_1)
        self.assertEqual(lines["PP-TX2"].payment_id, payment_2)
        self.assertNotEqual(lines["PP-TX2"].payment_id, usd_lookalike)
        self.assertEqual(lines["PP-TX3"].payment_id, refund)
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        self.assertEqual(settlement.state, "posted")
        clearing_lines = (settlement.move_id | (payment_1 | payment_2 | refund).move_id).line_ids.filtered(
            lambda aml: aml.account_id == self.clearing
        )
        self.assertTrue(all(clearing_lines.mapped("reconciled")))
        self.assertAlmostEqual(sum(clearing_lines.mapped("amount_residual_currency")), 0.0)
        bank_line = settlement.move_id.line_ids.filtered(lambda aml: aml.currency_id == eur and aml.debit > 1000)
        self.assertAlmostEqual(bank_line.amount_currency, 1048.08)
        self.assertAlmostEqual(bank_line.balance, 2096.16)

    def test_currency_mismatch_exception(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.pay(100.0, "ch_A1", "#1001 sale", self.ann, currency=eur)
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.match_state, "unmatched")
        exception = self.exceptions("settlement_currency_mismatch", line)
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.category, "finance")

    def test_rerun_matching_after_payment_arrives(self):
        settlement = self.import_file("stripe_payout.csv")
        self.assertEqual(settlement.unmatched_count, 3)
        self.assertEqual(len(self.exceptions("settlement_no_order")), 3)
        self.stripe_payments()
        settlement.action_match()
        self.assertEqual(settlement.unmatched_count, 0)
        self.assertEqual(settlement.state, "matched")
        self.assertFalse(self.exceptions("settlement_no_order").filtered(lambda e: e.state == "new"))

    def test_manual_match_wizard_scores(self):
        self.pay(100.0, None, "unrelated", self.bob, date="2026-01-01")
        target = self.pay(100.0, None, "phone order", self.ann, date="2026-01-15")
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_001")
        self.assertEqual(line.match_state, "unmatched")
        wizard = self.env["retail.settlement.match.wizard"].create({"line_id": line.id})
        self.assertEqual(len(wizard.candidate_ids), 2)
        best = wizard.candidate_ids.sorted("score", reverse=True)[0]
        self.assertEqual(best.payment_id, target, "the customer's e-mail scores higher")
        self.assertIn("amount", best.reasons)
        best.action_choose()
        self.assertEqual(line.match_state, "manual")
        self.assertEqual(line.payment_id, target)
        self.assertEqual(self.exceptions("settlement_no_order", line).state, "resolved")
