# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.canonical import LINE_TYPES

PAYMENT_TYPES = ("charge", "refund")
#: lines that take back (or give back) a customer's payment without consuming it
DISPUTE_TYPES = ("chargeback", "dispute_reversal")
USED_STATES = ("matched", "manual", "written_off")
OPEN_DISPUTE_STATUSES = ("", "open", "needs_response", "under_review", "warning_needs_response", "warning_under_review")
CLOSED_DISPUTE_STATUSES = ("won", "lost", "charge_refunded", "accepted")
MATCH_RULES = [
    ("transaction_id", "Provider transaction id"),
    ("order_reference", "Order reference"),
    ("amount_date_partner", "Amount, date and customer"),
    ("manual", "Manual"),
    ("account", "Booked to an account"),
]

# Payments a settlement line may take: posted, in this provider's clearing account,
# of the line's direction, and not taken by another line already.
_CANDIDATE_PAYMENTS = """
    SELECT p.id, p.amount, p.currency_id, p.payment_type, p.company_id, p.date, p.partner_id, p.memo,
           p.payment_reference
      FROM account_payment p
     WHERE p.state IN ('in_process', 'paid')
       AND p.outstanding_account_id IN %(clearing)s
"""
# only charge and refund lines pay a payment out; a chargeback merely points at the payment it takes back
_USED = """
    SELECT u.payment_id FROM retail_settlement_line u
     WHERE u.payment_id IS NOT NULL AND u.match_state IN ('matched', 'manual', 'written_off')
       AND u.type IN ('charge', 'refund')
"""
_LINE_DIRECTION = "CASE l.type WHEN 'charge' THEN 'inbound' ELSE 'outbound' END"


class RetailSettlementLine(models.Model):
    """One movement of a payout: a charge, a refund, a fee, a dispute, the payout itself."""

    _name = "retail.settlement.line"
    _description = "Settlement Line"
    _order = "settlement_id, sequence, id"

    settlement_id = fields.Many2one("retail.settlement", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    provider_id = fields.Many2one(related="settlement_id.provider_id", store=True, index=True)
    company_id = fields.Many2one(related="settlement_id.company_id", store=True, index=True)
    date = fields.Date(required=True)
    type = fields.Selection([(code, code.replace("_", " ").title()) for code in LINE_TYPES], required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    gross = fields.Monetary(currency_field="currency_id")
    fee = fields.Monetary(currency_field="currency_id")
    net = fields.Monetary(currency_field="currency_id")
    order_reference = fields.Char(index=True)
    provider_transaction_id = fields.Char(string="Provider Transaction ID", index=True)
    source_id = fields.Char(string="Source Row ID", required=True)
    partner_email = fields.Char(string="Customer E-mail")
    partner_name = fields.Char(string="Customer")
    description = fields.Char()
    provider_status = fields.Char()
    dispute_due_date = fields.Date(string="Evidence Due")
    dispute_ref = fields.Char(
        string="Dispute", index="btree_not_null", help="The provider's id of the dispute of a chargeback."
    )
    payment_id = fields.Many2one("account.payment", string="Matched Payment", index="btree_not_null")
    move_line_id = fields.Many2one("account.move.line", string="Payment Clearing Item", index="btree_not_null")
    candidate_payment_id = fields.Many2one(
        "account.payment", string="Closest Payment", help="Found by a rule, but the amount or currency differs."
    )
    match_state = fields.Selection(
        [
            ("unmatched", "Unmatched"),
            ("matched", "Matched"),
            ("manual", "Manually Matched"),
            ("written_off", "Written Off"),
            ("ignored", "Ignored"),
        ],
        default="unmatched",
        required=True,
        index=True,
    )
    match_rule = fields.Selection(MATCH_RULES)
    writeoff_account_id = fields.Many2one("account.account", string="Write-off Account")
    writeoff_reason = fields.Char()
    ignore_reason = fields.Char()
    amount_difference = fields.Monetary(compute="_compute_amount_difference", currency_field="currency_id")

    _settlement_source_uniq = models.Constraint(
        "UNIQUE(settlement_id, source_id)", "A settlement row can only be imported once."
    )

    @api.depends("type", "gross", "payment_id", "candidate_payment_id")
    def _compute_amount_difference(self):
        for line in self:
            payment = line.payment_id or line.candidate_payment_id
            # a chargeback may take back part of a payment: that is no difference to resolve
            paid_out = payment and line.type in PAYMENT_TYPES
            line.amount_difference = abs(line.gross) - payment.amount if paid_out else 0.0

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    @api.model
    def _create_from_rows(self, settlement, rows):
        vals_list = []
        seen = set()
        for sequence, row in enumerate(rows, start=1):
            if row.source_id in seen:
                continue
            seen.add(row.source_id)
            needs_payment = row.type in PAYMENT_TYPES
            vals_list.append(
                {
                    "settlement_id": settlement.id,
                    "sequence": sequence,
                    "date": row.date,
                    "type": row.type,
                    "currency_id": settlement.currency_id.id,
                    "gross": float(row.gross),
                    "fee": float(row.fee),
                    "net": float(row.net),
                    "order_reference": row.order_reference or False,
                    "provider_transaction_id": row.transaction_id or False,
                    "source_id": row.source_id,
                    "partner_email": row.partner_email or False,
                    "partner_name": row.partner_name or False,
                    "description": row.description or False,
                    "provider_status": row.status or False,
                    "dispute_due_date": row.dispute_due_date,
                    "dispute_ref": row.extra.get("dispute_id") or False,
                    "match_state": "unmatched" if needs_payment else "matched",
                    "match_rule": False if needs_payment else "account",
                }
            )
        lines = self.create(vals_list)
        lines._link_dispute_payments()
        lines._track_disputes()
        return lines

    def _link_dispute_payments(self):
        """Point chargebacks and dispute reversals at the customer payment they concern.

        They are booked to the chargeback account whatever happens (matched by
        account); the link, by the order transaction id then the order reference,
        tells the accountant whose payment the bank took back. The payment stays
        paid out by its charge line (a chargeback does not consume it).
        """
        lines = self.filtered(lambda line: line.type in DISPUTE_TYPES and not line.payment_id)
        if not lines:
            return self.browse()
        self.env.flush_all()
        clearing = tuple(lines.provider_id.clearing_account_id.ids)
        found = {}
        for rule, query in (
            ("transaction_id", self._query_transaction_id),
            ("order_reference", self._query_order_reference),
        ):
            todo = [line_id for line_id in lines.ids if line_id not in found]
            if not todo:
                break
            per_line = defaultdict(set)
            for line_id, payment_id, *_rest in query(todo, clearing, direction="inbound"):
                per_line[line_id].add(payment_id)
            found.update({line_id: (pids.pop(), rule) for line_id, pids in per_line.items() if len(pids) == 1})
        linked = self.browse()
        for line in lines:
            if line.id in found:
                payment_id, rule = found[line.id]
                line.write({"payment_id": payment_id, "match_rule": rule})
                linked |= line
        return linked

    @api.model
    def _open_disputes(self, provider, exclude_settlements=None):
        """The chargebacks of ``provider`` whose dispute is still open here."""
        return self.search(
            [
                ("provider_id", "=", provider.id),
                ("type", "=", "chargeback"),
                ("dispute_ref", "!=", False),
                ("settlement_id", "not in", (exclude_settlements or self.env["retail.settlement"]).ids),
                "|",
                ("provider_status", "=", False),
                ("provider_status", "in", [status for status in OPEN_DISPUTE_STATUSES if status]),
            ]
        )

    def _refresh_disputes(self, read_dispute):
        """Ask the provider again about these chargebacks' disputes
        (``read_dispute(ref)`` -> ``{"status", "due", ...}`` or None) and close the
        exceptions of those it has decided. A lost dispute brings no new balance
        transaction: without this its exception would stay open for ever.
        Returns the lines whose dispute closed."""
        closed = self.browse()
        for ref, lines in self.grouped("dispute_ref").items():
            dispute = read_dispute(ref)
            if not dispute or not dispute["status"]:
                continue
            values = {}
            if dispute["status"] != (lines[0].provider_status or ""):
                values["provider_status"] = dispute["status"]
            if dispute["due"] and dispute["due"] != lines[0].dispute_due_date:
                values["dispute_due_date"] = dispute["due"]
            if values:
                lines.write(values)
            if dispute["status"] in CLOSED_DISPUTE_STATUSES:
                closed |= lines
        closed._track_disputes()
        return closed

    def _track_disputes(self):
        exceptions = self.env["retail.exception"]
        for line in self.filtered(lambda item: item.type in ("chargeback", "dispute_reversal")):
            ref = line.provider_transaction_id or line.order_reference or line.source_id
            key = f"dispute:{line.provider_id.id}:{ref}"
            payment = line.payment_id
            status = (line.provider_status or "").lower()
            backend = line.settlement_id.backend_id
            if line.type == "dispute_reversal" or status in CLOSED_DISPUTE_STATUSES:
                outcome = "won" if line.type == "dispute_reversal" or status == "won" else status
                exceptions._resolve_key(key, backend=backend, note=self.env._("Dispute closed: %s.", outcome))
            elif status in OPEN_DISPUTE_STATUSES:
                due = line.dispute_due_date
                exceptions._report(
                    "settlement_dispute_open",
                    key=key,
                    backend=backend,
                    record=line,
                    external_id=line.provider_transaction_id,
                    message=" ".join(
                        part
                        for part in (
                            self.env._(
                                "Dispute on %(tx)s (%(ref)s) for %(amount)s %(currency)s; evidence due %(due)s.",
                                tx=line.provider_transaction_id or line.source_id,
                                ref=line.order_reference or "-",
                                amount=-line.gross,
                                currency=line.currency_id.name,
                                due=due or self.env._("(no date given)"),
                            ),
                            payment
                            and self.env._(
                                "Payment %(payment)s of %(customer)s.",
                                payment=payment.name,
                                customer=payment.partner_id.display_name or "-",
                            ),
                        )
                        if part
                    ),
                    severity="critical" if due else None,
                )

    # ------------------------------------------------------------------
    # Matching (set-based: one query per rule for all lines)
    # ------------------------------------------------------------------
    def _match(self):
        """Match unmatched charge/refund lines to payments: transaction id, then order
        reference, then amount + date window + customer when exactly one payment fits."""
        lines = self.filtered(lambda line: line.match_state == "unmatched" and line.type in PAYMENT_TYPES)
        if not lines:
            return self.browse()
        self.env.flush_all()
        clearing = tuple(lines.provider_id.clearing_account_id.ids)
        todo = set(lines.ids)
        problems = {}  # line id -> (code, payment id, message)
        for rule, query in (
            ("transaction_id", self._query_transaction_id),
            ("order_reference", self._query_order_reference),
            ("amount_date_partner", self._query_amount_date),
        ):
            if not todo:
                break
            rows = query(list(todo), clearing)
            matched = self._classify(rows, rule, problems)
            todo -= set(matched)
            for line_id in matched:
                problems.pop(line_id, None)
            self._apply(matched, rule)
        for line_id in todo - set(problems):
            problems[line_id] = ("settlement_no_order", None, None)
        self._report_problems(problems)
        return lines.filtered(lambda line: line.id not in todo)

    def _query_transaction_id(self, line_ids, clearing, direction=None):
        """``direction``: the payments' type to look for (default: the line's own direction)."""
        self.env.cr.execute(
            f"""
            WITH cand AS ({_CANDIDATE_PAYMENTS}),
            keys AS (
                SELECT id AS payment_id, payment_reference AS key FROM cand WHERE payment_reference IS NOT NULL
                UNION SELECT b.odoo_id, b.external_id FROM shopify_payment_binding b JOIN cand ON cand.id = b.odoo_id
                UNION SELECT b.odoo_id, b.authorization FROM shopify_payment_binding b JOIN cand ON cand.id = b.odoo_id
                 WHERE b.authorization IS NOT NULL
                UNION SELECT b.odoo_id, b.payment_reference FROM shopify_payment_binding b
                  JOIN cand ON cand.id = b.odoo_id WHERE b.payment_reference IS NOT NULL
            )
            SELECT l.id, cand.id, cand.amount, cand.currency_id, (cand.id IN ({_USED})) AS used
              FROM retail_settlement_line l
              JOIN keys ON keys.key = l.provider_transaction_id
              JOIN cand ON cand.id = keys.payment_id
             WHERE l.id = ANY(%(lines)s)
               AND cand.company_id = l.company_id
               AND cand.payment_type = {"%(direction)s" if direction else _LINE_DIRECTION}
            """,
            {"lines": line_ids, "clearing": clearing, "direction": direction},
        )
        return self.env.cr.fetchall()

    def _query_order_reference(self, line_ids, clearing, direction=None):
        self.env.cr.execute(
            f"""
            WITH cand AS ({_CANDIDATE_PAYMENTS}),
            pkeys AS (
                SELECT id AS payment_id, memo AS key FROM cand WHERE memo IS NOT NULL
                UNION SELECT id, split_part(memo, ' ', 1) FROM cand WHERE memo IS NOT NULL
                UNION SELECT id, payment_reference FROM cand WHERE payment_reference IS NOT NULL
            ),
            lines AS (SELECT * FROM retail_settlement_line WHERE id = ANY(%(lines)s) AND order_reference IS NOT NULL),
            refs AS (
                SELECT l.id AS line_id, l.order_reference AS ref FROM lines l
                UNION SELECT l.id, so.name FROM lines l
                  JOIN sale_order so ON so.client_order_ref = l.order_reference AND so.company_id = l.company_id
                UNION SELECT l.id, so.client_order_ref FROM lines l
                  JOIN sale_order so ON so.name = l.order_reference AND so.company_id = l.company_id
                 WHERE so.client_order_ref IS NOT NULL
            )
            SELECT DISTINCT l.id, cand.id, cand.amount, cand.currency_id, (cand.id IN ({_USED})) AS used
              FROM refs
              JOIN retail_settlement_line l ON l.id = refs.line_id
              JOIN pkeys ON pkeys.key = refs.ref
              JOIN cand ON cand.id = pkeys.payment_id
             WHERE cand.company_id = l.company_id
               AND cand.payment_type = {"%(direction)s" if direction else _LINE_DIRECTION}
            """,
            {"lines": line_ids, "clearing": clearing, "direction": direction},
        )
        return self.env.cr.fetchall()

    def _query_amount_date(self, line_ids, clearing):
        self.env.cr.execute(
            f"""
            WITH cand AS ({_CANDIDATE_PAYMENTS} AND p.id NOT IN ({_USED}))
            SELECT l.id, cand.id, cand.amount, cand.currency_id, FALSE
              FROM retail_settlement_line l
              JOIN retail_settlement_provider prov ON prov.id = l.provider_id
              JOIN cand ON cand.amount = ABS(l.gross)
                       AND cand.currency_id = l.currency_id
                       AND cand.company_id = l.company_id
                       AND cand.payment_type = {_LINE_DIRECTION}
                       AND cand.date BETWEEN l.date - prov.date_window_days AND l.date + prov.date_window_days
              LEFT JOIN res_partner rp ON rp.id = cand.partner_id
             WHERE l.id = ANY(%(lines)s)
               AND (COALESCE(l.partner_email, '') = '' OR LOWER(rp.email) = LOWER(l.partner_email))
            """,
            {"lines": line_ids, "clearing": clearing},
        )
        return self.env.cr.fetchall()

    def _classify(self, rows, rule, problems):
        """``{line id: payment id}`` of the lines with exactly one fitting payment."""
        if not rows:
            return {}
        per_line = defaultdict(list)
        for line_id, payment_id, amount, currency_id, used in rows:
            per_line[line_id].append((payment_id, amount, currency_id, used))
        info = {line["id"]: line for line in self.browse(list(per_line)).read(["gross", "currency_id"], load=False)}
        proposals = {}
        for line_id, candidates in per_line.items():
            line = info[line_id]
            fitting = [c for c in candidates if not c[3]]
            if not fitting:
                problems[line_id] = ("settlement_duplicate", candidates[0][0], None)
                continue
            same_currency = [c for c in fitting if c[2] == line["currency_id"]]
            if not same_currency:
                problems[line_id] = ("settlement_currency_mismatch", fitting[0][0], None)
                continue
            exact = [c for c in same_currency if round(abs(line["gross"]) - float(c[1]), 6) == 0]
            if len(exact) == 1:
                proposals[line_id] = exact[0][0]
            elif not exact and len(same_currency) == 1 and rule != "amount_date_partner":
                problems[line_id] = ("amount_mismatch", same_currency[0][0], None)
        # one payment proposed to two lines is ambiguous: neither gets it
        taken = defaultdict(list)
        for line_id, payment_id in proposals.items():
            taken[payment_id].append(line_id)
        return {line_id: pid for pid, line_ids in taken.items() if len(line_ids) == 1 for line_id in line_ids}

    def _apply(self, matched, rule):
        if not matched:
            return
        line_ids = list(matched)
        payment_ids = [matched[line_id] for line_id in line_ids]
        self.env.cr.execute(
            """
            UPDATE retail_settlement_line l
               SET payment_id = v.payment_id, match_state = 'matched', match_rule = %s,
                   candidate_payment_id = NULL, move_line_id = aml.id
              FROM (SELECT UNNEST(%s::int[]) AS line_id, UNNEST(%s::int[]) AS payment_id) v
              JOIN account_payment p ON p.id = v.payment_id
              LEFT JOIN account_move_line aml ON aml.move_id = p.move_id AND aml.account_id = p.outstanding_account_id
             WHERE l.id = v.line_id
            """,
            (rule, line_ids, payment_ids),
        )
        self.invalidate_model(["payment_id", "match_state", "match_rule", "candidate_payment_id", "move_line_id"])
        self.env["retail.settlement"].invalidate_model(["unmatched_count", "line_count", "difference"])
        self.env["retail.exception"]._resolve_lines_keys(self.browse(line_ids))

    def _exception_key(self):
        self.ensure_one()
        return f"retail.settlement.line:{self.id}"

    def _report_problems(self, problems):
        exceptions = self.env["retail.exception"]
        messages = {
            "settlement_no_order": self.env._("No order or payment found for %(line)s."),
            "settlement_duplicate": self.env._("%(line)s: its payment %(payment)s is already in another settlement."),
            "settlement_currency_mismatch": self.env._(
                "%(line)s is in %(currency)s but payment %(payment)s is in %(payment_currency)s."
            ),
            "amount_mismatch": self.env._(
                "%(line)s: %(amount)s %(currency)s paid out, payment %(payment)s is %(payment_amount)s "
                "(difference %(diff)s)."
            ),
        }
        for line_id, (code, payment_id, _message) in problems.items():
            line = self.browse(line_id)
            payment = self.env["account.payment"].browse(payment_id) if payment_id else None
            if payment and code in ("amount_mismatch", "settlement_currency_mismatch"):
                line.candidate_payment_id = payment
            label = self.env._(
                "%(type)s %(tx)s (%(ref)s) of %(amount)s %(currency)s",
                type=line.type,
                tx=line.provider_transaction_id or line.source_id,
                ref=line.order_reference or "-",
                amount=line.gross,
                currency=line.currency_id.name,
            )
            message = messages[code] % {
                "line": label,
                "payment": payment.name if payment else "",
                "currency": line.currency_id.name,
                "payment_currency": payment.currency_id.name if payment else "",
                "amount": abs(line.gross),
                "payment_amount": payment.amount if payment else 0.0,
                "diff": line.currency_id.round(abs(line.gross) - (payment.amount if payment else 0.0)),
            }
            exceptions._report(
                code,
                key=line._exception_key(),
                backend=line.settlement_id.backend_id,
                record=line,
                external_id=line.provider_transaction_id or line.source_id,
                message=message,
            )

    # ------------------------------------------------------------------
    # Manual actions
    # ------------------------------------------------------------------
    def _check_editable(self):
        for line in self:
            if line.settlement_id.state not in ("imported", "matched"):
                raise UserError(self.env._("Settlement %s is already posted.", line.settlement_id.name))

    def _manual_match(self, payment):
        self.ensure_one()
        self._check_editable()
        if payment.currency_id != self.currency_id:
            raise UserError(self.env._("The payment is in another currency than the line."))
        if self.currency_id.compare_amounts(abs(self.gross), payment.amount):
            raise UserError(
                self.env._("The amounts differ by %s: write the difference off instead.", self.amount_difference)
            )
        clearing_line = payment.move_id.line_ids.filtered(lambda aml: aml.account_id == payment.outstanding_account_id)
        self.write(
            {
                "payment_id": payment.id,
                "move_line_id": clearing_line[:1].id,
                "match_state": "manual",
                "match_rule": "manual",
                "candidate_payment_id": False,
            }
        )
        self.env["retail.exception"]._resolve_lines_keys(self)
        self.settlement_id._update_match_state()

    def _write_off(self, account, reason, payment=None):
        self.ensure_one()
        self._check_editable()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for the write-off."))
        payment = payment or self.candidate_payment_id
        difference = abs(self.gross) - (payment.amount if payment else 0.0)
        tolerance = self.provider_id.amount_tolerance
        if self.currency_id.compare_amounts(abs(difference), tolerance) > 0:
            raise UserError(
                self.env._(
                    "The difference %(diff)s exceeds the provider's tolerance %(tol)s.", diff=difference, tol=tolerance
                )
            )
        clearing_line = (
            payment.move_id.line_ids.filtered(lambda aml: aml.account_id == payment.outstanding_account_id)
            if payment
            else self.env["account.move.line"]
        )
        self.write(
            {
                "payment_id": payment.id if payment else False,
                "move_line_id": clearing_line[:1].id,
                "match_state": "written_off",
                "match_rule": "manual",
                "writeoff_account_id": account.id,
                "writeoff_reason": reason,
            }
        )
        self.env["retail.exception"]._resolve_lines_keys(self, note=reason)
        self.settlement_id._update_match_state()

    def _ignore(self, reason):
        self._check_editable()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why these lines are ignored."))
        self.write({"match_state": "ignored", "ignore_reason": reason})
        self.env["retail.exception"]._resolve_lines_keys(self, note=reason)
        self.settlement_id._update_match_state()

    def action_manual_match(self):
        self.ensure_one()
        # created here so the accountant sees the scored candidates at once
        wizard = self.env["retail.settlement.match.wizard"].create({"line_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Match Manually"),
            "res_model": "retail.settlement.match.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_resolve(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off or Ignore"),
            "res_model": "retail.settlement.resolve.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_line_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Payments waiting for a payout
    # ------------------------------------------------------------------
    @api.model
    def _report_payouts_missing(self, provider):
        limit = fields.Date.subtract(fields.Date.context_today(self), days=provider.payout_delay_days)
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            SELECT p.id FROM account_payment p
              JOIN account_move_line aml ON aml.move_id = p.move_id AND aml.account_id = p.outstanding_account_id
             WHERE p.state IN ('in_process', 'paid') AND p.payment_type = 'inbound'
               AND p.outstanding_account_id = %s AND p.company_id = %s AND p.date < %s
               AND NOT aml.reconciled
               AND p.id NOT IN ({_USED})
            """,
            (provider.clearing_account_id.id, provider.company_id.id, limit),
        )
        payments = self.env["account.payment"].browse([row[0] for row in self.env.cr.fetchall()])
        exceptions = self.env["retail.exception"]
        for payment in payments:
            exceptions.with_company(provider.company_id)._report(
                "settlement_payout_missing",
                key=f"payout_missing:account.payment:{payment.id}",
                backend=provider.backend_id,
                record=payment,
                external_id=payment.payment_reference,
                message=self.env._(
                    "Payment %(payment)s (%(memo)s, %(amount)s %(currency)s of %(date)s) is in no %(provider)s "
                    "payout after %(days)s days.",
                    payment=payment.name,
                    memo=payment.memo or "-",
                    amount=payment.amount,
                    currency=payment.currency_id.name,
                    date=payment.date,
                    provider=provider.name,
                    days=provider.payout_delay_days,
                ),
            )
        return payments
