# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

PAYMENT_TYPES = ("charge", "refund")
DISPUTE_TYPES = ("chargeback", "dispute_reversal")
DONE_MATCH_STATES = ("matched", "manual", "written_off", "ignored")


class RetailSettlement(models.Model):
    """One provider payout (or batch): its lines, its entry and its bank deposit."""

    _name = "retail.settlement"
    _description = "Payment Provider Settlement"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    provider_id = fields.Many2one("retail.settlement.provider", required=True, ondelete="restrict", index=True)
    provider_code = fields.Selection(related="provider_id.code")
    company_id = fields.Many2one(related="provider_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    backend_id = fields.Many2one("retail.backend", string="Source Backend")
    source_file_name = fields.Char(string="Source File")
    external_id = fields.Char(string="Payout ID", required=True, index=True)
    date_start = fields.Date(string="First Transaction")
    date = fields.Date(string="Payout Date", required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    gross = fields.Monetary(currency_field="currency_id", readonly=True)
    fees = fields.Monetary(currency_field="currency_id", readonly=True)
    net = fields.Monetary(string="Payout", currency_field="currency_id", readonly=True)
    difference = fields.Monetary(
        compute="_compute_totals",
        currency_field="currency_id",
        help="Sum of every line's net including the payout: zero when the payout is complete.",
    )
    provider_status = fields.Char()
    bank_journal_id = fields.Many2one("account.journal", check_company=True, domain="[('type', '=', 'bank')]")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("imported", "Imported"),
            ("matched", "Matched"),
            ("posted", "Posted"),
            ("reconciled", "Reconciled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    move_id = fields.Many2one("account.move", string="Settlement Entry", readonly=True, copy=False)
    statement_line_id = fields.Many2one("account.bank.statement.line", string="Bank Deposit", readonly=True, copy=False)
    line_ids = fields.One2many("retail.settlement.line", "settlement_id")
    line_count = fields.Integer(compute="_compute_totals")
    unmatched_count = fields.Integer(compute="_compute_totals")

    _provider_external_uniq = models.Constraint(
        "UNIQUE(provider_id, external_id)", "This payout was already imported for this provider."
    )

    @api.depends("provider_id.name", "external_id")
    def _compute_name(self):
        for settlement in self:
            settlement.name = f"{settlement.provider_id.name or ''} {settlement.external_id or ''}".strip()

    @api.depends("line_ids.net", "line_ids.match_state")
    def _compute_totals(self):
        for settlement in self:
            lines = settlement.line_ids
            settlement.line_count = len(lines)
            settlement.unmatched_count = len(lines.filtered(lambda line: line.match_state == "unmatched"))
            settlement.difference = settlement.currency_id.round(sum(lines.mapped("net")))

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    @api.model
    def _import_parsed(self, provider, parsed_settlements, file_name=None):
        """Create the settlements of parsed payouts not imported yet; return the new ones."""
        existing = set(
            self.search(
                [("provider_id", "=", provider.id), ("external_id", "in", [s.external_id for s in parsed_settlements])]
            ).mapped("external_id")
        )
        currencies = {}
        created = self.browse()
        for parsed in parsed_settlements:
            if not parsed.external_id or parsed.external_id in existing:
                continue
            existing.add(parsed.external_id)
            code = parsed.currency or provider.company_id.currency_id.name
            if code not in currencies:
                currencies[code] = (
                    self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
                )
                if not currencies[code]:
                    raise UserError(self.env._("Unknown currency %s in the settlement file.", code))
                if not currencies[code].active:
                    currencies[code].active = True
            currency = currencies[code]
            settlement = self.create(
                {
                    "provider_id": provider.id,
                    "backend_id": provider.backend_id.id,
                    "source_file_name": file_name,
                    "external_id": parsed.external_id,
                    "date_start": parsed.date_start,
                    "date": parsed.date,
                    "currency_id": currency.id,
                    "gross": float(parsed.gross),
                    "fees": float(parsed.fees),
                    "net": float(parsed.net),
                    "bank_journal_id": provider.bank_journal_id.id,
                    "state": "imported",
                }
            )
            self.env["retail.settlement.line"]._create_from_rows(settlement, parsed.rows)
            created |= settlement
        return created

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    def action_match(self):
        """Match every open line of these settlements (set-based), then update states."""
        todo = self.filtered(lambda s: s.state in ("imported", "matched"))
        lines = todo.line_ids.filtered(lambda line: line.match_state == "unmatched")
        lines._match()
        # a disputed payment imported after the payout is found now
        todo.line_ids._link_dispute_payments()
        todo._update_match_state()
        return True

    def _update_match_state(self):
        for settlement in self.filtered(lambda s: s.state in ("imported", "matched")):
            done = all(line.match_state in DONE_MATCH_STATES for line in settlement.line_ids)
            settlement.state = "matched" if done else "imported"

    # ------------------------------------------------------------------
    # Accounting
    # ------------------------------------------------------------------
    def _entry_amounts(self):
        """``[(account, amount in settlement currency, partner, label, settlement line)]``.

        Positive amounts are debits. Clearing lines are one per matched payment so
        that each can be reconciled with its payment; chargebacks and their reversals
        are one line each too, on the chargeback account with the customer, so that
        the accountant sees which order's money was taken back.
        """
        self.ensure_one()
        provider = self.provider_id
        currency = self.currency_id
        itemised = []  # one entry line each: payments in clearing, chargebacks
        aggregated = defaultdict(float)
        labels = {}
        for line in self.line_ids:
            if line.type == "payout":
                account = provider._bank_outstanding_account()
                aggregated[account] += -line.net
                labels[account] = self.env._("Payout %s", self.external_id)
                continue
            if line.fee:
                aggregated[provider.fee_account_id] += -line.fee
                labels[provider.fee_account_id] = self.env._("Provider fees %s", self.external_id)
            if (
                line.type in PAYMENT_TYPES
                and line.payment_id
                and line.match_state in ("matched", "manual", "written_off")
            ):
                sign = 1 if line.payment_id.payment_type == "inbound" else -1
                paid = sign * line.payment_id.amount
                itemised.append(
                    (provider.clearing_account_id, -paid, line.payment_id.partner_id, line.payment_id.memo, line)
                )
                rest = line.gross - paid
                if not currency.is_zero(rest):
                    account = line.writeoff_account_id or provider.adjustment_account_id
                    aggregated[account] += -rest
                    labels[account] = line.writeoff_reason or self.env._("Settlement differences")
                continue
            if line.type in DISPUTE_TYPES and line.match_state != "written_off":
                account = provider._account_for_type(line.type)
                if not account:
                    raise UserError(self.env._("Provider %s has no chargeback (or adjustment) account.", provider.name))
                if not currency.is_zero(line.gross):
                    label = " ".join(part for part in (line.order_reference, line.description or line.type) if part)
                    itemised.append((account, -line.gross, line.payment_id.partner_id, label, line))
                continue
            if line.match_state == "written_off" and line.writeoff_account_id:
                account = line.writeoff_account_id
            elif line.type in PAYMENT_TYPES:
                account = provider.adjustment_account_id
            else:
                account = provider._account_for_type(line.type)
            if not account:
                raise UserError(
                    self.env._(
                        "Provider %(provider)s has no account for %(type)s lines.",
                        provider=provider.name,
                        type=line.type,
                    )
                )
            aggregated[account] += -line.gross
            labels.setdefault(account, line.description or line.type)
        result = list(itemised)
        for account, amount in aggregated.items():
            if not currency.is_zero(amount):
                result.append((account, amount, self.env["res.partner"], labels.get(account), None))
        return result

    def action_post(self):
        """Post one balanced entry per matched settlement and reconcile the clearing account.

        A settlement whose entry would not balance is not posted: a finance exception
        states the difference instead (no plug line).
        """
        for settlement in self:
            if settlement.state != "matched":
                raise UserError(self.env._("Settlement %s is not fully matched yet.", settlement.name))
            settlement._post_one()
        return True

    def _post_one(self):
        self.ensure_one()
        currency = self.currency_id
        company = self.company_id
        amounts = self._entry_amounts()
        difference = currency.round(sum(amount for _a, amount, *_rest in amounts))
        if not currency.is_zero(difference):
            self.env["retail.exception"]._report(
                "settlement_unbalanced",
                key=f"retail.settlement:{self.id}:unbalanced",
                backend=self.backend_id,
                record=self,
                external_id=self.external_id,
                message=self.env._(
                    "Settlement %(name)s does not balance: debits exceed credits by %(diff)s %(currency)s. "
                    "Nothing was posted.",
                    name=self.name,
                    diff=difference,
                    currency=currency.name,
                ),
                payload={"difference": difference, "payout": self.net},
            )
            return False
        line_vals = []
        total_balance = 0.0
        for account, amount, partner, label, line in amounts:
            balance = currency._convert(amount, company.currency_id, company, self.date)
            total_balance += balance
            line_vals.append(
                {
                    "account_id": account.id,
                    "partner_id": partner.id if partner else False,
                    "name": label or self.name,
                    "currency_id": currency.id,
                    "amount_currency": amount,
                    "balance": balance,
                    "_settlement_line": line,
                }
            )
        rounding = company.currency_id.round(total_balance)
        if not company.currency_id.is_zero(rounding):
            # conversion rounding of a balanced entry (never more than a few cents)
            biggest = max(line_vals, key=lambda vals: abs(vals["balance"]))
            biggest["balance"] -= rounding
        settlement_lines = [vals.pop("_settlement_line") for vals in line_vals]
        move = self.env["account.move"].create(
            {
                "journal_id": self.provider_id.journal_id.id,
                "date": self.date,
                "ref": self.env._("Settlement %s", self.name),
                "company_id": company.id,
                "line_ids": [Command.create(vals) for vals in line_vals],
            }
        )
        move.action_post()
        self.write({"move_id": move.id, "state": "posted"})
        clearing_account = self.provider_id.clearing_account_id
        to_reconcile = self.env["account.move.line"]
        for move_line, line in zip(move.line_ids.sorted("id"), settlement_lines, strict=True):
            if line is not None and move_line.account_id == clearing_account:
                payment_line = line.move_line_id or line.payment_id.move_id.line_ids.filtered(
                    lambda aml, acc=clearing_account: aml.account_id == acc
                )
                to_reconcile |= move_line | payment_line
        to_reconcile = to_reconcile.filtered(lambda aml: not aml.reconciled)
        if to_reconcile:
            to_reconcile.reconcile()
        self.env["retail.exception"]._resolve_key(
            f"retail.settlement:{self.id}:unbalanced", backend=self.backend_id, note=self.env._("Posted.")
        )
        self._match_bank_statement()
        return move

    # ------------------------------------------------------------------
    # Bank deposit
    # ------------------------------------------------------------------
    def action_match_bank(self):
        for settlement in self.filtered(lambda s: s.state == "posted"):
            settlement._match_bank_statement()
        return True

    def _match_bank_statement(self):
        """Reconcile the payout with the one bank statement line that fits it."""
        self.ensure_one()
        if float_is_zero(self.net, precision_rounding=self.currency_id.rounding):
            self.state = "reconciled"
            return True
        journal = self.bank_journal_id or self.provider_id.bank_journal_id
        window = self.provider_id.date_window_days
        base = [
            ("journal_id", "=", journal.id),
            ("is_reconciled", "=", False),
            ("date", ">=", fields.Date.subtract(self.date, days=window)),
            ("date", "<=", fields.Date.add(self.date, days=window)),
        ]
        st_lines = self.env["account.bank.statement.line"].search(base)
        journal_currency = journal.currency_id or journal.company_id.currency_id
        expected = self.net if journal_currency == self.currency_id else None
        by_ref = st_lines.filtered(
            lambda st: self.external_id.lower() in (st.payment_ref or "").lower()
            or self.external_id.lower() in (st.ref or "").lower()
        )
        same_amount = st_lines.filtered(
            lambda st: expected is not None
            and float_compare(st.amount, expected, precision_rounding=self.currency_id.rounding) == 0
        )
        candidates = (by_ref & same_amount) or (same_amount if len(same_amount) == 1 else same_amount.browse())
        if len(candidates) > 1:
            candidates = candidates.browse()
        if not candidates:
            if by_ref:
                self.env["retail.exception"]._report(
                    "settlement_bank_mismatch",
                    key=f"retail.settlement:{self.id}:bank",
                    backend=self.backend_id,
                    record=self,
                    external_id=self.external_id,
                    message=self.env._(
                        "Payout %(name)s of %(net)s %(currency)s: the bank deposit %(ref)s is %(amount)s "
                        "(difference %(diff)s).",
                        name=self.name,
                        net=self.net,
                        currency=self.currency_id.name,
                        ref=by_ref[0].payment_ref,
                        amount=by_ref[0].amount,
                        diff=self.currency_id.round(by_ref[0].amount - self.net),
                    ),
                )
            return False
        self._reconcile_statement_line(candidates)
        return True

    def _reconcile_statement_line(self, st_line):
        self.ensure_one()
        outstanding = self.provider_id._bank_outstanding_account()
        payout_line = self.move_id.line_ids.filtered(lambda aml: aml.account_id == outstanding and not aml.reconciled)
        _liquidity, suspense, _other = st_line._seek_for_lines()
        move = st_line.move_id
        move.button_draft()
        suspense.with_context(skip_account_move_synchronization=True).write(
            {"account_id": outstanding.id, "name": self.name}
        )
        move.action_post()
        (suspense | payout_line).reconcile()
        self.write({"statement_line_id": st_line.id, "state": "reconciled"})
        self.env["retail.exception"]._resolve_key(
            f"retail.settlement:{self.id}:bank", backend=self.backend_id, note=self.env._("Deposit matched.")
        )
        return True

    def action_view_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
