"""Shopify payloads (GraphQL nodes and REST webhook bodies) as canonical dicts.

These dicts are the ONLY shapes the ORM code reads. Ids are numeric strings,
money is ``Decimal`` in the shop currency (unless the key says presentment),
datetimes are naive UTC, enums are lowercase, missing optional values are
``None`` and lists default to ``[]``. Malformed input raises ``PermanentError``.

order: id, gid, name, created_at, updated_at, processed_at, cancelled_at, cancel_reason, closed, test,
    currency, presentment_currency, financial_status, fulfillment_status ("unfulfilled" when REST sends null,
    REST "partial" -> "partially_fulfilled"), email, phone, note, tags [str], source_name, taxes_included,
    risk ("accept"|"investigate"|"cancel"|None), customer {id,email,phone,first_name,last_name}|None,
    billing_address / shipping_address {name,first_name,last_name,company,address1,address2,city,zip,
    province,province_code,country_code,phone}|None,
    lines [{id,variant_id,sku,title,variant_title,quantity,current_quantity,requires_shipping,unit_price,
    discount (all units),taxes [{title,rate,amount}]}], lines_complete,
    shipping_lines [{id,title,code,price,discount,taxes}] (removed REST shipping lines skipped),
    total, total_presentment, original_total, subtotal, total_tax, total_discounts, total_shipping
    (money keys are None only when the payload lacks them entirely),
    transactions [transaction], refund_ids [str], refunds [refund] (REST only; GraphQL -> []).
transaction: id, kind, status, gateway, amount, currency, amount_presentment, presentment_currency,
    authorization, payment_id, parent_id, processed_at (falls back to created_at).
refund: id, gid, order_id, created_at, updated_at (REST: processed_at, else created_at), note,
    lines [{line_id,sku,quantity,restock_type,subtotal,tax}], shipping (tax excluded), shipping_tax,
    adjustments [{reason (lowercase kind, e.g. "refund_discrepancy"), amount, tax}] (Shopify's sign kept),
    transactions [transaction], total (sum of successful refund transactions).
variant: id, gid, product_id, product_title, title, sku, barcode, price, inventory_item_id, tracked,
    updated_at, status (the product's, lowercase).
fulfillment: id, order_id, status, location_id, tracking_number, tracking_company, tracking_url,
    lines [{line_id,sku,quantity}], lines_complete (False when GraphQL had more line items than read),
    created_at, updated_at.
inventory_level: inventory_item_id, location_id, available (int; None when Shopify sends null), updated_at.
return: id, gid, name, order_id, status ("requested"|"open"|"declined"|"canceled"|"closed"), decline_reason,
    decline_note, lines [{id,line_id (the order's line item),fulfillment_line_id,sku,quantity,reason (lowercase),
    reason_note,customer_note}], lines_complete (False for webhook bodies without lines),
    reverse_lines [{id,reverse_order_id,fulfillment_line_id,line_id,total_quantity,
    dispositions [{type (lowercase),quantity,location_id}]}], refund_ids [str].
Refunds also carry return_id (the return they refund, None when none or not asked for).
"""

import functools
import re
from decimal import Decimal, InvalidOperation

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_base.lib.timestamps import parse_timestamp

ZERO = Decimal("0")
_GID_RE = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(?:\?.*)?$")
_NUMERIC_RE = re.compile(r"^\d+$")
_REST_FULFILLMENT_STATUS = {None: "unfulfilled", "partial": "partially_fulfilled"}


# ---------------------------------------------------------------- primitives


def _clear_errors(what):
    """Any slip on a malformed payload (a list where a dict was expected, a
    missing key...) becomes a PermanentError naming the entity: callers get one
    clear error class, never a bare TypeError."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except PermanentError:
                raise
            except (AttributeError, TypeError, KeyError, IndexError, ValueError, ArithmeticError) as error:
                raise PermanentError(f"Malformed Shopify {what}: {type(error).__name__}: {error}") from error

        return wrapper

    return decorate


def legacy_id(gid_or_id):
    """Numeric string id from a gid, an int or a numeric string (None stays None)."""
    if gid_or_id is None or gid_or_id == "":
        return None
    if isinstance(gid_or_id, bool):
        raise PermanentError(f"Not a Shopify id: {gid_or_id!r}")
    if isinstance(gid_or_id, int):
        return str(gid_or_id)
    if isinstance(gid_or_id, str):
        text = gid_or_id.strip()
        if _NUMERIC_RE.match(text):
            return text
        match = _GID_RE.match(text)
        if match:
            return match.group(2)
    raise PermanentError(f"Not a Shopify id: {gid_or_id!r}")


def to_gid(kind, id_):
    """``gid://shopify/<Kind>/<id>``."""
    legacy = legacy_id(id_)
    if legacy is None:
        raise PermanentError(f"Cannot build a {kind} gid without an id")
    return f"gid://shopify/{kind}/{legacy}"


def gid_type(gid):
    """``"Order"`` for ``gid://shopify/Order/1`` (None for anything else)."""
    match = _GID_RE.match(gid or "") if isinstance(gid, str) else None
    return match.group(1) if match else None


def _require_dict(value, what):
    if not isinstance(value, dict):
        raise PermanentError(f"Shopify {what}: expected a JSON object, got {type(value).__name__}")
    return value


def _unwrap(body, key, what):
    """REST responses wrap the resource (``{"order": {...}}``); webhooks do not."""
    _require_dict(body, what)
    if "id" not in body and isinstance(body.get(key), dict):
        return body[key]
    return body


def _require_id(value, what):
    result = legacy_id(value)
    if result is None:
        raise PermanentError(f"Shopify {what} without an id")
    return result


def _decimal(value, what):
    """Decimal from a string/number; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PermanentError(f"Unparsable amount for {what}: {value!r}")
    try:
        result = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except (InvalidOperation, ValueError):
        result = None
    if result is None or not result.is_finite():
        raise PermanentError(f"Unparsable amount for {what}: {value!r}")
    return result


def _int(value, what, default=None):
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):
            raise TypeError
        result = int(value)
        if isinstance(value, float) and result != value:
            raise ValueError
        return result
    except (TypeError, ValueError):
        raise PermanentError(f"Unparsable quantity for {what}: {value!r}") from None


def _ts(value, what):
    if value in (None, ""):
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise PermanentError(f"Unparsable date for {what}: {value!r}")
    return parsed


def _lower(value):
    return value.lower() if isinstance(value, str) and value else None


def _bag(bag, what, presentment=False):
    """Amount of a GraphQL MoneyBag (shopMoney) or a REST ``*_set`` (shop_money)."""
    if not isinstance(bag, dict):
        return None
    if presentment:
        money = bag.get("presentmentMoney") or bag.get("presentment_money")
    else:
        money = bag.get("shopMoney") or bag.get("shop_money")
    if not isinstance(money, dict):
        return None
    return _decimal(money.get("amount"), what)


def _bag_currency(bag, presentment=False):
    if not isinstance(bag, dict):
        return None
    if presentment:
        money = bag.get("presentmentMoney") or bag.get("presentment_money")
    else:
        money = bag.get("shopMoney") or bag.get("shop_money")
    if not isinstance(money, dict):
        return None
    return money.get("currencyCode") or money.get("currency_code") or money.get("currency")


def _rest_money(body, key, what):
    """REST amount: ``<key>_set.shop_money`` when present, else the plain string."""
    amount = _bag(body.get(f"{key}_set"), what)
    return amount if amount is not None else _decimal(body.get(key), what)


def _nodes(connection):
    """Nodes of a connection (``nodes`` or ``edges[].node``) or of a plain list."""
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if isinstance(connection, dict):
        if connection.get("nodes") is not None:
            return connection["nodes"]
        return [edge.get("node") for edge in connection.get("edges") or [] if isinstance(edge, dict)]
    raise PermanentError(f"Unexpected connection value: {type(connection).__name__}")


def _sum(amounts):
    return sum((amount for amount in amounts if amount is not None), ZERO)


# ---------------------------------------------------------------- shared parts


def _address_graphql(address):
    if not address:
        return None
    _require_dict(address, "address")
    return {
        "name": address.get("name"),
        "first_name": address.get("firstName"),
        "last_name": address.get("lastName"),
        "company": address.get("company"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "zip": address.get("zip"),
        "province": address.get("province"),
        "province_code": address.get("provinceCode"),
        "country_code": address.get("countryCodeV2") or address.get("countryCode"),
        "phone": address.get("phone"),
    }


def _address_rest(address):
    if not address:
        return None
    _require_dict(address, "address")
    keys = ("name", "first_name", "last_name", "company", "address1", "address2", "city", "zip", "province")
    result = {key: address.get(key) for key in keys}
    result["province_code"] = address.get("province_code")
    result["country_code"] = address.get("country_code")
    result["phone"] = address.get("phone")
    return result


def _taxes_graphql(tax_lines, what):
    return [
        {
            "title": tax.get("title"),
            "rate": _decimal(tax.get("rate"), f"{what} tax rate"),
            "amount": _bag(tax.get("priceSet"), f"{what} tax") or ZERO,
        }
        for tax in tax_lines or []
    ]


def _taxes_rest(tax_lines, what):
    return [
        {
            "title": tax.get("title"),
            "rate": _decimal(tax.get("rate"), f"{what} tax rate"),
            "amount": _rest_money(tax, "price", f"{what} tax") or ZERO,
        }
        for tax in tax_lines or []
    ]


def _discount_graphql(allocations, what):
    return _sum(_bag(item.get("allocatedAmountSet"), f"{what} discount") for item in allocations or [])


def _discount_rest(allocations, what):
    return _sum(_rest_money(item, "amount", f"{what} discount") for item in allocations or [])


def _transaction_graphql(node, currency=None):
    _require_dict(node, "transaction")
    tx_id = _require_id(node.get("id"), "transaction")
    bag = node.get("amountSet")
    presentment = _bag(bag, f"transaction {tx_id} amount", presentment=True)
    return {
        "id": tx_id,
        "kind": _lower(node.get("kind")),
        "status": _lower(node.get("status")),
        "gateway": node.get("gateway"),
        "amount": _bag(bag, f"transaction {tx_id} amount") or ZERO,
        "currency": _bag_currency(bag) or currency,
        "amount_presentment": presentment,
        "presentment_currency": _bag_currency(bag, presentment=True) if presentment is not None else None,
        "authorization": node.get("authorizationCode"),
        "payment_id": node.get("paymentId"),
        "parent_id": legacy_id((node.get("parentTransaction") or {}).get("id")),
        "processed_at": _ts(node.get("processedAt") or node.get("createdAt"), f"transaction {tx_id}"),
    }


def _transaction_rest(body):
    _require_dict(body, "transaction")
    tx_id = _require_id(body.get("id"), "transaction")
    what = f"transaction {tx_id} amount"
    bag = body.get("amount_set")
    presentment = _bag(bag, what, presentment=True)
    amount = _bag(bag, what)
    return {
        "id": tx_id,
        "kind": _lower(body.get("kind")),
        "status": _lower(body.get("status")),
        "gateway": body.get("gateway"),
        "amount": amount if amount is not None else (_decimal(body.get("amount"), what) or ZERO),
        "currency": _bag_currency(bag) or body.get("currency"),
        "amount_presentment": presentment,
        "presentment_currency": _bag_currency(bag, presentment=True) if presentment is not None else None,
        "authorization": body.get("authorization"),
        "payment_id": body.get("payment_id"),
        "parent_id": legacy_id(body.get("parent_id")),
        "processed_at": _ts(body.get("processed_at") or body.get("created_at"), f"transaction {tx_id}"),
    }


def _refund_total(transactions):
    return _sum(tx["amount"] for tx in transactions if tx["kind"] == "refund" and tx["status"] == "success")


# ---------------------------------------------------------------- orders


def _line_graphql(node):
    _require_dict(node, "line item")
    line_id = _require_id(node.get("id"), "line item")
    what = f"line item {line_id}"
    quantity = _int(node.get("quantity"), what, 0)
    return {
        "id": line_id,
        "variant_id": legacy_id((node.get("variant") or {}).get("id")),
        "sku": node.get("sku") or None,
        "title": node.get("title"),
        "variant_title": node.get("variantTitle"),
        "quantity": quantity,
        "current_quantity": _int(node.get("currentQuantity"), what, quantity),
        "requires_shipping": bool(node.get("requiresShipping")),
        "unit_price": _bag(node.get("originalUnitPriceSet"), f"{what} price") or ZERO,
        "discount": _discount_graphql(node.get("discountAllocations"), what),
        "taxes": _taxes_graphql(node.get("taxLines"), what),
    }


def _shipping_graphql(node):
    _require_dict(node, "shipping line")
    line_id = _require_id(node.get("id"), "shipping line")
    what = f"shipping line {line_id}"
    return {
        "id": line_id,
        "title": node.get("title"),
        "code": node.get("code"),
        "price": _bag(node.get("originalPriceSet"), f"{what} price") or ZERO,
        "discount": _discount_graphql(node.get("discountAllocations"), what),
        "taxes": _taxes_graphql(node.get("taxLines"), what),
    }


def _tags(value):
    if isinstance(value, list):
        return [str(tag).strip() for tag in value if str(tag).strip()]
    if isinstance(value, str):
        return [tag.strip() for tag in value.split(",") if tag.strip()]
    return []


@_clear_errors("order")
def order_from_graphql(node):
    """Canonical order from an ``OrderFields`` node (query or rebuilt bulk row)."""
    _require_dict(node, "order")
    order_id = _require_id(node.get("legacyResourceId") or node.get("id"), "order")
    what = f"order {order_id}"
    currency = node.get("currencyCode")
    customer = node.get("customer")
    line_connection = node.get("lineItems")
    page_info = line_connection.get("pageInfo") if isinstance(line_connection, dict) else None
    risk = _lower((node.get("risk") or {}).get("recommendation"))
    current_total = node.get("currentTotalPriceSet")
    original = node.get("totalPriceSet")
    total = _bag(current_total, f"{what} total")
    total_presentment = _bag(current_total, f"{what} total", presentment=True)
    return {
        "id": order_id,
        "gid": node.get("id") if gid_type(node.get("id")) else to_gid("Order", order_id),
        "name": node.get("name"),
        "created_at": _ts(node.get("createdAt"), what),
        "updated_at": _ts(node.get("updatedAt"), what),
        "processed_at": _ts(node.get("processedAt"), what),
        "cancelled_at": _ts(node.get("cancelledAt"), what),
        "cancel_reason": _lower(node.get("cancelReason")),
        "closed": bool(node.get("closed")),
        "test": bool(node.get("test")),
        "currency": currency,
        "presentment_currency": node.get("presentmentCurrencyCode") or currency,
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": _lower(node.get("displayFulfillmentStatus")),
        "email": node.get("email"),
        "phone": node.get("phone"),
        "note": node.get("note"),
        "tags": _tags(node.get("tags")),
        "source_name": node.get("sourceName"),
        "taxes_included": bool(node.get("taxesIncluded")),
        "risk": None if risk in (None, "none") else risk,
        "customer": {
            "id": _require_id(customer.get("id"), "customer"),
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "first_name": customer.get("firstName"),
            "last_name": customer.get("lastName"),
        }
        if isinstance(customer, dict)
        else None,
        "billing_address": _address_graphql(node.get("billingAddress")),
        "shipping_address": _address_graphql(node.get("shippingAddress")),
        "lines": [_line_graphql(line) for line in _nodes(line_connection)],
        "lines_complete": not (page_info or {}).get("hasNextPage"),
        "shipping_lines": [_shipping_graphql(line) for line in _nodes(node.get("shippingLines"))],
        "total": total if total is not None else _bag(original, f"{what} total"),
        "total_presentment": total_presentment
        if total_presentment is not None
        else _bag(original, f"{what} total", presentment=True),
        "original_total": _bag(original, f"{what} original total"),
        "subtotal": _bag(node.get("currentSubtotalPriceSet"), f"{what} subtotal"),
        "total_tax": _bag(node.get("currentTotalTaxSet"), f"{what} tax"),
        "total_discounts": _bag(node.get("currentTotalDiscountsSet"), f"{what} discounts"),
        "total_shipping": _bag(node.get("currentShippingPriceSet"), f"{what} shipping"),
        "transactions": [_transaction_graphql(tx, currency) for tx in _nodes(node.get("transactions"))],
        "refund_ids": [_require_id(refund.get("id"), "refund") for refund in _nodes(node.get("refunds"))],
        "refunds": [],
        "fulfillment_statuses": {
            _require_id(item.get("id"), "fulfillment"): _lower(item.get("status"))
            for item in _nodes(node.get("fulfillments"))
            if isinstance(item, dict)
        },
        # where Shopify routed the order (its fulfilment orders' locations, first first)
        "assigned_location_ids": _assigned_locations(node),
        # where what is left to ship is now (a merchant may move it to another location)
        "open_location_ids": _assigned_locations(node, OPEN_FULFILLMENT_ORDER_STATUSES),
        # a fulfilment order on hold: nothing of it may ship until Shopify releases it
        "fulfillment_on_hold": any(
            isinstance(item, dict) and _lower(item.get("status")) == "on_hold"
            for item in _nodes(node.get("fulfillmentOrders"))
        ),
    }


#: fulfilment orders with something left to ship from their location
OPEN_FULFILLMENT_ORDER_STATUSES = ("open", "in_progress", "scheduled", "on_hold")


def _assigned_locations(node, statuses=None):
    """Location ids of the order's fulfilment orders (of those ``statuses`` when given), once each."""
    found = []
    for item in _nodes(node.get("fulfillmentOrders")):
        if not isinstance(item, dict) or (statuses and _lower(item.get("status")) not in statuses):
            continue
        location_id = legacy_id((((item.get("assignedLocation") or {}).get("location")) or {}).get("id"))
        if location_id and location_id not in found:
            found.append(location_id)
    return found


def _line_rest(body):
    _require_dict(body, "line item")
    line_id = _require_id(body.get("id"), "line item")
    what = f"line item {line_id}"
    quantity = _int(body.get("quantity"), what, 0)
    return {
        "id": line_id,
        "variant_id": legacy_id(body.get("variant_id")),
        "sku": body.get("sku") or None,
        "title": body.get("title"),
        "variant_title": body.get("variant_title"),
        "quantity": quantity,
        "current_quantity": _int(body.get("current_quantity"), what, quantity),
        "requires_shipping": bool(body.get("requires_shipping")),
        "unit_price": _rest_money(body, "price", f"{what} price") or ZERO,
        "discount": _discount_rest(body.get("discount_allocations"), what),
        "taxes": _taxes_rest(body.get("tax_lines"), what),
    }


def _shipping_rest(body):
    _require_dict(body, "shipping line")
    line_id = _require_id(body.get("id"), "shipping line")
    what = f"shipping line {line_id}"
    return {
        "id": line_id,
        "title": body.get("title"),
        "code": body.get("code"),
        "price": _rest_money(body, "price", f"{what} price") or ZERO,
        "discount": _discount_rest(body.get("discount_allocations"), what),
        "taxes": _taxes_rest(body.get("tax_lines"), what),
    }


def _rest_current(body, key, what, presentment=False):
    """``current_<key>`` (after edits and refunds), falling back to ``<key>``."""
    for name in (f"current_{key}", key):
        if presentment:
            amount = _bag(body.get(f"{name}_set"), what, presentment=True)
        else:
            amount = _rest_money(body, name, what)
        if amount is not None:
            return amount
    return None


@_clear_errors("order")
def order_from_rest(body):
    """Canonical order from a REST order body (orders/* webhooks; ``{"order": ...}`` accepted)."""
    body = _unwrap(body, "order", "order")
    order_id = _require_id(body.get("id"), "order")
    what = f"order {order_id}"
    customer = body.get("customer")
    fulfillment_status = body.get("fulfillment_status")
    refunds = [refund_from_rest(refund) for refund in body.get("refunds") or []]
    return {
        "id": order_id,
        "gid": body.get("admin_graphql_api_id") or to_gid("Order", order_id),
        "name": body.get("name"),
        "created_at": _ts(body.get("created_at"), what),
        "updated_at": _ts(body.get("updated_at"), what),
        "processed_at": _ts(body.get("processed_at"), what),
        "cancelled_at": _ts(body.get("cancelled_at"), what),
        "cancel_reason": _lower(body.get("cancel_reason")),
        "closed": bool(body.get("closed_at")),
        "test": bool(body.get("test")),
        "currency": body.get("currency"),
        "presentment_currency": body.get("presentment_currency") or body.get("currency"),
        "financial_status": _lower(body.get("financial_status")),
        "fulfillment_status": _REST_FULFILLMENT_STATUS.get(fulfillment_status, _lower(fulfillment_status)),
        "email": body.get("email") or body.get("contact_email"),
        "phone": body.get("phone"),
        "note": body.get("note"),
        "tags": _tags(body.get("tags")),
        "source_name": body.get("source_name"),
        "taxes_included": bool(body.get("taxes_included")),
        "risk": None,  # not in webhooks; the importer re-reads the order through GraphQL
        "customer": {
            "id": _require_id(customer.get("id"), "customer"),
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "first_name": customer.get("first_name"),
            "last_name": customer.get("last_name"),
        }
        if isinstance(customer, dict) and customer.get("id") is not None
        else None,
        "billing_address": _address_rest(body.get("billing_address")),
        "shipping_address": _address_rest(body.get("shipping_address")),
        "lines": [_line_rest(line) for line in body.get("line_items") or []],
        "lines_complete": True,
        # removed shipping lines no longer count (GraphQL's shippingLines hides them too)
        "shipping_lines": [
            _shipping_rest(line) for line in body.get("shipping_lines") or [] if not line.get("is_removed")
        ],
        "total": _rest_current(body, "total_price", f"{what} total"),
        "total_presentment": _rest_current(body, "total_price", f"{what} total", presentment=True),
        "original_total": _rest_money(body, "total_price", f"{what} original total"),
        "subtotal": _rest_current(body, "subtotal_price", f"{what} subtotal"),
        "total_tax": _rest_current(body, "total_tax", f"{what} tax"),
        "total_discounts": _rest_current(body, "total_discounts", f"{what} discounts"),
        "total_shipping": _bag(body.get("total_shipping_price_set"), f"{what} shipping"),
        "transactions": [_transaction_rest(tx) for tx in body.get("transactions") or []],
        "refund_ids": [refund["id"] for refund in refunds],
        "refunds": refunds,
        "fulfillment_statuses": {
            str(item["id"]): _lower(item.get("status"))
            for item in body.get("fulfillments") or []
            if isinstance(item, dict) and item.get("id")
        },
        "assigned_location_ids": [],  # not in REST bodies: the webhook re-reads the order
        "open_location_ids": [],
        "fulfillment_on_hold": False,
    }


@_clear_errors("order")
def order_total_check(order):
    """Shopify's current total minus the total rebuilt from the canonical lines.

    A line counts pro rata of ``current_quantity / quantity`` (its discount and
    taxes cover all original units); taxes are added unless included in prices.
    Zero when the order reconciles.
    """
    included = order["taxes_included"]
    rebuilt = ZERO
    for line in order["lines"]:
        if not line["quantity"]:
            continue
        gross = line["unit_price"] * line["quantity"] - line["discount"]
        if not included:
            gross += _sum(tax["amount"] for tax in line["taxes"])
        rebuilt += gross * line["current_quantity"] / line["quantity"]
    for line in order["shipping_lines"]:
        rebuilt += line["price"] - line["discount"]
        if not included:
            rebuilt += _sum(tax["amount"] for tax in line["taxes"])
    return (order["total"] or ZERO) - rebuilt.quantize(Decimal("0.01"))


@_clear_errors("order balance")
def outstanding_from_graphql(node):
    """What the customer still owes on an order, from an ``OrderOutstanding`` node:
    ``{"order_id", "name", "email", "amount" (Decimal, shop currency), "currency"}``."""
    _require_dict(node, "order")
    bag = node.get("totalOutstandingSet")
    amount = _bag(bag, "totalOutstandingSet")
    if amount is None:
        raise PermanentError("Shopify order has no totalOutstandingSet")
    return {
        "order_id": _require_id(node.get("id"), "order"),
        "name": node.get("name"),
        "email": node.get("email") or None,
        "amount": amount,
        "currency": _bag_currency(bag),
    }


@_clear_errors("customer")
def customer_from_rest(body):
    """Canonical customer of a customers/* body: ``{"id", "email", "phone", "first_name",
    "last_name", "updated_at"}`` (empty strings as None)."""
    body = _unwrap(body, "customer", "customer")
    customer_id = _require_id(body.get("id"), "customer")
    return {
        "id": customer_id,
        "email": (body.get("email") or "").strip() or None,
        "phone": (body.get("phone") or "").strip() or None,
        "first_name": (body.get("first_name") or "").strip() or None,
        "last_name": (body.get("last_name") or "").strip() or None,
        "updated_at": _ts(body.get("updated_at"), f"customer {customer_id}"),
    }


def fulfillment_order_event_from_rest(body):
    """Canonical body of a fulfillment_orders/* webhook (moved, placed_on_hold,
    hold_released): ``{"order_id" (None: read it through the API), "fulfillment_order_id"
    (the moved one for a move), "original_fulfillment_order_id", "destination_location_id"}``."""
    _require_dict(body, "fulfilment order event")
    moved = _require_dict(body.get("moved_fulfillment_order") or {}, "moved fulfilment order")
    original = _require_dict(body.get("original_fulfillment_order") or {}, "original fulfilment order")
    current = _require_dict(body.get("fulfillment_order") or moved, "fulfilment order")
    return {
        "order_id": legacy_id(current.get("order_id") or original.get("order_id")),
        "fulfillment_order_id": _require_id(current.get("id"), "fulfilment order"),
        "original_fulfillment_order_id": legacy_id(original.get("id")),
        "destination_location_id": legacy_id(body.get("destination_location_id") or moved.get("assigned_location_id")),
    }


def privacy_request_from_rest(body):
    """Canonical privacy request of a customers/data_request, customers/redact or
    shop/redact body: ``{"shop_domain", "customer": {"id", "email", "phone"} or None,
    "order_ids": [...], "data_request_id"}``. Shopify sends them to every app that
    can read customers or orders; a customer may have no Shopify id left."""
    _require_dict(body, "privacy request")
    customer = body.get("customer")
    if customer is not None:
        _require_dict(customer, "privacy request customer")
        customer = {
            "id": legacy_id(customer.get("id")),
            "email": (customer.get("email") or "").strip() or None,
            "phone": (customer.get("phone") or "").strip() or None,
        }
    order_ids = body.get("orders_to_redact", body.get("orders_requested")) or []
    if not isinstance(order_ids, list):
        raise PermanentError("Shopify privacy request: the orders are not a list")
    data_request = body.get("data_request") or {}
    return {
        "shop_domain": (body.get("shop_domain") or "").strip().lower() or None,
        "customer": customer,
        "order_ids": [legacy_id(order_id) for order_id in order_ids],
        "data_request_id": legacy_id(data_request.get("id")) if isinstance(data_request, dict) else None,
    }


# ---------------------------------------------------------------- refunds


@_clear_errors("refund")
def refund_from_graphql(node):
    """Canonical refund from a ``RefundFields`` node."""
    _require_dict(node, "refund")
    refund_id = _require_id(node.get("legacyResourceId") or node.get("id"), "refund")
    what = f"refund {refund_id}"
    lines = []
    for item in _nodes(node.get("refundLineItems")):
        line = item.get("lineItem") or {}
        lines.append(
            {
                "line_id": _require_id(line.get("id"), f"{what} line item"),
                "sku": line.get("sku") or None,
                "quantity": _int(item.get("quantity"), what, 0),
                "restock_type": _lower(item.get("restockType")),
                "subtotal": _bag(item.get("subtotalSet"), f"{what} line subtotal") or ZERO,
                "tax": _bag(item.get("totalTaxSet"), f"{what} line tax") or ZERO,
            }
        )
    shipping = _nodes(node.get("refundShippingLines"))
    has_transactions = node.get("transactions") is not None
    transactions = [_transaction_graphql(tx) for tx in _nodes(node.get("transactions"))]
    total = _refund_total(transactions)
    if not has_transactions:
        total = _bag(node.get("totalRefundedSet"), f"{what} total") or ZERO
    return {
        "id": refund_id,
        "gid": node.get("id") if gid_type(node.get("id")) else to_gid("Refund", refund_id),
        "order_id": legacy_id((node.get("order") or {}).get("id")),
        "created_at": _ts(node.get("createdAt"), what),
        "updated_at": _ts(node.get("updatedAt") or node.get("createdAt"), what),
        "note": node.get("note"),
        "lines": lines,
        "shipping": _sum(_bag(item.get("subtotalAmountSet"), f"{what} shipping") for item in shipping),
        "shipping_tax": _sum(_bag(item.get("taxAmountSet"), f"{what} shipping tax") for item in shipping),
        "adjustments": [
            {
                "reason": _lower(item.get("reason")),
                "amount": _bag(item.get("amountSet"), f"{what} adjustment") or ZERO,
                "tax": _bag(item.get("taxAmountSet"), f"{what} adjustment tax") or ZERO,
            }
            for item in _nodes(node.get("orderAdjustments"))
        ],
        "transactions": transactions,
        "total": total,
        "return_id": _return_ref(node.get("return")),
    }


@_clear_errors("refund")
def refund_from_rest(body):
    """Canonical refund from a REST refund body (refunds/create; ``{"refund": ...}`` accepted)."""
    body = _unwrap(body, "refund", "refund")
    refund_id = _require_id(body.get("id"), "refund")
    what = f"refund {refund_id}"
    lines = [
        {
            "line_id": _require_id(item.get("line_item_id"), f"{what} line item"),
            "sku": (item.get("line_item") or {}).get("sku") or None,
            "quantity": _int(item.get("quantity"), what, 0),
            "restock_type": _lower(item.get("restock_type")),
            "subtotal": _rest_money(item, "subtotal", f"{what} line subtotal") or ZERO,
            "tax": _rest_money(item, "total_tax", f"{what} line tax") or ZERO,
        }
        for item in body.get("refund_line_items") or []
    ]
    shipping_lines = body.get("refund_shipping_lines") or []
    shipping = _sum(_bag(item.get("subtotal_amount_set"), f"{what} shipping") for item in shipping_lines)
    shipping_tax = _sum(_bag(item.get("tax_amount_set"), f"{what} shipping tax") for item in shipping_lines)
    adjustments = []
    for item in body.get("order_adjustments") or []:
        amount = _rest_money(item, "amount", f"{what} adjustment") or ZERO
        tax = _rest_money(item, "tax_amount", f"{what} adjustment tax") or ZERO
        if item.get("kind") == "shipping_refund":
            # legacy form of a shipping refund (negative); refund_shipping_lines supersede it
            if not shipping_lines:
                shipping -= amount
                shipping_tax -= tax
            continue
        adjustments.append(
            {"reason": _lower(item.get("kind")) or _lower(item.get("reason")), "amount": amount, "tax": tax}
        )
    transactions = [_transaction_rest(tx) for tx in body.get("transactions") or []]
    return {
        "id": refund_id,
        "gid": body.get("admin_graphql_api_id") or to_gid("Refund", refund_id),
        "order_id": legacy_id(body.get("order_id")),
        "created_at": _ts(body.get("created_at"), what),
        "updated_at": _ts(body.get("updated_at") or body.get("processed_at") or body.get("created_at"), what),
        "note": body.get("note"),
        "lines": lines,
        "shipping": shipping,
        "shipping_tax": shipping_tax,
        "adjustments": adjustments,
        "transactions": transactions,
        "total": _refund_total(transactions),
        "return_id": _return_ref(body.get("return")),
    }


# ---------------------------------------------------------------- catalogue, fulfilment, stock


@_clear_errors("variant")
def variant_from_graphql(node):
    """Canonical variant from a ``ProductVariants`` node."""
    _require_dict(node, "variant")
    variant_id = _require_id(node.get("id"), "variant")
    what = f"variant {variant_id}"
    product = node.get("product") or {}
    item = node.get("inventoryItem") or {}
    price = node.get("price")
    if isinstance(price, dict):  # MoneyV2 in some versions
        price = price.get("amount")
    return {
        "id": variant_id,
        "gid": node.get("id") if gid_type(node.get("id")) else to_gid("ProductVariant", variant_id),
        "product_id": legacy_id(product.get("id")),
        "product_title": product.get("title"),
        "title": node.get("title"),
        "sku": node.get("sku") or None,
        "barcode": node.get("barcode") or None,
        "price": _decimal(price, f"{what} price") or ZERO,
        "inventory_item_id": legacy_id(item.get("id")),
        "tracked": bool(item.get("tracked")),
        "updated_at": _ts(node.get("updatedAt"), what),
        "status": _lower(product.get("status")),
    }


@_clear_errors("product")
def variants_from_rest_product(body):
    """Canonical variants of a REST product body (products/*; ``{"product": ...}`` accepted)."""
    body = _unwrap(body, "product", "product")
    product_id = _require_id(body.get("id"), "product")
    variants = []
    for variant in body.get("variants") or []:
        _require_dict(variant, "variant")
        variant_id = _require_id(variant.get("id"), "variant")
        what = f"variant {variant_id}"
        variants.append(
            {
                "id": variant_id,
                "gid": variant.get("admin_graphql_api_id") or to_gid("ProductVariant", variant_id),
                "product_id": product_id,
                "product_title": body.get("title"),
                "title": variant.get("title"),
                "sku": variant.get("sku") or None,
                "barcode": variant.get("barcode") or None,
                "price": _decimal(variant.get("price"), f"{what} price") or ZERO,
                "inventory_item_id": legacy_id(variant.get("inventory_item_id")),
                "tracked": variant.get("inventory_management") == "shopify",
                "updated_at": _ts(variant.get("updated_at"), what),
                "status": _lower(body.get("status")),
            }
        )
    return variants


@_clear_errors("fulfillment")
def fulfillment_from_rest(body):
    """Canonical fulfilment from a REST fulfillment body (``{"fulfillment": ...}`` accepted)."""
    body = _unwrap(body, "fulfillment", "fulfillment")
    fulfillment_id = _require_id(body.get("id"), "fulfillment")
    what = f"fulfillment {fulfillment_id}"
    numbers = body.get("tracking_numbers") or []
    urls = body.get("tracking_urls") or []
    return {
        "id": fulfillment_id,
        "order_id": legacy_id(body.get("order_id")),
        "status": _lower(body.get("status")),
        "location_id": legacy_id(body.get("location_id")),
        "tracking_number": body.get("tracking_number") or (numbers[0] if numbers else None),
        "tracking_company": body.get("tracking_company"),
        "tracking_url": body.get("tracking_url") or (urls[0] if urls else None),
        "lines": [
            {
                "line_id": _require_id(line.get("id"), f"{what} line item"),
                "sku": line.get("sku") or None,
                "quantity": _int(line.get("quantity"), what, 0),
            }
            for line in body.get("line_items") or []
        ],
        "lines_complete": True,
        "created_at": _ts(body.get("created_at"), what),
        "updated_at": _ts(body.get("updated_at"), what),
    }


@_clear_errors("fulfillment")
def fulfillments_from_graphql(order_node):
    """Canonical fulfilments of an ``OrderFulfillments`` order node, oldest first."""
    _require_dict(order_node, "order")
    order_id = _require_id(order_node.get("legacyResourceId") or order_node.get("id"), "order")
    fulfillments = []
    for node in _nodes(order_node.get("fulfillments")):
        _require_dict(node, "fulfillment")
        fulfillment_id = _require_id(node.get("id"), "fulfillment")
        what = f"fulfillment {fulfillment_id}"
        tracking = next(iter(_nodes(node.get("trackingInfo"))), None) or {}
        line_connection = node.get("fulfillmentLineItems")
        page_info = line_connection.get("pageInfo") if isinstance(line_connection, dict) else None
        lines = []
        for item in _nodes(line_connection):
            line = _require_dict(item, f"{what} line item").get("lineItem") or {}
            lines.append(
                {
                    "line_id": _require_id(line.get("id"), f"{what} line item"),
                    "sku": line.get("sku") or None,
                    "quantity": _int(item.get("quantity"), what, 0),
                }
            )
        fulfillments.append(
            {
                "id": fulfillment_id,
                "order_id": order_id,
                "status": _lower(node.get("status")),
                "location_id": legacy_id((node.get("location") or {}).get("id")),
                "tracking_number": tracking.get("number"),
                "tracking_company": tracking.get("company"),
                "tracking_url": tracking.get("url"),
                "lines": lines,
                "lines_complete": not (page_info or {}).get("hasNextPage"),
                "created_at": _ts(node.get("createdAt"), what),
                "updated_at": _ts(node.get("updatedAt"), what),
            }
        )
    # the first fulfilment validates the delivery, the later ones its backorders
    fulfillments.sort(key=lambda fulfillment: (fulfillment["created_at"] is None, fulfillment["created_at"] or 0))
    return fulfillments


@_clear_errors("inventory level")
def inventory_level_from_rest(body):
    """Canonical inventory level from a REST body (inventory_levels/update)."""
    body = _unwrap(body, "inventory_level", "inventory level")
    item_id = _require_id(body.get("inventory_item_id"), "inventory level (inventory_item_id)")
    location_id = _require_id(body.get("location_id"), "inventory level (location_id)")
    what = f"inventory level {item_id}@{location_id}"
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": _int(body.get("available"), what),
        "updated_at": _ts(body.get("updated_at"), what),
    }


# ---------------------------------------------------------------- returns


def _return_ref(value):
    """Id of the return a refund belongs to (``{"id": ...}`` in both APIs)."""
    if isinstance(value, dict):
        return legacy_id(value.get("id"))
    return None


def _return_line(item, what, rest=False):
    _require_dict(item, what)
    fulfillment_line = item.get("fulfillment_line_item" if rest else "fulfillmentLineItem") or {}
    line = fulfillment_line.get("line_item" if rest else "lineItem") or {}
    line_id = legacy_id(line.get("id")) or (legacy_id(item.get("line_item_id")) if rest else None)
    line_id = _require_id(line_id, f"{what} order line item")
    reason, reason_note, customer_note = (
        ("return_reason", "return_reason_note", "customer_note")
        if rest
        else ("returnReason", "returnReasonNote", "customerNote")
    )
    return {
        "id": _require_id(item.get("id"), what),
        "line_id": line_id,
        "fulfillment_line_id": legacy_id(fulfillment_line.get("id")),
        "sku": line.get("sku") or None,
        "quantity": _int(item.get("quantity"), what, 0),
        "reason": _lower(item.get(reason)),
        "reason_note": item.get(reason_note) or None,
        "customer_note": item.get(customer_note) or None,
    }


def _reverse_line(item, reverse_order_id, what, rest=False):
    _require_dict(item, what)
    fulfillment_line = item.get("fulfillment_line_item" if rest else "fulfillmentLineItem") or {}
    line = fulfillment_line.get("line_item" if rest else "lineItem") or {}
    return {
        "id": _require_id(item.get("id"), what),
        "reverse_order_id": reverse_order_id,
        "fulfillment_line_id": legacy_id(fulfillment_line.get("id")),
        "line_id": legacy_id(line.get("id")),
        "total_quantity": _int(item.get("total_quantity" if rest else "totalQuantity"), what, 0),
        "dispositions": [
            {
                "type": _lower(disposition.get("type")),
                "quantity": _int(disposition.get("quantity"), what, 0),
                "location_id": legacy_id(
                    (disposition.get("location") or {}).get("id") or disposition.get("location_id")
                ),
            }
            for disposition in item.get("dispositions") or []
        ],
    }


def _exchange_line(item, what, rest=False):
    """An exchange line item: the replacement asked for, as the order line item Shopify
    adds (with its price, discount and taxes, as an order line's)."""
    _require_dict(item, what)
    raw = item.get("line_item" if rest else "lineItem")
    line = _line_rest(raw) if rest else _line_graphql(raw)
    priced = bool(raw.get("price_set") or raw.get("price")) if rest else bool(raw.get("originalUnitPriceSet"))
    return {
        "id": _require_id(item.get("id"), what),
        "line_id": line["id"],
        "sku": (line["sku"] or "").strip() or None,
        "variant_id": line["variant_id"],
        "quantity": line["quantity"],
        # None: the payload has no price (the replacement then keeps Odoo's)
        "unit_price": line["unit_price"] if priced else None,
        "discount": line["discount"],
        "taxes": line["taxes"],
    }


def _return(return_id, body, lines, reverse_lines, refund_ids, order_id, decline, lines_complete, exchange_lines):
    decline = decline if isinstance(decline, dict) else {}
    return {
        "id": return_id,
        "gid": body.get("admin_graphql_api_id")
        or (body.get("id") if gid_type(body.get("id")) else None)
        or to_gid("Return", return_id),
        "name": body.get("name") or None,
        "order_id": order_id,
        "status": _lower(body.get("status")),
        "decline_reason": _lower(decline.get("reason")),
        "decline_note": decline.get("note") or None,
        "lines": lines,
        "lines_complete": lines_complete,
        "exchange_lines": exchange_lines,
        "reverse_lines": reverse_lines,
        "refund_ids": refund_ids,
    }


@_clear_errors("return")
def return_from_graphql(node):
    """Canonical return from a ``ReturnFields`` node."""
    _require_dict(node, "return")
    return_id = _require_id(node.get("id"), "return")
    what = f"return {return_id}"
    lines = [_return_line(item, f"{what} line") for item in _nodes(node.get("returnLineItems"))]
    reverse_lines = []
    for reverse_order in _nodes(node.get("reverseFulfillmentOrders")):
        reverse_id = _require_id(reverse_order.get("id"), f"{what} reverse fulfillment order")
        reverse_lines.extend(
            _reverse_line(item, reverse_id, f"{what} reverse line") for item in _nodes(reverse_order.get("lineItems"))
        )
    refund_ids = [_require_id(refund.get("id"), f"{what} refund") for refund in _nodes(node.get("refunds"))]
    order_id = legacy_id((node.get("order") or {}).get("id"))
    exchanges = [_exchange_line(item, f"{what} exchange line") for item in _nodes(node.get("exchangeLineItems"))]
    return _return(
        return_id,
        node,
        lines,
        reverse_lines,
        refund_ids,
        order_id,
        node.get("decline"),
        "returnLineItems" in node,
        exchanges,
    )


@_clear_errors("return")
def return_from_rest(body):
    """Canonical return from a REST-shaped returns/* webhook body (``{"return": ...}`` accepted).

    returns/request carries the lines; returns/approve, decline, cancel, close and reopen
    may carry only the id, the order and the status (``lines_complete`` is then False).
    """
    body = _unwrap(body, "return", "return")
    return_id = _require_id(body.get("id"), "return")
    what = f"return {return_id}"
    lines = [_return_line(item, f"{what} line", rest=True) for item in body.get("return_line_items") or []]
    reverse_lines = []
    for reverse_order in body.get("reverse_fulfillment_orders") or []:
        reverse_id = _require_id(reverse_order.get("id"), f"{what} reverse fulfillment order")
        reverse_lines.extend(
            _reverse_line(item, reverse_id, f"{what} reverse line", rest=True)
            for item in reverse_order.get("line_items") or []
        )
    order_id = legacy_id((body.get("order") or {}).get("id") or body.get("order_id"))
    refund_ids = [_require_id(refund.get("id"), f"{what} refund") for refund in body.get("refunds") or []]
    exchanges = [
        _exchange_line(item, f"{what} exchange line", rest=True) for item in body.get("exchange_line_items") or []
    ]
    return _return(
        return_id,
        body,
        lines,
        reverse_lines,
        refund_ids,
        order_id,
        body.get("decline"),
        "return_line_items" in body,
        exchanges,
    )
