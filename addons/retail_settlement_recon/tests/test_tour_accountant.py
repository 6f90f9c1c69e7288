# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""In a real browser: an accountant matches a payout line by hand and checks the money in transit."""

import shutil

from odoo.tests import HttpCase, tagged

from .common import SettlementCase

#: the tour types and picks this name (tours are static): the first payment of the STRP journal
TARGET_PAYMENT_NAME = "PSTRP/2026/00001"


@tagged("post_install", "-at_install")
class TestAccountantTour(SettlementCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.new_accountant()

    def setUp(self):
        super().setUp()
        # Odoo skips a tour silently without a browser or websocket-client: here that is a failure
        self.assertTrue(
            any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
            "a headless Chromium is required for the tours (.ci/run installs Debian's package)",
        )
        __import__("websocket")

    def test_accountant_matches_a_line_by_hand_and_sees_money_in_transit(self):
        self.assertFalse(self.accountant.has_group("retail_connector_base.group_retail_connector_manager"))
        # txn_002 (ch_A2, $50 from Bob) was booked as a phone order on Ann: nothing the rules can match
        target = self.pay(50.0, None, "phone order", self.ann, date="2026-03-03")
        self.assertEqual(target.name, TARGET_PAYMENT_NAME)
        charge = self.pay(100.0, "ch_A1", "#1001 sale ch_A1", self.ann)
        refund = self.pay(30.0, "re_A1", "#1001 refund re_A1", self.ann, payment_type="outbound", date="2026-03-05")
        payments = target | charge | refund
        settlement = self.import_file("stripe_payout.csv")
        line = settlement.line_ids.filtered(lambda item: item.source_id == "txn_002")
        self.assertEqual(line.match_state, "unmatched")
        self.assertEqual(settlement.unmatched_count, 1)
        # money in transit: the three payments wait for the payout
        self.assertEqual(self.clearing_balance(payments), 120.0)

        self.start_tour(
            f"/odoo/action-retail_settlement_recon.action_retail_settlement/{settlement.id}",
            "retail_settlement_accountant_manual_match",
            login=self.accountant.login,
        )

        self.assertEqual(line.match_state, "manual")
        self.assertEqual(line.payment_id, target)
        self.assertEqual(settlement.state, "matched")
        settlement.with_user(self.accountant).action_post()
        self.assertEqual(settlement.state, "posted")
        # the payment left the money in transit: its clearing line is settled by the payout
        target_clearing = target.move_id.line_ids.filtered(lambda aml: aml.account_id == self.clearing)
        self.assertEqual(target_clearing.amount_residual, 0.0)
        self.assertTrue(target_clearing.reconciled)
        self.assertEqual(self.clearing_balance(payments), 0.0)
