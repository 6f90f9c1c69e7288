# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FIXTURES, SettlementCase


@tagged("post_install", "-at_install")
class TestAccess(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.accountant = cls.new_accountant()
        cls.connector_manager = new_test_user(
            cls.env,
            login="settle_connector",
            groups="retail_connector_base.group_retail_connector_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        cls.employee = new_test_user(
            cls.env,
            login="settle_employee",
            groups="base.group_user",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )

    def test_accountant_imports_matches_and_posts(self):
        self.stripe_payments()
        settlement = self.import_file("stripe_payout.csv")
        settlement = settlement.with_user(self.accountant)
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(self.clearing_balance(), 0.0)
        self.assertFalse(self.accountant.has_group("retail_connector_base.group_retail_connector_manager"))

    def test_accountant_workbench_without_connector_rights(self):
        """Import wizard, re-run matching, manual match, write-off, ignore and the
        money-in-transit report, all as an accountant who is no connector manager."""
        self.assertFalse(self.accountant.has_group("retail_connector_base.group_retail_connector_manager"))
        self.pay(99.80, "ch_A1", "#1001 sale", self.ann)  # txn_001: amount mismatch, written off
        target = self.pay(50.0, None, "phone order", self.ann, date="2026-03-03")  # txn_002: matched manually
        env = self.env(user=self.accountant)
        wizard = env["retail.settlement.import.wizard"].create(
            {
                "provider_id": self.provider.id,
                "data_file": base64.b64encode((FIXTURES / "stripe_payout.csv").read_bytes()),
                "file_name": "stripe_payout.csv",
            }
        )
        action = wizard.action_import()
        settlement = env["retail.settlement"].search(action["domain"])
        self.assertEqual(settlement.external_id, "po_T1")
        self.assertEqual(settlement.env.user, self.accountant)
        self.assertEqual(settlement.unmatched_count, 3)
        settlement.action_match()  # re-run matching
        self.assertEqual(settlement.unmatched_count, 3)
        lines = {line.source_id: line for line in settlement.line_ids}
        match = env["retail.settlement.match.wizard"].create({"line_id": lines["txn_002"].id})
        match.payment_id = target
        match.action_match()
        self.assertEqual(lines["txn_002"].match_state, "manual")
        env["retail.settlement.resolve.wizard"].create(
            {
                "line_ids": [(6, 0, lines["txn_001"].ids)],
                "action": "write_off",
                "account_id": self.adjustment_account.id,
                "reason": "Rounding at the provider",
            }
        ).action_apply()
        self.assertEqual(lines["txn_001"].match_state, "written_off")
        env["retail.settlement.resolve.wizard"].create(
            {"line_ids": [(6, 0, lines["txn_003"].ids)], "action": "ignore", "reason": "Refunded by hand"}
        ).action_apply()
        self.assertEqual(lines["txn_003"].match_state, "ignored")
        self.assertEqual(settlement.state, "matched")
        # the money-in-transit report
        report = env["ir.actions.act_window"]._for_xml_id("retail_settlement_recon.action_money_in_transit")
        domain = safe_eval(report["domain"])
        in_transit = env["account.move.line"].search(domain)
        self.assertIn(target.move_id.line_ids.filtered(lambda aml: aml.account_id == self.clearing), in_transit)
        groups = env["account.move.line"].formatted_read_group(domain, ["account_id"], ["amount_residual:sum"])
        self.assertEqual([group["account_id"][0] for group in groups], [self.clearing.id])
        self.assertAlmostEqual(groups[0]["amount_residual:sum"], 50.0 + 99.80)

    def test_connector_manager_reads_only(self):
        settlement = self.import_file("stripe_payout.csv").with_user(self.connector_manager)
        self.assertEqual(settlement.external_id, "po_T1")
        with self.assertRaises(AccessError):
            settlement.write({"provider_status": "x"})
        with self.assertRaises(AccessError):
            self.provider.with_user(self.connector_manager).write({"amount_tolerance": 5})

    def test_employee_has_no_access(self):
        settlement = self.import_file("stripe_payout.csv")
        with self.assertRaises(AccessError):
            settlement.with_user(self.employee).read(["external_id"])

    def test_other_company_settlements_hidden(self):
        settlement = self.import_file("stripe_payout.csv")
        other = self.setup_other_company()["company"]
        self.accountant.write({"company_ids": [(4, other.id)]})
        visible = (
            self.env["retail.settlement"]
            .with_user(self.accountant)
            .with_company(other)
            .with_context(allowed_company_ids=[other.id])
            .search([])
        )
        self.assertNotIn(settlement, visible)
        self.assertIn(settlement, self.env["retail.settlement"].with_user(self.accountant).search([]))
