"""The sandbox's Shopify Payments: payouts and their balance transactions.

Kept apart from the rest of the store. State: ``state["payouts"]``, a list of
``{"id", "issued_at", "status", "currency", "transactions": [...]}``; each
balance transaction is ``{"id", "type", "amount", "fee", "net", "source_id",
"source_type", "source_order_transaction_id", "order_id", "order_name", "date"}``
with amounts as strings in the shop's currency, signed from the merchant's
balance (Shopify's convention: ``amount - fee == net``, the fee positive).

A payout gathers the successful sale/capture (charge) and refund transactions of
the gateway ``shopify_payments`` not paid out yet, a fee of 2.9 % + 0.30 per
charge, and the transfer to the bank (``TRANSFER``, minus the payout's net).
"""

from datetime import UTC, datetime
from decimal import Decimal

from graphql import GraphQLError

from .generator import fmt, money, next_id
from .rest import gid
from .store import connection

GATEWAY = "shopify_payments"
FEE_RATE = Decimal("0.029")
FEE_FIXED = Decimal("0.30")
CHARGE_KINDS = ("SALE", "CAPTURE")
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


class PayoutsStore:
    """Payout state and resolvers over the shared state dict (no ORM, no HTTP)."""

    def __init__(self, store):
        self.store = store
        self.state = store.state
        self.state.setdefault("payouts", [])

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
        when = date or datetime.now(UTC).replace(microsecond=0)
        if isinstance(when, str):
            issued_at = when if "T" in when else f"{when}T00:00:00Z"
        elif isinstance(when, datetime):
            issued_at = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:  # a date
            issued_at = f"{when.isoformat()}T00:00:00Z"
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
                    {
                        "id": next_id(state),
                        "type": kind,
                        "amount": fmt(amount),
                        "fee": fmt(fee),
                        "net": fmt(amount - fee),
                        "source_id": next_id(state),
                        "source_type": kind,
                        "source_order_transaction_id": tx["id"],
                        "order_id": order["id"],
                        "order_name": order["name"],
                        "date": tx["processed_at"],
                    }
                )
        net = sum((Decimal(tx["net"]) for tx in transactions), Decimal(0))
        transactions.append(
            {
                "id": next_id(state),
                "type": "TRANSFER",
                "amount": fmt(-net),
                "fee": fmt(Decimal(0)),
                "net": fmt(-net),
                "source_id": payout["id"],
                "source_type": "TRANSFER",
                "source_order_transaction_id": None,
                "order_id": None,
                "order_name": None,
                "date": issued_at,
            }
        )
        payout["transactions"] = transactions
        state["payouts"].append(payout)
        self.store.changed = True
        return payout

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
                "adjustmentsGross": total(("ADJUSTMENT",), "amount"),
                "adjustmentsFee": total(("ADJUSTMENT",), "fee"),
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

    # ------------------------------------------------------------------ resolvers
    def root(self):
        return {"shopifyPaymentsAccount": self._account}

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
    """``Sandbox`` helpers for tests: make a payout of the shop's paid orders."""

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
