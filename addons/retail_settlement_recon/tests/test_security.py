# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SettlementCase


@tagged("post_install", "-at_install")
class TestAccess(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.accountant = new_test_user(
            cls.env,
            login="settle_accountant",
            groups="retail_connector_base.group_retail_connector_finance,account.group_account_user",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
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
