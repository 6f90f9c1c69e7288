# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.retail_connector_base.lib.retry import PermanentError

#: transaction kinds that move money, and the direction of the Odoo payment
PAYMENT_KINDS = {"sale": "inbound", "capture": "inbound", "refund": "outbound"}


class MappingMissing(PermanentError):
    exception_type = "mapping_missing"


class ShopifyPaymentBinding(models.Model):
    """A Shopify order transaction bound to the Odoo payment that books it."""

    _name = "shopify.payment.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Transaction Binding"

    odoo_id = fields.Many2one("account.payment", string="Payment", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    gateway = fields.Char()
    kind = fields.Char()
    authorization = fields.Char(string="Gateway Reference", index=True)
    payment_reference = fields.Char(string="Payment ID", index=True)
    amount = fields.Float(digits="Product Price")
    amount_presentment = fields.Float(string="Amount (Customer Currency)", digits="Product Price")
    presentment_currency = fields.Char()

    @api.model
    def _sync_transactions(self, backend, order_binding, transactions):
        """Book every successful money transaction not booked yet; return the new payments.

        The transaction id is the binding key: a transaction seen on the order and
        again on a refund (or in a replayed webhook) is booked once.
        """
        payments = self.env["account.payment"]
        for tx in transactions:
            direction = PAYMENT_KINDS.get(tx["kind"])
            if not direction or tx["status"] != "success" or not tx["amount"]:
                continue
            if self._lookup(backend, tx["id"]):
                continue
            payments |= self._book_transaction(backend, order_binding, tx, direction)
        return payments

    @api.model
    def _book_transaction(self, backend, order_binding, tx, direction):
        journal = self.env["shopify.gateway.map"]._find(backend, tx["gateway"])
        if not journal:
            raise MappingMissing(
                f"No journal is mapped to the Shopify payment gateway {tx['gateway']!r} "
                f"(transaction {tx['id']} of order {order_binding.shopify_name}): add it under Payment Gateways."
            )
        order = order_binding.odoo_id
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", tx.get("currency") or order_binding.shopify_currency)], limit=1)
        )
        payment = (
            self.env["account.payment"]
            .with_context(force_payment_move=True)
            .create(
                {
                    "payment_type": direction,
                    "partner_type": "customer",
                    "partner_id": order.partner_id.commercial_partner_id.id,
                    "amount": float(abs(tx["amount"])),
                    "currency_id": (currency or order.currency_id).id,
                    "journal_id": journal.id,
                    "company_id": order.company_id.id,
                    "date": (tx["processed_at"] or fields.Datetime.now()).date(),
                    "memo": f"{order_binding.shopify_name or order.name} {tx['kind']} {tx['id']}",
                    "payment_reference": tx.get("authorization") or tx.get("payment_id") or tx["id"],
                }
            )
        )
        # force_payment_move puts the chart's default outstanding account: the journal's own
        # (e.g. a payment provider's clearing account) wins when it has one
        line_account = payment.payment_method_line_id.payment_account_id
        if line_account and payment.outstanding_account_id != line_account:
            payment.outstanding_account_id = line_account
        payment.action_post()
        self.create(
            {
                "backend_id": backend.id,
                "external_id": tx["id"],
                "odoo_id": payment.id,
                "order_binding_id": order_binding.id,
                "gateway": tx["gateway"],
                "kind": tx["kind"],
                "authorization": tx.get("authorization"),
                "payment_reference": tx.get("payment_id"),
                "amount": float(tx["amount"]),
                "amount_presentment": float(tx["amount_presentment"] or 0.0),
                "presentment_currency": tx.get("presentment_currency"),
                "external_updated_at": tx["processed_at"],
                "last_synced_at": fields.Datetime.now(),
            }
        )
        return payment

    @api.model
    def _reconcile(self, payments, moves):
        """Reconcile posted payments with posted invoices / credit notes (receivable lines)."""
        moves = moves.filtered(lambda m: m.state == "posted")
        payments = payments.filtered(lambda p: p.move_id and p.move_id.state == "posted")
        if not moves or not payments:
            return
        lines = (payments.move_id.line_ids | moves.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        for account in lines.account_id:
            account_lines = lines.filtered(lambda line, a=account: line.account_id == a)
            if account_lines.filtered(lambda line: line.balance > 0) and account_lines.filtered(
                lambda line: line.balance < 0
            ):
                account_lines.reconcile()
