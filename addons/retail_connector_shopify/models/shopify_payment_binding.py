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
        """Book every successful money transaction of one order not booked yet; return the new payments."""
        return self._book_transactions(backend, [(order_binding, transactions)])

    @api.model
    def _money_transactions(self, transactions):
        """``[(transaction, direction)]`` of the successful transactions that move money."""
        return [
            (tx, PAYMENT_KINDS[tx["kind"]])
            for tx in transactions
            if PAYMENT_KINDS.get(tx["kind"]) and tx["status"] == "success" and tx["amount"]
        ]

    @api.model
    def _new_transactions(self, backend, transactions, booked=None):
        """The money-moving, successful transactions not booked yet, with their direction
        (``booked``: the bindings of a batch, from :meth:`_lookup_many`; read when None).

        The transaction id is the binding key: a transaction seen on the order and
        again on a refund (or in a replayed webhook) is booked once.
        """
        money = self._money_transactions(transactions)
        if booked is None:
            booked = self._lookup_many(backend, [tx["id"] for tx, __ in money])
        return [(tx, direction) for tx, direction in money if str(tx["id"]) not in booked]

    @api.model
    def _journal(self, backend, order_binding, tx):
        journal = self.env["shopify.gateway.map"]._find(backend, tx["gateway"])
        if not journal:
            raise MappingMissing(
                f"No journal is mapped to the Shopify payment gateway {tx['gateway']!r} "
                f"(transaction {tx['id']} of order {order_binding.shopify_name}): add it under Payment Gateways."
            )
        return journal

    @api.model
    def _check_transactions(self, backend, order_binding, transactions):
        """Raise before anything is booked when a new transaction's gateway has no journal."""
        # the mapping first (in memory): the bookings are read only for unmapped gateways
        unmapped = [
            tx
            for tx, __ in self._money_transactions(transactions)
            if not self.env["shopify.gateway.map"]._find(backend, tx["gateway"])
        ]
        for tx, __ in self._new_transactions(backend, unmapped):
            self._journal(backend, order_binding, tx)

    @api.model
    def _book_transactions(self, backend, orders_transactions):
        """Book the new transactions of several orders (``[(order binding, transactions)]``)
        as payments: created and posted in one batch; return the payments."""
        currencies = {}
        todo = []  # (order binding, transaction, payment values)
        seen = set()
        booked = self._lookup_many(
            backend,
            [tx["id"] for __, transactions in orders_transactions for tx, __ in self._money_transactions(transactions)],
        )
        for order_binding, transactions in orders_transactions:
            order = order_binding.odoo_id
            for tx, direction in self._new_transactions(backend, transactions, booked):
                if tx["id"] in seen:
                    continue
                seen.add(tx["id"])
                code = tx.get("currency") or order_binding.shopify_currency
                if code not in currencies:
                    currencies[code] = (
                        self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
                    )
                values = {
                    "payment_type": direction,
                    "partner_type": "customer",
                    "partner_id": order.partner_id.commercial_partner_id.id,
                    "amount": float(abs(tx["amount"])),
                    "currency_id": (currencies[code] or order.currency_id).id,
                    "journal_id": self._journal(backend, order_binding, tx).id,
                    "company_id": order.company_id.id,
                    "date": (tx["processed_at"] or fields.Datetime.now()).date(),
                    "memo": f"{order_binding.shopify_name or order.name} {tx['kind']} {tx['id']}",
                    "payment_reference": tx.get("authorization") or tx.get("payment_id") or tx["id"],
                }
                todo.append((order_binding, tx, values))
        if not todo:
            return self.env["account.payment"]
        payments = (
            self.env["account.payment"].with_context(force_payment_move=True).create([vals for *__, vals in todo])
        )
        for payment in payments:
            # force_payment_move puts the chart's default outstanding account: the journal's own
            # (e.g. a payment provider's clearing account) wins when it has one
            line_account = payment.payment_method_line_id.payment_account_id
            if line_account and payment.outstanding_account_id != line_account:
                payment.outstanding_account_id = line_account
        payments.action_post()
        now = fields.Datetime.now()
        self.create(
            [
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
                    "last_synced_at": now,
                }
                for (order_binding, tx, __), payment in zip(todo, payments, strict=True)
            ]
        )
        return payments

    @api.model
    def _reconcile(self, payments, moves):
        """Reconcile posted payments with posted invoices / credit notes (receivable lines)."""
        plan = self._reconcile_plan(payments, moves)
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)

    @api.model
    def _reconcile_plan(self, payments, moves):
        """The groups of receivable lines to reconcile together (one per account
        holding both debits and credits), for Odoo's batched ``_reconcile_plan``."""
        moves = moves.filtered(lambda m: m.state == "posted")
        payments = payments.filtered(lambda p: p.move_id and p.move_id.state == "posted")
        if not moves or not payments:
            return []
        lines = (payments.move_id.line_ids | moves.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        plan = []
        for account in lines.account_id:
            account_lines = lines.filtered(lambda line, a=account: line.account_id == a)
            if account_lines.filtered(lambda line: line.balance > 0) and account_lines.filtered(
                lambda line: line.balance < 0
            ):
                plan.append(account_lines)
        return plan
