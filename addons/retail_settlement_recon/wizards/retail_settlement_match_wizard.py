# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

CANDIDATE_LIMIT = 20


class RetailSettlementMatchWizard(models.TransientModel):
    """Pick the payment of a settlement line among scored candidates."""

    _name = "retail.settlement.match.wizard"
    _description = "Match Settlement Line Manually"

    line_id = fields.Many2one("retail.settlement.line", required=True)
    candidate_ids = fields.One2many("retail.settlement.match.candidate", "wizard_id")
    payment_id = fields.Many2one("account.payment", string="Chosen Payment")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._load_candidates()
        return wizards

    def _load_candidates(self):
        self.ensure_one()
        line = self.line_id
        provider = line.provider_id
        direction = "inbound" if line.type == "charge" else "outbound"
        used = self.env["retail.settlement.line"].search([("match_state", "in", ("matched", "manual", "written_off"))])
        payments = self.env["account.payment"].search(
            [
                ("outstanding_account_id", "=", provider.clearing_account_id.id),
                ("payment_type", "=", direction),
                ("state", "in", ("in_process", "paid")),
                ("id", "not in", used.payment_id.ids),
                "|",
                "|",
                ("amount", ">=", abs(line.gross) * 0.9),
                ("payment_reference", "=", line.provider_transaction_id or "-"),
                ("memo", "ilike", line.order_reference or "\x00"),
            ],
            limit=200,
        )
        scored = sorted(((self._score(line, p), p) for p in payments), key=lambda item: -item[0][0])
        self.candidate_ids = [
            (0, 0, {"payment_id": p.id, "score": score, "reasons": ", ".join(reasons)})
            for (score, reasons), p in scored[:CANDIDATE_LIMIT]
            if score > 0
        ]

    @api.model
    def _score(self, line, payment):
        score, reasons = 0, []
        if line.provider_transaction_id and line.provider_transaction_id == payment.payment_reference:
            score, reasons = score + 50, [*reasons, self.env._("transaction id")]
        if line.order_reference and line.order_reference in (payment.memo or ""):
            score, reasons = score + 30, [*reasons, self.env._("order reference")]
        if payment.currency_id == line.currency_id and not line.currency_id.compare_amounts(
            abs(line.gross), payment.amount
        ):
            score, reasons = score + 20, [*reasons, self.env._("amount")]
        if abs((payment.date - line.date).days) <= line.provider_id.date_window_days:
            score, reasons = score + 10, [*reasons, self.env._("date")]
        if line.partner_email and (payment.partner_id.email or "").lower() == line.partner_email.lower():
            score, reasons = score + 10, [*reasons, self.env._("customer")]
        return score, reasons

    def action_match(self):
        self.ensure_one()
        payment = self.payment_id or self.candidate_ids.filtered("selected").payment_id
        if len(payment) != 1:
            raise UserError(self.env._("Choose one payment."))
        self.line_id._manual_match(payment)
        return {"type": "ir.actions.act_window_close"}


class RetailSettlementMatchCandidate(models.TransientModel):
    _name = "retail.settlement.match.candidate"
    _description = "Settlement Match Candidate"
    _order = "score desc, id"

    wizard_id = fields.Many2one("retail.settlement.match.wizard", required=True, ondelete="cascade")
    payment_id = fields.Many2one("account.payment", required=True)
    amount = fields.Monetary(related="payment_id.amount")
    currency_id = fields.Many2one(related="payment_id.currency_id")
    date = fields.Date(related="payment_id.date")
    partner_id = fields.Many2one(related="payment_id.partner_id")
    memo = fields.Char(related="payment_id.memo")
    score = fields.Integer()
    reasons = fields.Char()
    selected = fields.Boolean()

    def action_choose(self):
        self.ensure_one()
        self.wizard_id.line_id._manual_match(self.payment_id)
        return {"type": "ir.actions.act_window_close"}
