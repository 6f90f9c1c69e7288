"""The sandbox shop's state and its GraphQL resolvers (plain dicts, no ORM).

``Store`` owns the JSON-able state dict and a lock; :meth:`Store.root` gives
graphql-core a root value whose callables resolve every root field of the
schema subset. Objects are served as dicts in GraphQL shape; fields with
arguments (connections, paginated lists) are callables, which graphql-core's
default resolver calls with the field's arguments.

Changes go through methods that also return the webhooks to send
``[(topic, REST body)]``; the caller (``Sandbox``) delivers them.
"""

import base64
import json
import re
import shlex
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from graphql import GraphQLError, parse, validate
from graphql.utilities import value_from_ast_untyped

from ..lib import cost
from . import generator, rest
from .generator import fmt, money, next_id, order_totals, to_presentment
from .rest import gid
from .returns import ReturnsStoreMixin

IDEMPOTENCY_VERSION = "2026-04"


def version_at_least(version, floor):
    if version in (None, "", "unstable"):
        return True
    return version >= floor


def legacy(value):
    """Numeric id of a gid ("gid://shopify/Order/12" -> "12"), or the value itself."""
    if value is None:
        return None
    text = str(value)
    tail = text.rsplit("/", 1)[-1]
    return tail.split("?", 1)[0]


def gid_kind(value):
    match = re.match(r"gid://shopify/([A-Za-z]+)/", str(value or ""))
    return match.group(1) if match else None


def now_iso(after=None):
    """Now (UTC, seconds) but never before ``after``: updated_at only moves forward."""
    moment = datetime.now(timezone.utc).replace(microsecond=0)
    if after:
        previous = parse_time(after)
        if previous and moment <= previous:
            moment = previous + timedelta(seconds=1)
    return generator.iso(moment)


def parse_time(text):
    if not text:
        return None
    text = str(text).strip().strip("'\"")
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ----------------------------------------------------------------------------
# connections and search queries
def _encode_cursor(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, TypeError, AttributeError) as error:
        raise GraphQLError(f"Invalid cursor: {cursor}", extensions={"code": "BAD_USER_INPUT"}) from error


def connection(items, args, key=None, view=lambda item: item):
    """A connection over ``items`` (already in sort order); cursors encode the sort key."""
    key = key or (lambda item: [items.index(item)])
    keyed = [(list(key(item)), item) for item in items]
    reverse = bool(args.get("reverse"))
    if reverse:
        keyed.reverse()

    def passed(k, cursor):
        return k < cursor if reverse else k > cursor

    if args.get("after"):
        cursor = _decode_cursor(args["after"])
        keyed = [(k, item) for k, item in keyed if passed(k, cursor)]
    if args.get("before"):
        cursor = _decode_cursor(args["before"])
        keyed = [(k, item) for k, item in keyed if passed(cursor, k)]
    has_next = has_previous = False
    if args.get("first") is not None:
        has_next = len(keyed) > args["first"]
        keyed = keyed[: args["first"]]
    if args.get("last") is not None:
        has_previous = len(keyed) > args["last"]
        keyed = keyed[-args["last"] :] if args["last"] else []
    views = [view(item) for _k, item in keyed]
    cursors = [_encode_cursor(k) for k, _item in keyed]
    return {
        "nodes": views,
        "edges": [{"node": node, "cursor": cursor} for node, cursor in zip(views, cursors, strict=True)],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def paged_list(items, first=None, **_kwargs):
    return items[:first] if first is not None else items


_TERM_RE = re.compile(r"^(-?)([a-z_]+):(>=|<=|>|<)?(.*)$")


def parse_search(query):
    """[(negated, field, operator, value)] of a Shopify search query (AND only)."""
    terms = []
    try:
        tokens = shlex.split(query or "")
    except ValueError:
        tokens = (query or "").split()
    for token in tokens:
        if token.upper() in ("AND", "OR"):
            continue
        match = _TERM_RE.match(token)
        if match:
            negated, field, operator, value = match.groups()
            terms.append((bool(negated), field, operator or ":", value.strip("'\"")))
    return terms


def _compare(actual, operator, wanted):
    if actual is None:
        return False
    if operator == ">":
        return actual > wanted
    if operator == ">=":
        return actual >= wanted
    if operator == "<":
        return actual < wanted
    if operator == "<=":
        return actual <= wanted
    return actual == wanted


def _match_time(value, operator, wanted):
    wanted_time = parse_time(wanted)
    if wanted_time is None:
        raise GraphQLError(f"Invalid date in search query: {wanted}", extensions={"code": "BAD_USER_INPUT"})
    return _compare(parse_time(value), operator, wanted_time)


def _match_text(value, wanted):
    value = (value or "").lower()
    wanted = wanted.lower()
    if wanted.endswith("*"):
        return value.startswith(wanted[:-1])
    return value == wanted


class Store(ReturnsStoreMixin):
    """State + resolvers. Every public method takes the lock itself."""

    def __init__(self, state, base_url_getter=lambda: "", bulk_polls=2, bulk_seconds=0.5):
        self.state = state
        self.lock = threading.RLock()
        self.base_url = base_url_getter
        #: a bulk operation completes after this many status polls or seconds, whichever first
        self.bulk_polls = bulk_polls
        self.bulk_seconds = bulk_seconds
        self.bulk_files = {}
        self._bulk_started = {}
        #: inventory item id -> (variant, product); rebuilt when an item is not found (products added)
        self._items = {}
        self.changed = False
        for key, default in (("webhook_subscriptions", []), ("bulk_operations", {}), ("idempotency", {})):
            state.setdefault(key, default)
        state.setdefault("adjustment_groups", 0)

    # ------------------------------------------------------------------ lookups
    def order(self, order_id):
        wanted = legacy(order_id)
        return next((order for order in self.state["orders"] if order["id"] == wanted), None)

    def find_refund(self, refund_id):
        wanted = legacy(refund_id)
        for order in self.state["orders"]:
            for refund in order["refunds"]:
                if refund["id"] == wanted:
                    return order, refund
        return None, None

    def variants(self):
        return [(variant, product) for product in self.state["products"] for variant in product["variants"]]

    def variant(self, variant_id):
        wanted = legacy(variant_id)
        return next(((v, p) for v, p in self.variants() if v["id"] == wanted), (None, None))

    def variant_by_item(self, item_id):
        # an index, not a scan: a 10,000-SKU stock push looks up 20,000 items
        wanted = legacy(item_id)
        if wanted not in self._items:
            self._items = {v["inventory_item_id"]: (v, p) for v, p in self.variants()}
        return self._items.get(wanted, (None, None))

    def location(self, location_id):
        wanted = legacy(location_id)
        return next((loc for loc in self.state["locations"] if loc["id"] == wanted), None)

    # ------------------------------------------------------------------ views
    def bag(self, order, amount, currency=None):
        amount = money(amount)
        return {
            "shopMoney": {"amount": fmt(amount), "currencyCode": currency or order["currency"]},
            "presentmentMoney": {
                "amount": fmt(to_presentment(order, amount)),
                "currencyCode": order["presentment_currency"],
            },
        }

    def _tax_views(self, order, taxes):
        return [
            {"title": tax["title"], "rate": float(tax["rate"]), "priceSet": self.bag(order, tax["price"])}
            for tax in taxes
        ]

    def _discount_views(self, order, amount):
        if not Decimal(amount):
            return []
        return [{"allocatedAmountSet": self.bag(order, amount)}]

    def variant_view(self, variant, product):
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", variant["id"]),
            "legacyResourceId": variant["id"],
            "sku": variant["sku"],
            "barcode": variant["barcode"],
            "title": variant["title"],
            "price": variant["price"],
            "updatedAt": variant["updated_at"],
            "product": {
                "__typename": "Product",
                "id": gid("Product", product["id"]),
                "title": product["title"],
                "status": product["status"],
            },
            "inventoryItem": self.item_view(variant),
        }

    def item_view(self, variant):
        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", variant["inventory_item_id"]),
            "sku": variant["sku"],
            "tracked": variant["tracked"],
        }

    def line_view(self, order, line):
        variant, product = self.variant(line["variant_id"]) if line["variant_id"] else (None, None)
        return {
            "__typename": "LineItem",
            "id": gid("LineItem", line["id"]),
            "sku": line["sku"],
            "title": line["title"],
            "variantTitle": line["variant_title"],
            "quantity": line["quantity"],
            "currentQuantity": line["current_quantity"],
            "requiresShipping": line["requires_shipping"],
            "variant": self.variant_view(variant, product) if variant else None,
            "originalUnitPriceSet": self.bag(order, line["price"]),
            "discountAllocations": self._discount_views(order, line["discount"]),
            "taxLines": lambda _info, first=None: paged_list(self._tax_views(order, line["tax_lines"]), first),
        }

    def shipping_view(self, order, ship):
        return {
            "__typename": "ShippingLine",
            "id": gid("ShippingLine", ship["id"]),
            "title": ship["title"],
            "code": ship["code"],
            "originalPriceSet": self.bag(order, ship["price"]),
            "discountAllocations": self._discount_views(order, ship["discount"]),
            "taxLines": self._tax_views(order, ship["tax_lines"]),
        }

    def transaction_view(self, order, tx):
        by_id = {t["id"]: t for t in order["transactions"]}
        parent = by_id.get(tx["parent_id"])
        return {
            "__typename": "OrderTransaction",
            "id": gid("OrderTransaction", tx["id"]),
            "kind": tx["kind"],
            "status": tx["status"],
            "gateway": tx["gateway"],
            "authorizationCode": tx["authorization"],
            "paymentId": tx["payment_id"],
            "processedAt": tx["processed_at"],
            "createdAt": tx["created_at"],
            "amountSet": self.bag(order, tx["amount"]),
            "parentTransaction": self.transaction_view(order, parent) if parent else None,
        }

    def location_view(self, location):
        def levels(_info, **args):
            rows = []
            for variant, _product in self.variants():
                level = self.state["inventory"].get(variant["inventory_item_id"], {}).get(location["id"])
                if level is not None:
                    rows.append((variant, level))
            return connection(
                rows,
                args,
                key=lambda row: [int(row[0]["inventory_item_id"])],
                view=lambda row: self.level_view(location, *row),
            )

        return {
            "__typename": "Location",
            "id": gid("Location", location["id"]),
            "legacyResourceId": location["id"],
            "name": location["name"],
            "isActive": location["active"],
            "inventoryLevels": levels,
        }

    def level_view(self, location, variant, level):
        item = variant["inventory_item_id"]
        return {
            "__typename": "InventoryLevel",
            "id": f"gid://shopify/InventoryLevel/{location['id']}?inventory_item_id={item}",
            "item": self.item_view(variant),
            "updatedAt": level["updated_at"],
            "quantities": lambda _info, names: [
                {
                    "id": f"gid://shopify/InventoryQuantity/{location['id']}?inventory_item_id={item}&name={name}",
                    "name": name,
                    "quantity": level["available"] if name in ("available", "on_hand") else 0,
                }
                for name in names
            ],
        }

    def fulfillment_order_view(self, order, fulfillment_order):
        by_id = generator.line_items_by_id(order)
        location = self.location(fulfillment_order["location_id"])

        def lines(_info, **args):
            return connection(
                fulfillment_order["line_items"],
                args,
                key=lambda line: [int(line["id"])],
                view=lambda line: {
                    "__typename": "FulfillmentOrderLineItem",
                    "id": gid("FulfillmentOrderLineItem", line["id"]),
                    "remainingQuantity": line["remaining"],
                    "totalQuantity": line["total"],
                    "lineItem": self.line_view(order, by_id[line["line_item_id"]]),
                },
            )

        return {
            "__typename": "FulfillmentOrder",
            "id": gid("FulfillmentOrder", fulfillment_order["id"]),
            "orderId": gid("Order", order["id"]),
            "status": fulfillment_order["status"],
            "assignedLocation": {"location": self.location_view(location) if location else None},
            "lineItems": lines,
        }

    def fulfillment_view(self, order, fulfillment):
        by_id = generator.line_items_by_id(order)
        # Recorded fulfilment lines carry no id of their own: derive a stable one.
        lines = [
            dict(line, view_id=line.get("id") or f"{fulfillment['id']}{index:03d}")
            for index, line in enumerate(fulfillment["lines"], start=1)
        ]
        tracking = {
            "number": fulfillment.get("tracking_number"),
            "company": fulfillment.get("tracking_company"),
            "url": fulfillment.get("tracking_url"),
        }
        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", fulfillment["id"]),
            "status": fulfillment["status"],
            "createdAt": fulfillment["created_at"],
            "updatedAt": fulfillment["updated_at"],
            "location": (
                {"__typename": "Location", "id": gid("Location", fulfillment["location_id"])}
                if fulfillment.get("location_id")
                else None
            ),
            "trackingInfo": lambda _info, first=None: paged_list(
                [dict(tracking, __typename="FulfillmentTrackingInfo")] if any(tracking.values()) else [], first
            ),
            "fulfillmentLineItems": lambda _info, **args: connection(
                lines,
                args,
                key=lambda line: [int(line["view_id"])],
                view=lambda line: {
                    "__typename": "FulfillmentLineItem",
                    "id": gid("FulfillmentLineItem", line["view_id"]),
                    "quantity": line["quantity"],
                    "lineItem": self.line_view(order, by_id[line["line_item_id"]]),
                },
            ),
        }

    def refund_view(self, order, refund):
        by_id = {line["id"]: line for line in order["line_items"]}
        transactions = [tx for tx in order["transactions"] if tx["id"] in refund["transaction_ids"]]
        total = sum((Decimal(tx["amount"]) for tx in transactions if tx["status"] == "SUCCESS"), Decimal(0))
        shipping = refund.get("shipping")

        def refund_lines(_info, **args):
            return connection(
                refund["lines"],
                args,
                key=lambda line: [int(line["id"])],
                view=lambda line: {
                    "lineItem": self.line_view(order, by_id[line["line_item_id"]]),
                    "quantity": line["quantity"],
                    "restockType": line["restock_type"],
                    "subtotalSet": self.bag(order, line["subtotal"]),
                    "totalTaxSet": self.bag(order, line["tax"]),
                },
            )

        shipping_rows = [shipping] if shipping else []
        return {
            "__typename": "Refund",
            "id": gid("Refund", refund["id"]),
            "legacyResourceId": refund["id"],
            "createdAt": refund["created_at"],
            "updatedAt": refund["updated_at"],
            "note": refund["note"],
            "order": lambda _info: self.order_view(order),
            "totalRefundedSet": self.bag(order, total),
            "refundLineItems": refund_lines,
            "refundShippingLines": lambda _info, **args: connection(
                shipping_rows,
                args,
                key=lambda row: [int(row["id"])],
                view=lambda row: {
                    "__typename": "RefundShippingLine",
                    "id": gid("RefundShippingLine", row["id"]),
                    "subtotalAmountSet": self.bag(order, row["amount"]),
                    "taxAmountSet": self.bag(order, row["tax"]),
                },
            ),
            "orderAdjustments": lambda _info, **args: connection([], args),
            "transactions": lambda _info, **args: connection(
                transactions,
                args,
                key=lambda tx: [int(tx["id"])],
                view=lambda tx: self.transaction_view(order, tx),
            ),
        }

    def order_view(self, order):
        totals = order_totals(order)
        customer = order.get("customer")

        def address(value):
            if not value:
                return None
            return {
                "__typename": "MailingAddress",
                "id": gid("MailingAddress", f"{order['id']}{len(value.get('name') or '')}"),
                "name": value.get("name"),
                "firstName": value.get("first_name"),
                "lastName": value.get("last_name"),
                "company": value.get("company"),
                "address1": value.get("address1"),
                "address2": value.get("address2"),
                "city": value.get("city"),
                "zip": value.get("zip"),
                "province": value.get("province"),
                "provinceCode": value.get("province_code"),
                "countryCodeV2": value.get("country_code"),
                "phone": value.get("phone"),
            }

        return {
            "__typename": "Order",
            "id": gid("Order", order["id"]),
            "legacyResourceId": order["id"],
            "name": order["name"],
            "createdAt": order["created_at"],
            "updatedAt": order["updated_at"],
            "processedAt": order["processed_at"],
            "cancelledAt": order["cancelled_at"],
            "cancelReason": order["cancel_reason"],
            "closed": order["closed"],
            "test": order["test"],
            "currencyCode": order["currency"],
            "presentmentCurrencyCode": order["presentment_currency"],
            "displayFinancialStatus": order["financial_status"],
            "displayFulfillmentStatus": order["fulfillment_status"],
            "email": order["email"],
            "phone": order["phone"],
            "note": order["note"],
            "tags": list(order["tags"]),
            "sourceName": order["source_name"],
            "taxesIncluded": order["taxes_included"],
            "risk": {"recommendation": order["risk"]},
            "customer": (
                {
                    "__typename": "Customer",
                    "id": gid("Customer", customer["id"]),
                    "email": customer["email"],
                    "phone": customer["phone"],
                    "firstName": customer["first_name"],
                    "lastName": customer["last_name"],
                }
                if customer
                else None
            ),
            "billingAddress": address(order["billing_address"]),
            "shippingAddress": address(order["shipping_address"]),
            "totalPriceSet": self.bag(order, totals["original_total"]),
            "currentTotalPriceSet": self.bag(order, totals["total"]),
            "currentSubtotalPriceSet": self.bag(order, totals["subtotal"]),
            "currentTotalTaxSet": self.bag(order, totals["tax"]),
            "currentTotalDiscountsSet": self.bag(order, totals["discounts"]),
            "currentShippingPriceSet": self.bag(order, totals["shipping"]),
            "totalOutstandingSet": self.bag(order, generator.outstanding(order)),
            "lineItems": lambda _info, **args: connection(
                order["line_items"],
                args,
                key=lambda line: [int(line["id"])],
                view=lambda line: self.line_view(order, line),
            ),
            "shippingLines": lambda _info, **args: connection(
                order["shipping_lines"],
                {k: v for k, v in args.items() if k != "includeRemovals"},
                key=lambda ship: [int(ship["id"])],
                view=lambda ship: self.shipping_view(order, ship),
            ),
            "transactions": lambda _info, first=None, **_kw: [
                self.transaction_view(order, tx) for tx in paged_list(order["transactions"], first)
            ],
            "refunds": lambda _info, first=None: [
                self.refund_view(order, refund) for refund in paged_list(order["refunds"], first)
            ],
            "fulfillmentOrders": lambda _info, displayable=False, **args: connection(
                # displayable: without those closed when their items moved to another location
                [fo for fo in order["fulfillment_orders"] if not (displayable and fo.get("hidden"))],
                {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")},
                key=lambda fo: [int(fo["id"])],
                view=lambda fo: self.fulfillment_order_view(order, fo),
            ),
            "fulfillments": lambda _info, first=None: [
                self.fulfillment_view(order, fulfillment) for fulfillment in paged_list(order["fulfillments"], first)
            ],
            "returns": lambda _info, **args: self.order_returns(order, args),
        }

    def bulk_view(self, operation):
        return {
            "__typename": "BulkOperation",
            "id": gid("BulkOperation", operation["id"]),
            "status": operation["status"],
            "errorCode": operation.get("error_code"),
            "objectCount": str(operation.get("object_count", 0)),
            "rootObjectCount": str(operation.get("root_object_count", 0)),
            "url": operation.get("url"),
            "partialDataUrl": None,
            "createdAt": operation["created_at"],
            "completedAt": operation.get("completed_at"),
            "query": operation["query"],
        }

    def subscription_view(self, subscription):
        return {
            "__typename": "WebhookSubscription",
            "id": gid("WebhookSubscription", subscription["id"]),
            "topic": subscription["topic"],
            "format": subscription["format"],
            "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": subscription["callback_url"]},
        }

    # ------------------------------------------------------------------ root
    def root(self, version):
        """The root value for one request (queries and mutations)."""
        return {
            "shop": self._shop,
            "currentAppInstallation": self._installation,
            "locations": self._locations,
            "location": self._location,
            "productVariants": self._product_variants,
            "orders": self._orders,
            "order": self._order,
            "fulfillmentOrder": self._fulfillment_order,
            "node": self._node,
            "webhookSubscriptions": self._webhook_subscriptions,
            "bulkOperationRunQuery": self._bulk_run,
            "inventorySetQuantities": lambda info, **args: self._inventory_set(info, version, **args),
            "fulfillmentCreate": self._fulfillment_create,
            "orderCancel": self._order_cancel,
            "orderInvoiceSend": self._order_invoice_send,
            "refundCreate": lambda info, **args: self._refund_create(info, version, **args),
            "webhookSubscriptionCreate": self._subscription_create,
            "webhookSubscriptionUpdate": self._subscription_update,
            **self.returns_root(),
        }

    def _shop(self, _info):
        shop = self.state["shop"]
        return {
            "__typename": "Shop",
            "id": gid("Shop", shop["id"]),
            "name": shop["name"],
            "myshopifyDomain": shop["domain"],
            "currencyCode": shop["currency"],
            "ianaTimezone": shop["timezone"],
        }

    def _installation(self, _info):
        shop = self.state["shop"]
        return {
            "__typename": "AppInstallation",
            "id": gid("AppInstallation", shop.get("installation_id", "1")),
            "accessScopes": [{"handle": scope} for scope in shop["scopes"]],
        }

    def _locations(self, _info, **args):
        rows = [loc for loc in self.state["locations"] if loc["active"] or args.get("includeInactive")]
        args = {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")}
        return connection(rows, args, key=lambda loc: [int(loc["id"])], view=self.location_view)

    def _location(self, _info, id=None):
        location = self.location(id) if id else self.state["locations"][0]
        return self.location_view(location) if location else None

    def _product_variants(self, _info, query=None, sortKey=None, **args):
        rows = self.variants()
        for negated, field, operator, value in parse_search(query):
            if field == "updated_at":
                test = lambda row, o=operator, v=value: _match_time(row[0]["updated_at"], o, v)  # noqa: E731
            elif field in ("sku", "barcode", "title"):
                test = lambda row, f=field, v=value: _match_text(row[0][f], v)  # noqa: E731
            elif field == "product_id":
                test = lambda row, v=value: row[1]["id"] == legacy(v)  # noqa: E731
            elif field == "id":
                test = lambda row, o=operator, v=value: _compare(int(row[0]["id"]), o, int(legacy(v)))  # noqa: E731
            else:
                continue
            rows = [row for row in rows if test(row) != negated]
        if sortKey == "UPDATED_AT":
            key = lambda row: [row[0]["updated_at"], int(row[0]["id"])]  # noqa: E731
        else:
            key = lambda row: [int(row[0]["id"])]  # noqa: E731
        rows.sort(key=key)
        args = {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")}
        return connection(rows, args, key=key, view=lambda row: self.variant_view(*row))

    def _orders(self, _info, query=None, sortKey=None, **args):
        rows = list(self.state["orders"])
        for negated, field, operator, value in parse_search(query):
            rows = [order for order in rows if self._order_matches(order, field, operator, value) != negated]
        sort_field = {
            "UPDATED_AT": "updated_at",
            "CREATED_AT": "created_at",
            "PROCESSED_AT": "processed_at",
        }.get(sortKey)
        if sort_field:
            key = lambda order: [order[sort_field], int(order["id"])]  # noqa: E731
        elif sortKey == "ORDER_NUMBER":
            key = lambda order: [order["number"], int(order["id"])]  # noqa: E731
        else:
            key = lambda order: [int(order["id"])]  # noqa: E731
        rows.sort(key=key)
        args = {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")}
        return connection(rows, args, key=key, view=self.order_view)

    def _order_matches(self, order, field, operator, value):
        if field in ("updated_at", "created_at", "processed_at"):
            return _match_time(order[field], operator, value)
        if field == "status":
            status = value.lower()
            if status == "any":
                return True
            if status == "cancelled":
                return bool(order["cancelled_at"])
            if status == "closed":
                return order["closed"]
            if status == "open":
                return not order["closed"] and not order["cancelled_at"]
            return True
        if field in ("financial_status", "fulfillment_status"):
            wanted = {item.strip().lower() for item in value.split(",")}
            actual = (order[field] or "").lower()
            if field == "fulfillment_status":
                actual = {"unfulfilled": "unshipped", "fulfilled": "shipped", "partially_fulfilled": "partial"}.get(
                    actual, actual
                )
                return actual in wanted or (order[field] or "").lower() in wanted
            return actual in wanted
        if field == "name":
            return order["name"].lstrip("#") == value.lstrip("#")
        if field == "id":
            return _compare(int(order["id"]), operator, int(legacy(value)))
        if field == "sku":
            return any(_match_text(line["sku"], value) for line in order["line_items"])
        if field == "email":
            return _match_text(order["email"], value)
        return True

    def _order(self, _info, id):
        order = self.order(id)
        return self.order_view(order) if order else None

    def find_fulfillment_order(self, fulfillment_order_id):
        """``(order, fulfilment order)``, or ``(None, None)``."""
        key = legacy(fulfillment_order_id)
        for order in self.state["orders"]:
            for fulfillment_order in order["fulfillment_orders"]:
                if fulfillment_order["id"] == key:
                    return order, fulfillment_order
        return None, None

    def _fulfillment_order(self, _info, id):
        order, fulfillment_order = self.find_fulfillment_order(id)
        return self.fulfillment_order_view(order, fulfillment_order) if fulfillment_order else None

    def _node(self, _info, id):
        kind, key = gid_kind(id), legacy(id)
        if kind == "Order":
            order = self.order(key)
            return self.order_view(order) if order else None
        if kind == "Return":
            order, ret = self.find_return(key)
            return self.return_view(order, ret) if ret else None
        if kind == "Refund":
            order, refund = self.find_refund(key)
            return self.refund_view(order, refund) if refund else None
        if kind == "BulkOperation":
            operation = self.state["bulk_operations"].get(key)
            if not operation:
                return None
            self._advance_bulk(operation)
            return self.bulk_view(operation)
        if kind == "ProductVariant":
            variant, product = self.variant(key)
            return self.variant_view(variant, product) if variant else None
        if kind == "Location":
            location = self.location(key)
            return self.location_view(location) if location else None
        if kind == "WebhookSubscription":
            found = next((s for s in self.state["webhook_subscriptions"] if s["id"] == key), None)
            return self.subscription_view(found) if found else None
        if kind == "FulfillmentOrder":
            for order in self.state["orders"]:
                for fulfillment_order in order["fulfillment_orders"]:
                    if fulfillment_order["id"] == key:
                        return self.fulfillment_order_view(order, fulfillment_order)
        return None

    def _webhook_subscriptions(self, _info, topics=None, callbackUrl=None, **args):
        rows = [
            sub
            for sub in self.state["webhook_subscriptions"]
            if (not topics or sub["topic"] in topics) and (not callbackUrl or sub["callback_url"] == callbackUrl)
        ]
        args = {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")}
        return connection(rows, args, key=lambda sub: [int(sub["id"])], view=self.subscription_view)

    # ------------------------------------------------------------------ bulk
    def _bulk_run(self, _info, query):
        try:
            document = parse(query)
        except GraphQLError as error:
            return {
                "bulkOperation": None,
                "userErrors": [{"field": ["query"], "message": f"Invalid bulk query: {error}"}],
            }
        errors = validate(cost.schema(), document)
        if errors:
            return {
                "bulkOperation": None,
                "userErrors": [{"field": ["query"], "message": error.message} for error in errors],
            }
        running = [op for op in self.state["bulk_operations"].values() if op["status"] in ("CREATED", "RUNNING")]
        if running:
            message = f"A bulk query operation for this app and shop is already in progress: {running[0]['id']}."
            return {"bulkOperation": None, "userErrors": [{"field": None, "message": message}]}
        operation_id = next_id(self.state)
        operation = {
            "id": operation_id,
            "status": "CREATED",
            "query": query,
            "created_at": now_iso(),
            "polls": 0,
        }
        self._bulk_started[operation_id] = time.monotonic()
        self.state["bulk_operations"][operation_id] = operation
        self.changed = True
        return {"bulkOperation": self.bulk_view(operation), "userErrors": []}

    def _advance_bulk(self, operation):
        if operation["status"] not in ("CREATED", "RUNNING"):
            return
        operation["polls"] = operation.get("polls", 0) + 1
        started = self._bulk_started.get(operation["id"], 0)
        if operation["polls"] < self.bulk_polls and time.monotonic() - started < self.bulk_seconds:
            operation["status"] = "RUNNING"
            return
        self.complete_bulk(operation)

    def complete_bulk(self, operation):
        """Run the bulk query now and publish its JSONL file."""
        from graphql import graphql_sync

        result = graphql_sync(cost.schema(), operation["query"], root_value=self.root(None))
        if result.errors:
            operation.update(status="FAILED", error_code="INTERNAL_SERVER_ERROR", completed_at=now_iso())
            return
        document = parse(operation["query"])
        rows, roots = [], 0
        for value in (result.data or {}).values():
            if isinstance(value, dict):
                for node in _connection_nodes(value):
                    roots += 1
                    _flatten(node, None, rows)
        self.bulk_files[operation["id"]] = "".join(json.dumps(row) + "\n" for row in rows)
        operation.update(
            status="COMPLETED",
            completed_at=now_iso(),
            object_count=len(rows),
            root_object_count=roots,
            url=f"{self.base_url()}/bulk/{operation['id']}.jsonl",
        )
        del document
        self.changed = True

    def bulk_file(self, operation_id):
        with self.lock:
            return self.bulk_files.get(str(operation_id))

    # ------------------------------------------------------------------ mutations
    @staticmethod
    def _idempotency_key(info):
        for directive in info.field_nodes[0].directives or ():
            if directive.name.value == "idempotent":
                for argument in directive.arguments:
                    if argument.name.value == "key":
                        return value_from_ast_untyped(argument.value, info.variable_values)
        return None

    def _replay(self, mutation, key):
        if not key:
            return None
        return self.state["idempotency"].get(f"{mutation}:{key}")

    def _remember(self, mutation, key, record):
        if key:
            self.state["idempotency"][f"{mutation}:{key}"] = record

    def _inventory_set(self, info, version, input):
        key = self._idempotency_key(info)
        new_rules = version_at_least(version, IDEMPOTENCY_VERSION)
        if new_rules and not key:
            raise GraphQLError(
                "The @idempotent directive is required for this mutation.",
                extensions={"code": "BAD_REQUEST"},
            )
        replay = self._replay("inventorySetQuantities", key)
        if replay is not None:
            return self._inventory_payload(replay)
        errors, changes = self._check_inventory_input(input, new_rules)
        record = {"group_id": None, "user_errors": errors, "changes": []}
        if not errors:
            self.state["adjustment_groups"] += 1
            record["group_id"] = str(self.state["adjustment_groups"])
            for item_id, location_id, quantity in changes:
                level = (
                    self.state["inventory"]
                    .setdefault(item_id, {})
                    .setdefault(location_id, {"available": 0, "updated_at": now_iso()})
                )
                level["available"] = quantity
                level["updated_at"] = now_iso(level["updated_at"])
                variant, _product = self.variant_by_item(item_id)
                if variant:
                    variant["updated_at"] = now_iso(variant["updated_at"])
                record["changes"].append([item_id, location_id])
                info.context["webhooks"].append(
                    ("inventory_levels/update", rest.rest_inventory_level(item_id, location_id, level))
                )
            self.changed = True
        self._remember("inventorySetQuantities", key, record)
        return self._inventory_payload(record)

    @staticmethod
    def _inventory_payload(record):
        group = record.get("group_id")
        return {
            "inventoryAdjustmentGroup": (
                {"id": gid("InventoryAdjustmentGroup", group), "__typename": "InventoryAdjustmentGroup"}
                if group
                else None
            ),
            "userErrors": record.get("user_errors") or [],
        }

    def _check_inventory_input(self, data, new_rules):
        errors, changes = [], []

        def error(path, message, code):
            errors.append({"field": ["input", *[str(p) for p in path]], "message": message, "code": code})

        if data.get("name") not in ("available", "on_hand"):
            error(["name"], "The quantity name must be 'available' or 'on_hand'.", "INVALID_NAME")
        if new_rules and data.get("ignoreCompareQuantity") is not None:
            error(["ignoreCompareQuantity"], "ignoreCompareQuantity is not supported; use changeFromQuantity.", None)
        for index, quantity in enumerate(data.get("quantities") or []):
            path = ["quantities", index]
            item_id, location_id = legacy(quantity["inventoryItemId"]), legacy(quantity["locationId"])
            variant, _product = self.variant_by_item(item_id)
            if not variant:
                error(
                    [*path, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                    "INVALID_INVENTORY_ITEM",
                )
                continue
            if not self.location(location_id):
                error([*path, "locationId"], "The specified location could not be found.", "INVALID_LOCATION")
                continue
            if quantity["quantity"] < 0:
                error([*path, "quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE")
                continue
            level = self.state["inventory"].get(item_id, {}).get(location_id)
            current = level["available"] if level else 0
            change_from = quantity.get("changeFromQuantity")
            compare = quantity.get("compareQuantity")
            if new_rules:
                if compare is not None:
                    error([*path, "compareQuantity"], "compareQuantity is not supported; use changeFromQuantity.", None)
                    continue
                if "changeFromQuantity" not in quantity:
                    error(
                        [*path, "changeFromQuantity"],
                        "changeFromQuantity is required.",
                        "CHANGE_FROM_QUANTITY_REQUIRED",
                    )
                    continue
            if change_from is not None and change_from != current:
                error(
                    [*path, "changeFromQuantity"],
                    f"The changeFromQuantity ({change_from}) does not match the current quantity ({current}).",
                    "CHANGE_FROM_QUANTITY_STALE",
                )
                continue
            if not new_rules and change_from is None and not data.get("ignoreCompareQuantity"):
                if compare is None:
                    error(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument must be given.",
                        "COMPARE_QUANTITY_REQUIRED",
                    )
                    continue
                if compare != current:
                    error(
                        [*path, "compareQuantity"],
                        f"The compareQuantity ({compare}) does not match the current quantity ({current}).",
                        "COMPARE_QUANTITY_STALE",
                    )
                    continue
            changes.append((item_id, location_id, quantity["quantity"]))
        return errors, changes

    def _fulfillment_create(self, info, fulfillment, message=None):
        errors, plans = [], []
        for group_index, group in enumerate(fulfillment.get("lineItemsByFulfillmentOrder") or []):
            path = ["fulfillment", "lineItemsByFulfillmentOrder", str(group_index)]
            found = None
            for order in self.state["orders"]:
                for fulfillment_order in order["fulfillment_orders"]:
                    if fulfillment_order["id"] == legacy(group["fulfillmentOrderId"]):
                        found = (order, fulfillment_order)
            if not found:
                errors.append({"field": [*path, "fulfillmentOrderId"], "message": "Fulfillment order does not exist."})
                continue
            order, fulfillment_order = found
            if fulfillment_order["status"] not in ("OPEN", "IN_PROGRESS"):
                errors.append(
                    {
                        "field": [*path, "fulfillmentOrderId"],
                        "message": f"Fulfillment order {fulfillment_order['id']} has an unfulfillable status= "
                        f"{fulfillment_order['status'].lower()}.",
                    }
                )
                continue
            by_id = {line["id"]: line for line in fulfillment_order["line_items"]}
            wanted = group.get("fulfillmentOrderLineItems")
            if wanted is None:
                wanted = [{"id": line["id"], "quantity": line["remaining"]} for line in fulfillment_order["line_items"]]
            for line_index, item in enumerate(wanted):
                line = by_id.get(legacy(item["id"]))
                if line is None or item["quantity"] <= 0 or item["quantity"] > line["remaining"]:
                    errors.append(
                        {
                            "field": [*path, "fulfillmentOrderLineItems", str(line_index), "quantity"],
                            "message": "Invalid fulfillment order line item quantity requested.",
                        }
                    )
                elif item["quantity"]:
                    plans.append((order, fulfillment_order, line, item["quantity"]))
        if not plans and not errors:
            errors.append({"field": ["fulfillment"], "message": "Nothing to fulfill."})
        if errors:
            return {"fulfillment": None, "userErrors": errors}
        orders = {id(order): order for order, *_rest in plans}
        if len(orders) > 1:
            return {"fulfillment": None, "userErrors": [{"field": ["fulfillment"], "message": "One order at a time."}]}
        tracking = fulfillment.get("trackingInfo") or {}
        order = plans[0][0]
        record = self.record_fulfillment(
            order,
            plans[0][1],
            [(line["line_item_id"], quantity) for _o, _fo, line, quantity in plans],
            {
                "company": tracking.get("company"),
                "number": tracking.get("number") or (tracking.get("numbers") or [None])[0],
                "url": tracking.get("url") or (tracking.get("urls") or [None])[0],
            },
        )
        info.context["webhooks"].append(("fulfillments/create", rest.rest_fulfillment(order, record)))
        return {
            "fulfillment": {"__typename": "Fulfillment", "id": gid("Fulfillment", record["id"]), "status": "SUCCESS"},
            "userErrors": [],
        }

    def record_fulfillment(self, order, fulfillment_order, lines, tracking):
        """Fulfil [(line item id, quantity)] from ``fulfillment_order`` (already validated)."""
        when = now_iso(order["updated_at"])
        record = {
            "id": next_id(self.state),
            "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
            "status": "SUCCESS",
            "location_id": fulfillment_order["location_id"],
            "tracking_company": tracking.get("company"),
            "tracking_number": tracking.get("number"),
            "tracking_url": tracking.get("url"),
            "lines": [],
            "created_at": when,
            "updated_at": when,
        }
        remaining = {line["line_item_id"]: line for line in fulfillment_order["line_items"]}
        for line_item_id, quantity in lines:
            remaining[line_item_id]["remaining"] -= quantity
            record["lines"].append({"line_item_id": line_item_id, "quantity": quantity})
        order["fulfillments"].append(record)
        generator.refresh_fulfillment_status(order)
        order["updated_at"] = when
        self.changed = True
        return record

    def cancel_fulfillment(self, order, fulfillment):
        """Cancel a fulfilment (a voided label, say): its quantities are to fulfil again."""
        if fulfillment["status"] == "CANCELLED":
            raise ValueError(f"Fulfilment {fulfillment['id']} is already cancelled")
        fulfillment["status"] = "CANCELLED"
        fulfillment["updated_at"] = now_iso(fulfillment["updated_at"])
        orders_at_location = [
            fulfillment_order
            for fulfillment_order in order["fulfillment_orders"]
            if fulfillment_order["location_id"] == fulfillment["location_id"]
        ]
        lines = {line["line_item_id"]: line for fo in orders_at_location for line in fo["line_items"]}
        for line in fulfillment["lines"]:
            lines[line["line_item_id"]]["remaining"] += line["quantity"]
        for fulfillment_order in orders_at_location:
            if fulfillment_order["status"] == "CLOSED":
                fulfillment_order["status"] = "IN_PROGRESS"  # open again: recomputed just below
        generator.refresh_fulfillment_status(order)
        order["updated_at"] = fulfillment["updated_at"]
        self.changed = True
        return fulfillment

    def _order_cancel(self, info, orderId, reason, refund, restock, notifyCustomer=None, staffNote=None):
        order = self.order(orderId)
        if order is None:
            return {
                "job": None,
                "orderCancelUserErrors": [
                    {"field": ["orderId"], "message": "Order does not exist", "code": "NOT_FOUND"}
                ],
            }
        if order["cancelled_at"]:
            return {
                "job": None,
                "orderCancelUserErrors": [
                    {"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"}
                ],
            }
        info.context["webhooks"].extend(self.cancel(order, reason, refund, restock, staffNote))
        return {"job": {"id": gid("Job", uuid.uuid4()), "done": True}, "orderCancelUserErrors": []}

    def _order_invoice_send(self, _info, id, email=None):
        """Email the order's invoice (Shopify's payment link); the sandbox records it."""
        order = self.order(legacy(id))
        email = email or {}
        if order is None:
            return {"order": None, "userErrors": [{"field": ["id"], "message": "Order does not exist.", "code": None}]}
        recipient = email.get("to") or order["email"]
        if not recipient:
            error = {"field": ["email", "to"], "message": "The order has no email address."}
            return {"order": None, "userErrors": [dict(error, code="ORDER_INVOICE_SEND_UNSUCCESSFUL")]}
        self.state.setdefault("invoices_sent", []).append(
            {
                "order_id": order["id"],
                "to": recipient,
                "custom_message": email.get("customMessage"),
                "outstanding": fmt(generator.outstanding(order)),
                "sent_at": now_iso(),
            }
        )
        self.changed = True
        return {"order": self.order_view(order), "userErrors": []}

    def cancel(self, order, reason="OTHER", refund=False, restock=True, note=None):
        """Cancel ``order``; returns the webhooks [(topic, body)]."""
        webhooks = []
        when = now_iso(order["updated_at"])
        paid = self.paid_amount(order)
        if refund and paid > 0:
            lines = [(line["id"], line["current_quantity"]) for line in order["line_items"] if line["current_quantity"]]
            record = generator.add_refund(
                self.state,
                order,
                lines,
                shipping_full=True,
                note=note or "Order cancelled",
                restock="CANCEL" if restock else "NO_RESTOCK",
                when=when,
            )
            webhooks.append(("refunds/create", rest.rest_refund(order, record)))
        self._refresh_financial_status(order)
        if not refund or paid <= 0:
            auth = next(
                (tx for tx in order["transactions"] if tx["kind"] == "AUTHORIZATION" and tx["status"] == "SUCCESS"),
                None,
            )
            if auth and order["financial_status"] == "AUTHORIZED":
                order["transactions"].append(
                    {
                        **auth,
                        "id": next_id(self.state),
                        "kind": "VOID",
                        "parent_id": auth["id"],
                        "processed_at": when,
                        "created_at": when,
                    }
                )
                order["financial_status"] = "VOIDED"
        order.update(cancelled_at=when, cancel_reason=reason, closed=True, updated_at=when)
        for fulfillment_order in order["fulfillment_orders"]:
            if fulfillment_order["status"] in ("OPEN", "IN_PROGRESS"):
                fulfillment_order["status"] = "CANCELLED" if fulfillment_order["status"] == "OPEN" else "CLOSED"
                for line in fulfillment_order["line_items"]:
                    line["remaining"] = 0
        self.changed = True
        webhooks.insert(0, ("orders/cancelled", rest.rest_order(order)))
        return webhooks

    @staticmethod
    def paid_amount(order):
        return sum(
            (
                Decimal(tx["amount"])
                for tx in order["transactions"]
                if tx["kind"] in ("SALE", "CAPTURE") and tx["status"] == "SUCCESS"
            ),
            Decimal(0),
        )

    def _refresh_financial_status(self, order):
        paid = self.paid_amount(order)
        refunded = order_totals(order)["refunded"]
        if paid > 0 and refunded >= paid:
            order["financial_status"] = "REFUNDED"
        elif paid > 0 and refunded > 0:
            order["financial_status"] = "PARTIALLY_REFUNDED"

    def _refund_create(self, info, version, input):
        key = self._idempotency_key(info)
        if version_at_least(version, IDEMPOTENCY_VERSION) and not key:
            raise GraphQLError(
                "The @idempotent directive is required for this mutation.",
                extensions={"code": "BAD_REQUEST"},
            )
        replay = self._replay("refundCreate", key)
        if replay is not None:
            return self._refund_payload(replay)
        record = self.refund(input)
        if record.get("refund_id"):
            order, refund = self.find_refund(record["refund_id"])
            info.context["webhooks"].append(("refunds/create", rest.rest_refund(order, refund)))
        self._remember("refundCreate", key, record)
        return self._refund_payload(record)

    def _refund_payload(self, record):
        order, refund = self.find_refund(record.get("refund_id")) if record.get("refund_id") else (None, None)
        return {"refund": self.refund_view(order, refund) if refund else None, "userErrors": record["user_errors"]}

    def refund(self, data):
        """Validate and apply a RefundInput; {"refund_id", "user_errors"}."""
        order = self.order(data.get("orderId"))
        if order is None:
            return {"refund_id": None, "user_errors": [{"field": ["orderId"], "message": "Order does not exist"}]}
        errors, lines = [], []
        by_id = {line["id"]: line for line in order["line_items"]}
        for index, item in enumerate(data.get("refundLineItems") or []):
            line = by_id.get(legacy(item["lineItemId"]))
            if line is None:
                errors.append(
                    {"field": ["refundLineItems", str(index), "lineItemId"], "message": "Line item does not exist"}
                )
            elif item["quantity"] <= 0 or item["quantity"] > line["current_quantity"]:
                errors.append(
                    {
                        "field": ["refundLineItems", str(index), "quantity"],
                        "message": "Quantity cannot refund more items than were purchased",
                    }
                )
            else:
                lines.append((line["id"], item["quantity"], item.get("restockType") or "NO_RESTOCK"))
        shipping = data.get("shipping") or {}
        transactions = data.get("transactions") or []
        try:
            amounts = [money(tx["amount"]) for tx in transactions]
            shipping_amount = money(shipping["amount"]) if shipping.get("amount") is not None else None
        except (InvalidOperation, KeyError):
            return {"refund_id": None, "user_errors": [{"field": ["transactions"], "message": "Invalid amount"}]}
        refundable = self.paid_amount(order) - order_totals(order)["refunded"]
        if sum(amounts, Decimal(0)) > refundable:
            errors.append({"field": ["transactions"], "message": "Refund amount exceeds the refundable amount"})
        if errors:
            return {"refund_id": None, "user_errors": errors}
        when = now_iso(order["updated_at"])
        before = len(order["transactions"])
        restock = lines[0][2] if lines else "NO_RESTOCK"
        record = generator.add_refund(
            self.state,
            order,
            [(line_id, quantity) for line_id, quantity, _restock in lines],
            shipping_full=bool(shipping.get("fullRefund")),
            shipping_amount=shipping_amount,
            note=data.get("note"),
            restock=restock,
            when=when,
        )
        for line, (_id, _q, restock_type) in zip(record["lines"], lines, strict=True):
            line["restock_type"] = restock_type
        # Shopify moves only the money it is told to: replace the computed transaction by the given ones
        del order["transactions"][before:]
        record["transaction_ids"] = []
        parent_default = next(
            (tx for tx in order["transactions"] if tx["kind"] in ("SALE", "CAPTURE") and tx["status"] == "SUCCESS"),
            None,
        )
        for tx, amount in zip(transactions, amounts, strict=True):
            parent_id = legacy(tx.get("parentId")) or (parent_default or {}).get("id")
            new = {
                "id": next_id(self.state),
                "kind": "REFUND",
                "status": "SUCCESS",
                "gateway": tx["gateway"],
                "amount": fmt(amount),
                "authorization": None,
                "payment_id": f"c{order['id']}.{len(order['transactions']) + 1}",
                "parent_id": parent_id,
                "processed_at": when,
                "created_at": when,
            }
            order["transactions"].append(new)
            record["transaction_ids"].append(new["id"])
        self._refresh_financial_status(order)
        order["updated_at"] = when
        self.changed = True
        return {"refund_id": record["id"], "user_errors": []}

    def _subscription_create(self, _info, topic, webhookSubscription):
        url = webhookSubscription.get("callbackUrl")
        if not url:
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": ["callbackUrl"], "message": "Address can't be blank"}],
            }
        if any(s["topic"] == topic and s["callback_url"] == url for s in self.state["webhook_subscriptions"]):
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": ["callbackUrl"], "message": "Address for this topic has already been taken"}],
            }
        subscription = {
            "id": next_id(self.state),
            "topic": topic,
            "format": webhookSubscription.get("format") or "JSON",
            "callback_url": url,
        }
        self.state["webhook_subscriptions"].append(subscription)
        self.changed = True
        return {"webhookSubscription": self.subscription_view(subscription), "userErrors": []}

    def _subscription_update(self, _info, id, webhookSubscription):
        subscription = next((s for s in self.state["webhook_subscriptions"] if s["id"] == legacy(id)), None)
        if subscription is None:
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
            }
        if webhookSubscription.get("callbackUrl"):
            subscription["callback_url"] = webhookSubscription["callbackUrl"]
        if webhookSubscription.get("format"):
            subscription["format"] = webhookSubscription["format"]
        self.changed = True
        return {"webhookSubscription": self.subscription_view(subscription), "userErrors": []}


def _connection_nodes(value):
    if "edges" in value:
        return [edge["node"] for edge in value["edges"] or [] if edge and edge.get("node")]
    return list(value.get("nodes") or [])


def _flatten(node, parent_id, rows):
    """Shopify's bulk JSONL: one row per node, nested connections as child rows with __parentId."""
    row, children = {}, []
    for key, value in node.items():
        if isinstance(value, dict) and ("edges" in value or "nodes" in value):
            children.extend(_connection_nodes(value))
        else:
            row[key] = value
    if parent_id:
        row["__parentId"] = parent_id
    rows.append(row)
    for child in children:
        _flatten(child, node.get("id"), rows)
