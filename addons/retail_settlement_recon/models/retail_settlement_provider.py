# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

PROVIDER_CODES = [
    ("stripe", "Stripe"),
    ("paypal", "PayPal"),
    ("adyen", "Adyen"),
    ("shopify_payments", "Shopify Payments"),
    ("csv", "Generic CSV"),
]


class RetailSettlementProvider(models.Model):
    """A payment provider paying out to the bank, with its accounts.

    Expected configuration: the journal(s) on which the customer payments of this
    provider are booked use the provider's clearing account ("money in transit")
    as outstanding receipts/payments account of their payment method lines. A
    settlement then moves the payments out of clearing into the bank journal's
    outstanding receipts account (net), fees, chargebacks, reserves and adjustments.
    """

    _name = "retail.settlement.provider"
    _description = "Settlement Provider"
    _check_company_auto = True
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Selection(PROVIDER_CODES, required=True, default="csv")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    backend_id = fields.Many2one("retail.backend", string="Connector Backend", check_company=True)
    clearing_account_id = fields.Many2one(
        "account.account",
        required=True,
        check_company=True,
        help="Money in transit: receives the customer payments, emptied by the settlements.",
    )
    fee_account_id = fields.Many2one("account.account", string="Fee Expense Account", required=True, check_company=True)
    chargeback_account_id = fields.Many2one(
        "account.account", string="Chargeback / Dispute Account", check_company=True
    )
    reserve_account_id = fields.Many2one("account.account", check_company=True)
    adjustment_account_id = fields.Many2one("account.account", check_company=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the settlement entries.",
    )
    bank_journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Where the payouts arrive; its outstanding receipts account receives the net.",
    )
    amount_tolerance = fields.Monetary(
        currency_field="currency_id", default=0.05, help="Largest difference that can be written off."
    )
    date_window_days = fields.Integer(default=7, help="Days around a date in which amounts and deposits match.")
    payout_delay_days = fields.Integer(
        string="Payout Expected Within (days)", default=7, help="A payment in clearing longer is reported."
    )
    batch_import_rows = fields.Integer(
        string="Import in Background Above (rows)",
        default=2000,
        help="A file with more rows is imported by queued jobs of about this many rows each, "
        "with its progress on Settlements > File Imports. 0: always import at once.",
    )
    csv_profile_id = fields.Many2one("retail.settlement.csv.profile", string="CSV Column Mapping")
    settlement_count = fields.Integer(compute="_compute_settlement_count")

    _name_company_uniq = models.Constraint("UNIQUE(name, company_id)", "A provider name must be unique per company.")

    @api.constrains("amount_tolerance", "date_window_days", "batch_import_rows")
    def _check_limits(self):
        for provider in self:
            if provider.amount_tolerance < 0 or provider.date_window_days < 0 or provider.batch_import_rows < 0:
                raise ValidationError(self.env._("Tolerance, date window and batch size cannot be negative."))

    @api.constrains("clearing_account_id")
    def _check_clearing_reconcile(self):
        for provider in self:
            if not provider.clearing_account_id.reconcile:
                raise ValidationError(
                    self.env._("The clearing account %s must allow reconciliation.", provider.clearing_account_id.code)
                )

    def _compute_settlement_count(self):
        groups = self.env["retail.settlement"]._read_group(
            [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]
        )
        counts = {provider.id: count for provider, count in groups}
        for provider in self:
            provider.settlement_count = counts.get(provider.id, 0)

    def _bank_outstanding_account(self):
        self.ensure_one()
        journal = self.bank_journal_id
        line = journal.inbound_payment_method_line_ids.filtered("payment_account_id")[:1]
        account = line.payment_account_id
        if not account:
            # the chart's default outstanding receipts account (as account.payment falls back to)
            chart = self.with_context(allowed_company_ids=journal.company_id.root_id.ids).env["account.chart.template"]
            account = chart.ref("account_journal_payment_debit_account_id", raise_if_not_found=False)
        if not account:
            raise ValidationError(
                self.env._("Set an outstanding receipts account on the bank journal %s.", journal.display_name)
            )
        return account

    def _account_for_type(self, line_type):
        self.ensure_one()
        account = {
            "chargeback": self.chargeback_account_id,
            "dispute_reversal": self.chargeback_account_id,
            "reserve": self.reserve_account_id,
            "adjustment": self.adjustment_account_id,
            "currency_conversion": self.adjustment_account_id,
            "fee": self.fee_account_id,
        }.get(line_type)
        return account or self.adjustment_account_id

    def action_view_settlements(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settlements"),
            "res_model": "retail.settlement",
            "view_mode": "list,form",
            "domain": [("provider_id", "=", self.id)],
            "context": {"default_provider_id": self.id},
        }

    def action_fetch_payouts(self):
        """Queue the fetch of this provider's payouts from its connector backend (Shopify Payments)."""
        self.ensure_one()
        if self.code != "shopify_payments" or not self.backend_id:
            raise ValidationError(self.env._("Only a Shopify Payments provider with a backend fetches its payouts."))
        return self.backend_id.sudo().action_shopify_fetch_payouts()

    @api.model
    def _cron_payout_missing(self):
        """Report customer payments sitting in a clearing account longer than the payout delay."""
        for provider in self.search([]):
            provider.env["retail.settlement.line"]._report_payouts_missing(provider)
