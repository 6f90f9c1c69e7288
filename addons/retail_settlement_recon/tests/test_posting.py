# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.retail_settlement_recon.lib import group_settlements, parse

from .common import SettlementCase

DISPUTE_WON = (
    "Transaction Date,Type,Order,Payout ID,Amount,Fee,Net,Currency,Transaction ID\n"
    "2026-03-25,dispute_won,#4999,SP-78,40.00,0.00,40.00,USD,SPT-9\n"
    "2026-03-26,payout,,SP-78,-40.00,0.00,-40.00,USD,SPT-10\n"
)


@tagged("post_install", "-at_install")
class TestPosting(SettlementCase):
    def _posted(self):
        payments = self.stripe_payments()
        settlement = self.import_file("stripe_payout.csv")
        settlement.action_post()
        return settlement, payments

    def test_post_creates_one_balanced_entry(self):
        settlement, _payments = self._posted()
        move = settlement.move_id
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(move.state, "posted")
        self.assertEqual(len(move), 1)
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        fee = move.line_ids.filtered(lambda aml: aml.account_id == self.fee_account)
        self.assertAlmostEqual(fee.debit, 4.95)
        bank = move.line_ids.filtered(lambda aml: aml.account_id == self.provider._bank_outstanding_account())
        self.assertAlmostEqual(bank.debit, 115.05)
        clearing = move.line_ids.filtered(lambda aml: aml.account_id == self.clearing)
        self.assertAlmostEqual(sum(clearing.mapped("credit")), 150.0)
        self.assertAlmostEqual(sum(clearing.mapped("debit")), 30.0)

    def test_clearing_reconciled_and_zero(self):
        settlement, payments = self._posted()
        lines = (settlement.move_id | payments[0].move_id | payments[1].move_id | payments[2].move_id).line_ids
        clearing = lines.filtered(lambda aml: aml.account_id == self.clearing)
        self.assertEqual(len(clearing), 6)
        self.assertTrue(all(clearing.mapped("reconciled")))
        self.assertEqual(self.clearing_balance(), 0.0)

    def test_bank_statement_line_matched_and_reconciled(self):
        payments = self.stripe_payments()
        st_line = self.statement_line(115.05, "STRIPE PAYOUT po_T1")
        self.statement_line(115.05, "another deposit", date="2026-04-30")
        settlement = self.import_file("stripe_payout.csv")
        settlement.action_post()
        self.assertEqual(settlement.state, "reconciled")
        self.assertEqual(settlement.statement_line_id, st_line)
        self.assertTrue(st_line.is_reconciled)
        bank = settlement.move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.provider._bank_outstanding_account()
        )
        self.assertTrue(bank.reconciled)
        every = (settlement.move_id | payments[0].move_id).line_ids.filtered(
            lambda aml: aml.account_id.reconcile and aml.account_id.account_type != "asset_receivable"
        )
        self.assertTrue(all(every.mapped("reconciled")))

    def test_bank_deposit_later_then_match(self):
        settlement, _payments = self._posted()
        self.assertEqual(settlement.state, "posted")
        st_line = self.statement_line(115.05, "Transfer from Stripe", date="2026-03-12")
        settlement.action_match_bank()
        self.assertEqual(settlement.state, "reconciled")
        self.assertTrue(st_line.is_reconciled)

    def test_bank_deposit_differs_exception(self):
        self.statement_line(115.00, "STRIPE PAYOUT po_T1")
        settlement, _payments = self._posted()
        self.assertEqual(settlement.state, "posted")
        exception = self.exceptions("settlement_bank_mismatch", settlement)
        self.assertEqual(len(exception), 1)
        self.assertIn("-0.05", exception.message)

    def test_partial_refund(self):
        charge = self.pay(100.0, "ch_A1", "#1001 sale", self.ann)
        self.pay(50.0, "ch_A2", "#1002 sale", self.bob)
        refund = self.pay(30.0, "re_A1", "#1001 refund", self.ann, payment_type="outbound")
        settlement = self.import_file("stripe_payout.csv")
        settlement.action_post()
        self.assertTrue(refund.move_id.line_ids.filtered(lambda aml: aml.account_id == self.clearing).reconciled)
        self.assertTrue(charge.move_id.line_ids.filtered(lambda aml: aml.account_id == self.clearing).reconciled)
        self.assertEqual(self.clearing_balance(), 0.0)

    def test_non_balancing_settlement_is_not_posted(self):
        self.stripe_payments()
        settlement = self.import_file("stripe_payout.csv")
        payout = settlement.line_ids.filtered(lambda line: line.type == "payout")
        payout.write({"net": -115.00, "gross": -115.00})
        moves_before = self.env["account.move"].search_count([])
        settlement.action_post()
        self.assertEqual(settlement.state, "matched")
        self.assertFalse(settlement.move_id)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        exception = self.exceptions("settlement_unbalanced", settlement)
        self.assertEqual(len(exception), 1)
        self.assertIn("0.05", exception.message)

    def test_cannot_post_unmatched(self):
        settlement = self.import_file("stripe_payout.csv")
        with self.assertRaises(UserError):
            settlement.action_post()
        self.assertFalse(settlement.move_id)

    def test_dispute_lost(self):
        self.provider.code = "shopify_payments"
        self.pay(120.0, None, "#5001 sale SPT", self.ann)
        settlement = self.import_file("shopify_payments.csv")
        settlement.action_post()
        lost = DISPUTE_WON.replace("dispute_won,#4999,SP-78,40.00,0.00,40.00", "chargeback,#4999,SP-79,0.00,0.00,0.00")
        lost = lost.replace("SP-78", "SP-79").replace("-40.00,0.00,-40.00", "0.00,0.00,0.00")
        lost = lost.replace("Transaction ID\n", "Transaction ID,Dispute Status\n").replace("SPT-9\n", "SPT-9,lost\n")
        lost = lost.replace("SPT-10\n", "SPT-10,\n")
        self.env["retail.settlement"]._import_parsed(self.provider, group_settlements(parse("shopify_payments", lost)))
        dispute = self.exceptions("settlement_dispute_open")
        self.assertEqual(dispute.state, "resolved")
        self.assertIn("lost", dispute.resolution_note)
        balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.chargeback_account.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        self.assertAlmostEqual(balance, 40.0, msg="a lost dispute stays a loss")

    def test_dispute_won(self):
        self.provider.code = "shopify_payments"
        self.pay(120.0, None, "#5001 sale SPT", self.ann)
        settlement = self.import_file("shopify_payments.csv")
        dispute = self.exceptions("settlement_dispute_open")
        self.assertEqual(len(dispute), 1)
        self.assertIn("2026-03-20", dispute.message)
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        chargeback = settlement.move_id.line_ids.filtered(lambda aml: aml.account_id == self.chargeback_account)
        self.assertAlmostEqual(chargeback.debit, 40.0)
        fee = settlement.move_id.line_ids.filtered(lambda aml: aml.account_id == self.fee_account)
        self.assertAlmostEqual(fee.debit, 18.78)
        # won: the next payout gives the money back, the dispute closes, chargebacks net to zero
        won = self.env["retail.settlement"]._import_parsed(
            self.provider, group_settlements(parse("shopify_payments", DISPUTE_WON))
        )
        self.assertEqual(dispute.state, "resolved")
        won.action_match()
        won.action_post()
        balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.chargeback_account.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        self.assertAlmostEqual(balance, 0.0)
