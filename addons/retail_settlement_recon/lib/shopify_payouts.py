# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify Payments payouts over the Admin GraphQL API → canonical settlements.

Plain Python, no ORM: takes a ``ShopifyClient`` (retail_connector_shopify) and
returns :class:`~.canonical.Settlement` objects, one per payout, whose rows are
the payout's balance transactions (Shopify's ``amount - fee == net``, fee
positive, becomes the canonical ``gross + fee == net`` with the fee negative).
The transfer to the bank is the ``payout`` row; ``sourceOrderTransactionId`` is
the order transaction id the connector stored on the payment it booked, so
matching by transaction id finds it.

A dispute's balance transaction (``DISPUTE_WITHDRAWAL``/``DISPUTE_REVERSAL``, source
``DISPUTE``) carries neither the dispute's status nor its evidence deadline: the
dispute itself is read (``dispute(id:)``, once per dispute) and its status and
``evidenceDueBy`` go on the row.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from .canonical import ZERO, ParseError, Row, Settlement

PAYOUTS_DOCUMENT = "shopify_payouts"
TRANSACTIONS_DOCUMENT = "shopify_payout_transactions"
PAYOUTS_PATH = ("shopifyPaymentsAccount", "payouts")
TRANSACTIONS_PATH = ("shopifyPaymentsAccount", "balanceTransactions")
#: page sizes: the client lowers them further when the cost would exceed Shopify's cap
PAYOUTS_PAGE = 50
TRANSACTIONS_PAGE = 100
#: payouts that never reach the bank are not settlements
SKIPPED_STATUSES = ("FAILED", "CANCELED")
DISPUTE_SOURCE = "DISPUTE"
#: the dispute of a balance transaction (sourceId), for its status and evidence deadline
DISPUTE_DOCUMENT = """
query ShopifyPaymentsDispute($id: ID!) {
  dispute(id: $id) {
    id
    legacyResourceId
    type
    status
    amount { amount currencyCode }
    evidenceDueBy
    finalizedOn
    initiatedAt
    reasonDetails { reason networkReasonCode }
    order { id name }
  }
}
"""

#: Shopify balance transaction type → canonical line type (anything else: adjustment)
TRANSACTION_TYPES = {
    "CHARGE": "charge",
    "REFUND": "refund",
    "DISPUTE_WITHDRAWAL": "chargeback",
    "DISPUTE_REVERSAL": "dispute_reversal",
    "CHARGEBACK_FEE": "fee",
    "CHARGEBACK_FEE_REFUND": "fee",
    "STRIPE_FEE": "fee",
    "APPLICATION_FEE_REFUND": "fee",
    "RESERVED_FUNDS": "reserve",
    "RESERVED_FUNDS_WITHDRAWAL": "reserve",
    "RESERVED_FUNDS_REVERSAL": "reserve",
    "CHARGEBACK_HOLD": "reserve",
    "CHARGEBACK_HOLD_RELEASE": "reserve",
    "TRANSFER": "payout",
    "TRANSFER_FAILURE": "payout",
    "TRANSFER_CANCEL": "payout",
    "TRANSFER_REFUND": "payout",
}


def legacy_id(value):
    """``gid://shopify/X/123`` or ``123`` → ``"123"`` (None stays None)."""
    if value in (None, ""):
        return None
    return str(value).rsplit("/", 1)[-1].split("?", 1)[0]


def _amount(money, what):
    if not isinstance(money, dict):
        raise ParseError(f"Shopify payout data without {what}")
    try:
        return Decimal(str(money.get("amount")))
    except (InvalidOperation, TypeError) as exc:
        raise ParseError(f"not an amount in {what}: {money.get('amount')!r}") from exc


def _date(text, what):
    try:
        return date.fromisoformat(str(text)[:10])
    except (TypeError, ValueError) as exc:
        raise ParseError(f"not a date in {what}: {text!r}") from exc


def payout_from_graphql(node):
    """The payout fields the import needs, from a ``ShopifyPaymentsPayout`` node."""
    if not isinstance(node, dict) or not node.get("id"):
        raise ParseError("Shopify payout without an id")
    net = node.get("net") or {}
    payout_id = str(node.get("legacyResourceId") or legacy_id(node["id"]))
    return {
        "id": payout_id,
        "gid": node["id"],
        "date": _date(node.get("issuedAt"), f"payout {payout_id}"),
        "status": node.get("status") or "",
        "withdrawal": node.get("transactionType") == "WITHDRAWAL",
        "net": _amount(net, f"payout {payout_id} net"),
        "currency": (net.get("currencyCode") or "").upper(),
    }


def dispute_from_graphql(node):
    """The dispute fields a settlement row needs, from a ``ShopifyPaymentsDispute`` node."""
    if not isinstance(node, dict) or not node.get("id"):
        raise ParseError("Shopify dispute without an id")
    dispute_id = str(node.get("legacyResourceId") or legacy_id(node["id"]))
    due = node.get("evidenceDueBy")
    reason = (node.get("reasonDetails") or {}).get("reason") or ""
    return {
        "id": dispute_id,
        "type": (node.get("type") or "").lower(),
        "status": (node.get("status") or "").lower(),
        "due": _date(due, f"dispute {dispute_id} evidence due date") if due else None,
        "reason": reason.replace("_", " ").lower(),
    }


def row_from_balance_transaction(payout, node, disputes=None):
    """One canonical row from a ``ShopifyPaymentsBalanceTransaction`` node.

    ``disputes``: ``{dispute legacy id: dispute_from_graphql(...)}`` for the rows of
    source ``DISPUTE``; a dispute row whose dispute is unknown gets no status (open).
    """
    if not isinstance(node, dict) or not node.get("id"):
        raise ParseError(f"Shopify balance transaction without an id in payout {payout['id']}")
    tx_id = legacy_id(node["id"])
    what = f"balance transaction {tx_id}"
    raw_type = (node.get("type") or "").upper()
    row_type = TRANSACTION_TYPES.get(raw_type, "adjustment")
    amount = _amount(node.get("amount"), f"{what} amount")
    fee = _amount(node.get("fee") or {"amount": "0"}, f"{what} fee")
    net = _amount(node.get("net"), f"{what} net") if node.get("net") else amount - fee
    order = node.get("associatedOrder") or {}
    description = node.get("adjustmentReason") or raw_type.replace("_", " ").lower()
    status = payout["status"].lower()
    extra = {"shopify_type": raw_type, "source_type": node.get("sourceType"), "test": node.get("test")}
    due = None
    if node.get("sourceType") == DISPUTE_SOURCE and row_type in ("chargeback", "dispute_reversal"):
        dispute_id = legacy_id(node.get("sourceId")) or ""
        dispute = (disputes or {}).get(dispute_id)
        # the dispute's own status decides whether it is still open, not the payout's
        status = dispute["status"] if dispute else ""
        due = dispute["due"] if dispute else None
        reason = f": {dispute['reason']}" if dispute and dispute["reason"] else ""
        description = f"{description}{reason} (dispute {dispute_id})"
        extra["dispute_id"] = dispute_id
    return Row(
        settlement_ref=payout["id"],
        date=_date(node.get("transactionDate"), what) if row_type != "payout" else payout["date"],
        type=row_type,
        currency=(node.get("amount") or {}).get("currencyCode") or payout["currency"],
        gross=amount,
        fee=-fee,
        net=net,
        transaction_id=legacy_id(node.get("sourceOrderTransactionId")) or "",
        source_id=tx_id,
        order_reference=order.get("name") or "",
        description=description,
        status=status,
        dispute_due_date=due,
        extra=extra,
    )


def settlement_from_graphql(payout, transaction_nodes, disputes=None):
    """A canonical settlement of one payout and its balance transactions.

    When the transactions hold no transfer row (a filtered or partial answer), the
    payout row is made from the payout's net so that the settlement still states
    what reaches the bank.
    """
    rows = [row_from_balance_transaction(payout, node, disputes) for node in transaction_nodes]
    if not any(row.type == "payout" for row in rows):
        signed = -payout["net"] if not payout["withdrawal"] else payout["net"]
        rows.append(
            Row(
                settlement_ref=payout["id"],
                date=payout["date"],
                type="payout",
                currency=payout["currency"],
                gross=signed,
                fee=ZERO,
                net=signed,
                source_id=f"payout:{payout['id']}",
                description="transfer",
                status=payout["status"].lower(),
            )
        )
    return Settlement(external_id=payout["id"], currency=payout["currency"], rows=rows)


def iter_payouts(client, query=None):
    """Every payout of the shop, newest first (normalised)."""
    variables = {"first": PAYOUTS_PAGE, "query": query}
    for node in client.iter_nodes(PAYOUTS_DOCUMENT, variables, PAYOUTS_PATH):
        yield payout_from_graphql(node)


def payout_transactions(client, payout_id):
    variables = {"first": TRANSACTIONS_PAGE, "query": f"payments_transfer_id:{payout_id}"}
    return list(client.iter_nodes(TRANSACTIONS_DOCUMENT, variables, TRANSACTIONS_PATH))


def transaction_disputes(client, transaction_nodes):
    """``{dispute legacy id: dispute}`` of the balance transactions of source ``DISPUTE``
    (one query per dispute: a payout rarely holds more than a few)."""
    disputes = {}
    for node in transaction_nodes:
        if not isinstance(node, dict) or node.get("sourceType") != DISPUTE_SOURCE:
            continue
        dispute_id = legacy_id(node.get("sourceId"))
        if not dispute_id or dispute_id in disputes:
            continue
        found = fetch_dispute(client, dispute_id)
        if found:
            disputes[dispute_id] = found
    return disputes


def fetch_dispute(client, dispute_id):
    """The dispute ``dispute_id`` (legacy id) as :func:`dispute_from_graphql` gives it, None if unknown."""
    data = client.execute(DISPUTE_DOCUMENT, {"id": f"gid://shopify/ShopifyPaymentsDispute/{dispute_id}"})
    found = data.get("dispute")
    return dispute_from_graphql(found) if found else None


def fetch_settlements(client, known_ids=(), query=None, stop_after_known_pages=1):
    """Settlements of the payouts not in ``known_ids`` (payout legacy ids), newest first.

    Payouts come newest first: paging stops once ``stop_after_known_pages`` whole
    pages held only known payouts (older ones were fetched before). Failed and
    cancelled payouts are skipped.
    """
    known = {str(item) for item in known_ids}
    settlements = []
    known_pages = 0
    page = []
    for payout in iter_payouts(client, query):
        page.append(payout)
        if len(page) < PAYOUTS_PAGE:
            continue
        known_pages = known_pages + 1 if all(p["id"] in known for p in page) else 0
        settlements.extend(_new_settlements(client, page, known))
        page = []
        if known_pages >= stop_after_known_pages:
            break
    settlements.extend(_new_settlements(client, page, known))
    return settlements


def _new_settlements(client, payouts, known):
    result = []
    for payout in payouts:
        if payout["id"] in known or payout["status"] in SKIPPED_STATUSES:
            continue
        known.add(payout["id"])
        nodes = payout_transactions(client, payout["id"])
        result.append(settlement_from_graphql(payout, nodes, transaction_disputes(client, nodes)))
    return result
