"""The sandbox's Shopify Payments: payouts and their balance transactions.

Kept apart from the rest of the store. State: ``state["payouts"]``, a list of
``{"id", "issued_at", "status", "currency", "transactions": [...]}``; each
balance transaction is ``{"id", "type", "amount", "fee", "net", "source_id",
"source_type", "source_order_transaction_id", "order_id", "order_name", "date"}``
with amounts as strings in the shop's currency, signed from the merchant's
balance (Shopify's convention: ``amount - fee == net``, the fee positive).

A payout gathers the successful sale/capture (charge) and refund transactions of
the gateway ``shopify_payments`` not paid out yet, a fee of 2.9 % + 0.30 per
charge, the disputes opened or reversed since (``DISPUTE_WITHDRAWAL`` /
``DISPUTE_REVERSAL``, source ``DISPUTE``), and the transfer to the bank
(``TRANSFER``, minus the payout's net).

Disputes (chargebacks): ``state["disputes"]``, a list of ``{"id", "order_id",
"order_name", "transaction_id", "type", "amount", "fee", "currency", "reason",
"network_reason_code", "status", "evidence_due_by", "evidence_sent_on",
"finalized_on", "initiated_at"}``. As in Shopify Payments, the withdrawal takes
the disputed amount and the chargeback fee in one balance transaction
(``amount`` -100.00, ``fee`` 15.00, ``net`` -115.00); a won dispute gives the
amount back (``DISPUTE_REVERSAL``); the fee stays taken.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from graphql import GraphQLError

from .generator import fmt, money, next_id
from .rest import gid
from .store import connection

GATEWAY = "shopify_payments"
FEE_RATE = Decimal("0.029")
FEE_FIXED = Decimal("0.30")
CHARGE_KINDS = ("SALE", "CAPTURE")
#: Shopify Payments' chargeback fee (USD) and the days the merchant has to answer a dispute
DISPUTE_FEE = Decimal("15.00")
EVIDENCE_DAYS = 14
OPEN_DISPUTE_STATUSES = ("NEEDS_RESPONSE", "UNDER_REVIEW")
CLOSED_DISPUTE_STATUSES = ("WON", "LOST", "ACCEPTED", "CHARGE_REFUNDED")
ADJUSTMENT_TYPES = ("ADJUSTMENT", "DISPUTE_WITHDRAWAL", "DISPUTE_REVERSAL")
PAGE_ARGS = ("first", "last", "after", "before", "reverse")


def _legacy(value):
    if value is None:
        return None
    return str(value).rsplit("/", 1)[-1].split("?", 1)[0]


def charge_fee(amount):
    """Shopify Payments' fee of one charge (2.9 % + 0.30)."""
    return money(Decimal(amount) * FEE_RATE + FEE_FIXED)


def _money(amount, currency):
    return {"amount": fmt(money(amount)), "currencyCode": currency}


def _timestamp(when):
    """A date, a datetime or an ISO string (None: now) → ``YYYY-MM-DDTHH:MM:SSZ``."""
    when = when or datetime.now(UTC).replace(microsecond=0)
    if isinstance(when, str):
        return when if "T" in when else f"{when}T00:00:00Z"
    if isinstance(when, datetime):
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{when.isoformat()}T00:00:00Z"


def _balance_transaction(state, kind, amount, fee, source_id, source_type, order, order_tx_id, when):
    return {
        "id": next_id(state),
        "type": kind,
        "amount": fmt(amount),
        "fee": fmt(fee),
        "net": fmt(amount - fee),
        "source_id": source_id,
        "source_type": source_type,
        "source_order_transaction_id": order_tx_id,
        "order_id": order["id"] if order else None,
        "order_name": order["name"] if order else None,
        "date": when,
    }


class PayoutsStore:
    """Payout state and resolvers over the shared state dict (no ORM, no HTTP)."""

    def __init__(self, store):
        self.store = store
        self.state = store.state
        self.state.setdefault("payouts", [])
        self.state.setdefault("disputes", [])

    # ------------------------------------------------------------------ state
    def paid_out_transaction_ids(self):
        return {
            tx["source_order_transaction_id"]
            for payout in self.state["payouts"]
            for tx in payout["transactions"]
            if tx["source_order_transaction_id"]
        }

    def create_payout(self, order_ids=None, date=None, status="PAID"):
        """A payout of every Shopify Payments transaction not paid out yet (of ``order_ids``)."""
        state = self.state
        currency = state["shop"]["currency"]
        wanted = {_legacy(order_id) for order_id in order_ids} if order_ids is not None else None
        done = self.paid_out_transaction_ids()
        issued_at = _timestamp(date)
        payout = {"id": next_id(state), "issued_at": issued_at, "status": status, "currency": currency}
        transactions = []
        for order in state["orders"]:
            if wanted is not None and order["id"] not in wanted:
                continue
            for tx in order["transactions"]:
                if tx["gateway"] != GATEWAY or tx["status"] != "SUCCESS" or tx["id"] in done:
                    continue
                if tx["kind"] in CHARGE_KINDS:
                    amount, fee, kind = money(tx["amount"]), charge_fee(tx["amount"]), "CHARGE"
                elif tx["kind"] == "REFUND":
                    amount, fee, kind = -money(tx["amount"]), Decimal(0), "REFUND"
                else:
                    continue
                transactions.append(
                    _balance_transaction(
                        state, kind, amount, fee, next_id(state), kind, order, tx["id"], tx["processed_at"]
                    )
                )
        transactions += self._dispute_transactions(wanted)
        net = sum((Decimal(tx["net"]) for tx in transactions), Decimal(0))
        transactions.append(
            _balance_transaction(state, "TRANSFER", -net, Decimal(0), payout["id"], "TRANSFER", None, None, issued_at)
        )
        payout["transactions"] = transactions
        state["payouts"].append(payout)
        self.store.changed = True
        return payout

    # ------------------------------------------------------------------ disputes
    def dispute(self, dispute_id):
        wanted = _legacy(dispute_id)
        return next((d for d in self.state["disputes"] if d["id"] == wanted), None)

    def open_dispute(
        self, order_id, amount=None, reason="FRAUDULENT", fee=DISPUTE_FEE, evidence_due_by=None, initiated_at=None
    ):
        """The customer's bank disputes the order's Shopify Payments charge (a chargeback).

        ``amount``: the disputed amount (default: the whole charge); ``evidence_due_by``: a
        date (default ``EVIDENCE_DAYS`` after ``initiated_at``, default now). The next payout
        withdraws the amount and the fee. Returns the dispute dict.
        """
        order = self.store.order(order_id)
        if order is None:
            raise KeyError(f"No sandbox order {order_id}")
        charge = next(
            (
                tx
                for tx in order["transactions"]
                if tx["gateway"] == GATEWAY and tx["kind"] in CHARGE_KINDS and tx["status"] == "SUCCESS"
            ),
            None,
        )
        if charge is None:
            raise ValueError(f"Order {order['name']} has no Shopify Payments charge to dispute")
        amount = money(charge["amount"] if amount is None else amount)
        if not Decimal(0) < amount <= money(charge["amount"]):
            raise ValueError(f"A dispute of {order['name']} must be more than 0 and at most {charge['amount']}")
        initiated = _timestamp(initiated_at)
        due = _timestamp(evidence_due_by)[:10] if evidence_due_by else None
        due = due or (datetime.fromisoformat(initiated[:10]) + timedelta(days=EVIDENCE_DAYS)).date().isoformat()
        dispute = {
            "id": next_id(self.state),
            "order_id": order["id"],
            "order_name": order["name"],
            "transaction_id": charge["id"],
            "type": "CHARGEBACK",
            "amount": fmt(amount),
            "fee": fmt(money(fee)),
            "currency": self.state["shop"]["currency"],
            "reason": reason,
            "network_reason_code": "4837" if reason == "FRAUDULENT" else "4853",
            "status": "NEEDS_RESPONSE",
            "evidence_due_by": due,
            "evidence_sent_on": None,
            "finalized_on": None,
            "initiated_at": initiated,
        }
        self.state["disputes"].append(dispute)
        self.store.changed = True
        return dispute

    def close_dispute(self, dispute_id, status="WON", finalized_on=None):
        """The bank's decision: a won dispute gives the amount back in the next payout."""
        dispute = self.dispute(dispute_id)
        if dispute is None:
            raise KeyError(f"No sandbox dispute {dispute_id}")
        if status not in CLOSED_DISPUTE_STATUSES:
            raise ValueError(f"A dispute closes as one of {', '.join(CLOSED_DISPUTE_STATUSES)}")
        if dispute["status"] not in OPEN_DISPUTE_STATUSES:
            raise ValueError(f"Dispute {dispute['id']} is already {dispute['status'].lower()}")
        dispute["status"] = status
        dispute["finalized_on"] = _timestamp(finalized_on)[:10]
        self.store.changed = True
        return dispute

    def _dispute_transactions(self, wanted):
        """Balance transactions of the disputes not paid out yet (of the ``wanted`` orders)."""
        taken = {
            (tx["source_id"], tx["type"])
            for payout in self.state["payouts"]
            for tx in payout["transactions"]
            if tx["source_type"] == "DISPUTE"
        }
        orders = {order["id"]: order for order in self.state["orders"]}
        transactions = []
        for dispute in self.state["disputes"]:
            if wanted is not None and dispute["order_id"] not in wanted:
                continue
            order = orders.get(dispute["order_id"])
            amount = money(dispute["amount"])
            moves = [("DISPUTE_WITHDRAWAL", -amount, money(dispute["fee"]), dispute["initiated_at"])]
            if dispute["status"] == "WON":
                moves.append(("DISPUTE_REVERSAL", amount, Decimal(0), _timestamp(dispute["finalized_on"])))
            for kind, gross, fee, when in moves:
                if (dispute["id"], kind) in taken:
                    continue
                transactions.append(
                    _balance_transaction(
                        self.state, kind, gross, fee, dispute["id"], "DISPUTE", order, dispute["transaction_id"], when
                    )
                )
        return transactions

    def payout(self, payout_id):
        wanted = _legacy(payout_id)
        return next((p for p in self.state["payouts"] if p["id"] == wanted), None)

    # ------------------------------------------------------------------ views
    def payout_view(self, payout):
        currency = payout["currency"]
        rows = payout["transactions"]

        def total(types, what):
            return _money(sum((Decimal(tx[what]) for tx in rows if tx["type"] in types), Decimal(0)), currency)

        net = -sum((Decimal(tx["net"]) for tx in rows if tx["type"] == "TRANSFER"), Decimal(0))
        return {
            "__typename": "ShopifyPaymentsPayout",
            "id": gid("ShopifyPaymentsPayout", payout["id"]),
            "legacyResourceId": payout["id"],
            "issuedAt": payout["issued_at"],
            "status": payout["status"],
            "transactionType": "DEPOSIT" if net >= 0 else "WITHDRAWAL",
            "net": _money(abs(net), currency),
            "summary": {
                "chargesGross": total(("CHARGE",), "amount"),
                "chargesFee": total(("CHARGE",), "fee"),
                "refundsFeeGross": total(("REFUND",), "amount"),
                "refundsFee": total(("REFUND",), "fee"),
                # Shopify's summary has no dispute total: chargebacks count as adjustments
                "adjustmentsGross": total(ADJUSTMENT_TYPES, "amount"),
                "adjustmentsFee": total(ADJUSTMENT_TYPES, "fee"),
                "reservedFundsGross": total(("RESERVED_FUNDS",), "amount"),
                "reservedFundsFee": total(("RESERVED_FUNDS",), "fee"),
                "retriedPayoutsGross": _money(0, currency),
                "retriedPayoutsFee": _money(0, currency),
            },
        }

    def transaction_view(self, payout, tx):
        currency = payout["currency"]
        order = (
            {"id": gid("Order", tx["order_id"]), "name": tx["order_name"]} if tx.get("order_id") is not None else None
        )
        return {
            "__typename": "ShopifyPaymentsBalanceTransaction",
            "id": gid("ShopifyPaymentsBalanceTransaction", tx["id"]),
            "type": tx["type"],
            "test": True,
            "amount": _money(tx["amount"], currency),
            "fee": _money(tx["fee"], currency),
            "net": _money(tx["net"], currency),
            "sourceId": tx["source_id"],
            "sourceType": tx["source_type"],
            "sourceOrderTransactionId": tx["source_order_transaction_id"],
            "adjustmentReason": None,
            "associatedOrder": order,
            "associatedPayout": {"id": gid("ShopifyPaymentsPayout", payout["id"]), "status": payout["status"]},
            "transactionDate": tx["date"],
        }

    def dispute_view(self, dispute):
        return {
            "__typename": "ShopifyPaymentsDispute",
            "id": gid("ShopifyPaymentsDispute", dispute["id"]),
            "legacyResourceId": dispute["id"],
            "type": dispute["type"],
            "status": dispute["status"],
            "amount": _money(dispute["amount"], dispute["currency"]),
            "evidenceDueBy": dispute["evidence_due_by"],
            "evidenceSentOn": dispute["evidence_sent_on"],
            "finalizedOn": dispute["finalized_on"],
            "initiatedAt": dispute["initiated_at"],
            "reasonDetails": {"reason": dispute["reason"], "networkReasonCode": dispute["network_reason_code"]},
            "order": {"id": gid("Order", dispute["order_id"]), "name": dispute["order_name"]},
        }

    # ------------------------------------------------------------------ resolvers
    def root(self):
        return {"shopifyPaymentsAccount": self._account, "dispute": self._dispute}

    def _dispute(self, _info, id):
        dispute = self.dispute(id)
        return self.dispute_view(dispute) if dispute else None

    def _account(self, _info):
        shop = self.state["shop"]

        def payouts(_info, query=None, **args):
            rows = list(self.state["payouts"])
            for field, value in _terms(query):
                if field in ("id", "payout_id"):
                    rows = [p for p in rows if p["id"] == _legacy(value)]
                elif field == "status":
                    rows = [p for p in rows if p["status"].lower() == value.lower()]
            args = {k: v for k, v in args.items() if k in PAGE_ARGS}
            return connection(rows, args, key=lambda p: [int(p["id"])], view=self.payout_view)

        def balance_transactions(_info, query=None, **args):
            rows = [(payout, tx) for payout in self.state["payouts"] for tx in payout["transactions"]]
            for field, value in _terms(query):
                if field in ("payments_transfer_id", "payout_id"):
                    rows = [(p, tx) for p, tx in rows if p["id"] == _legacy(value)]
                elif field == "payout_status":
                    rows = [(p, tx) for p, tx in rows if p["status"].lower() == value.lower()]
            if args.get("hideTransfers"):
                rows = [(p, tx) for p, tx in rows if tx["type"] != "TRANSFER"]
            args = {k: v for k, v in args.items() if k in PAGE_ARGS}
            return connection(
                rows, args, key=lambda row: [int(row[1]["id"])], view=lambda row: self.transaction_view(*row)
            )

        return {
            "__typename": "ShopifyPaymentsAccount",
            "id": gid("ShopifyPaymentsAccount", shop["id"]),
            "activated": True,
            "defaultCurrency": shop["currency"],
            "payouts": payouts,
            "balanceTransactions": balance_transactions,
        }


def _terms(query):
    terms = []
    for token in (query or "").split():
        if ":" not in token:
            if token.upper() not in ("AND", "OR"):
                raise GraphQLError(f"Unsupported search term: {token}", extensions={"code": "BAD_USER_INPUT"})
            continue
        field, value = token.split(":", 1)
        terms.append((field.lower(), value.strip("'\"")))
    return terms


class SandboxPayoutsMixin:
    """``Sandbox`` helpers for tests: make a payout of the shop's paid orders, dispute a charge."""

    @property
    def payouts(self):
        if getattr(self, "_payouts", None) is None or self._payouts.state is not self.state:
            self._payouts = PayoutsStore(self.store)
        return self._payouts

    def create_payout(self, order_ids=None, date=None, status="PAID"):
        """A payout of the Shopify Payments transactions not paid out yet (of ``order_ids``: ids or gids).

        ``date``: a date, a datetime or an ISO string (default now). Returns the payout dict
        (``id``, ``issued_at``, ``status``, ``currency``, ``transactions``); its net is
        :meth:`payout_net`.
        """
        with self.lock:
            payout = self.payouts.create_payout(order_ids, date, status)
        self.save()
        return payout

    @staticmethod
    def payout_net(payout):
        return -sum((Decimal(tx["net"]) for tx in payout["transactions"] if tx["type"] == "TRANSFER"), Decimal(0))

    def open_dispute(self, order_id, amount=None, reason="FRAUDULENT", fee=DISPUTE_FEE, evidence_due_by=None):
        """A chargeback on the order's Shopify Payments charge (see :meth:`PayoutsStore.open_dispute`):
        the next payout of the order withdraws ``amount`` (default: the whole charge) plus ``fee``."""
        with self.lock:
            dispute = self.payouts.open_dispute(
                order_id, amount=amount, reason=reason, fee=fee, evidence_due_by=evidence_due_by
            )
        self.save()
        return dispute

    def close_dispute(self, dispute_id, status="WON"):
        """The bank decides; ``WON`` gives the disputed amount back in the next payout."""
        with self.lock:
            dispute = self.payouts.close_dispute(dispute_id, status)
        self.save()
        return dispute
