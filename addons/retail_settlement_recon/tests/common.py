# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A company with a chart of accounts, a provider wired as documented, payments."""

import base64
from pathlib import Path

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

FIXTURES = Path(__file__).parent / "fixtures"


class SettlementCase(AccountTestInvoicingCommon):
    provider_code = "stripe"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        company = cls.company_data["company"]
        # the test user is an accountant: Odoo's accounting rights plus the suite's finance workbench
        cls.env.user.group_ids |= cls.env.ref("retail_connector_base.group_retail_connector_finance")
        cls.company = company
        account = cls.env["account.account"]
        cls.clearing = account.create(
            {"name": "Stripe in transit", "code": "101950", "account_type": "asset_current", "reconcile": True}
        )
        cls.fee_account = account.create({"name": "Provider fees", "code": "626100", "account_type": "expense"})
        cls.chargeback_account = account.create({"name": "Chargebacks", "code": "658100", "account_type": "expense"})
        cls.reserve_account = account.create(
            {"name": "Provider reserve", "code": "101960", "account_type": "asset_current"}
        )
        cls.adjustment_account = account.create(
            {"name": "Settlement differences", "code": "658200", "account_type": "expense"}
        )
        # The provider's payment journal: customer payments land in the clearing account.
        cls.provider_journal = cls.env["account.journal"].create(
            {"name": "Stripe", "code": "STRP", "type": "bank", "company_id": company.id}
        )
        for line in cls.provider_journal.inbound_payment_method_line_ids | (
            cls.provider_journal.outbound_payment_method_line_ids
        ):
            line.payment_account_id = cls.clearing
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.provider = cls.env["retail.settlement.provider"].create(
            {
                "name": "Stripe US",
                "code": cls.provider_code,
                "company_id": company.id,
                "clearing_account_id": cls.clearing.id,
                "fee_account_id": cls.fee_account.id,
                "chargeback_account_id": cls.chargeback_account.id,
                "reserve_account_id": cls.reserve_account.id,
                "adjustment_account_id": cls.adjustment_account.id,
                "journal_id": cls.company_data["default_journal_misc"].id,
                "bank_journal_id": cls.bank_journal.id,
                "amount_tolerance": 0.50,
                "date_window_days": 5,
            }
        )
        cls.ann = cls.env["res.partner"].create({"name": "Ann", "email": "ann@example.com"})
        cls.bob = cls.env["res.partner"].create({"name": "Bob", "email": "bob@example.com"})

    @classmethod
    def new_accountant(cls):
        """An accountant without connector-manager rights (password = login)."""
        return new_test_user(
            cls.env,
            login="settle_accountant",
            groups="retail_connector_base.group_retail_connector_finance,account.group_account_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    @classmethod
    def pay(
        cls, amount, reference=None, memo=None, partner=None, payment_type="inbound", currency=None, date="2026-03-02"
    ):
        """A posted customer payment as the order import books it."""
        payment = cls.env["account.payment"].create(
            {
                "payment_type": payment_type,
                "partner_type": "customer",
                "partner_id": (partner or cls.ann).id,
                "amount": amount,
                "currency_id": (currency or cls.company.currency_id).id,
                "journal_id": cls.provider_journal.id,
                "date": date,
                "memo": memo,
                "payment_reference": reference,
            }
        )
        payment.action_post()
        return payment

    def import_file(self, name, provider=None, auto_match=True):
        wizard = self.env["retail.settlement.import.wizard"].create(
            {
                "provider_id": (provider or self.provider).id,
                "data_file": base64.b64encode((FIXTURES / name).read_bytes()),
                "file_name": name,
                "auto_match": auto_match,
            }
        )
        return wizard._import((FIXTURES / name).read_bytes())

    def stripe_payments(self):
        """The payments of stripe_payout.csv, as booked at order import."""
        return (
            self.pay(100.0, "ch_A1", "#1001 sale ch_A1", self.ann),
            self.pay(50.0, "ch_A2", "#1002 sale ch_A2", self.bob, date="2026-03-03"),
            self.pay(30.0, "re_A1", "#1001 refund re_A1", self.ann, payment_type="outbound", date="2026-03-05"),
        )

    def clearing_balance(self, payments=None):
        domain = [("account_id", "=", self.clearing.id), ("parent_state", "=", "posted")]
        if payments is not None:
            domain.append(("move_id", "in", payments.move_id.ids + self.settlement_moves().ids))
        lines = self.env["account.move.line"].search(domain)
        return self.company.currency_id.round(sum(lines.mapped("balance")))

    def settlement_moves(self):
        return self.env["retail.settlement"].search([]).move_id

    def statement_line(self, amount, ref, date="2026-03-11", journal=None):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": (journal or self.bank_journal).id,
                "date": date,
                "amount": amount,
                "payment_ref": ref,
            }
        )

    def exceptions(self, code, record=None):
        domain = [("type_code", "=", code)]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        return self.env["retail.exception"].search(domain)

    @staticmethod
    def today():
        return fields.Date.today()


__all__ = ["FIXTURES", "Command", "SettlementCase"]
