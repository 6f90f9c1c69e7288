"""The sandbox: a Shopify Admin GraphQL stand-in on 127.0.0.1 (real HTTP, real clock).

``POST /admin/api/<version>/graphql.json`` runs graphql-core over the schema
subset (``lib/graphql/schema/admin_subset.graphql``) with :class:`Store`'s
resolvers. Like Shopify: the access token is checked (401), a query whose
requested cost exceeds 1,000 or asks for more than 250 objects is refused,
a leaky bucket per shop answers THROTTLED when the requested cost is more than
what is available and charges the actual cost otherwise, and every answer
carries ``extensions.cost``. Bulk results are served at ``/bulk/<id>.jsonl``.
"""

import json
import os
import random
import re
import secrets
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, execute_sync, parse, validate

from ..lib import cost
from . import generator, rest
from .payouts import SandboxPayoutsMixin
from .returns import SandboxReturnsMixin
from .store import Store, legacy, now_iso
from .webhooks import Webhooks

DEFAULT_VERSION = "2026-07"
UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"
_PATH_RE = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
_BULK_RE = re.compile(r"^/bulk/(\d+)\.jsonl$")
MAX_LATENCY_MS = 10000


class Faults:
    """Injected failures, all seeded; defaults do nothing."""

    def __init__(self, seed=0):
        self.throttle_ratio = 0.0
        self.error_429_ratio = 0.0
        self.error_5xx_ratio = 0.0
        self.latency_ms = 0
        self.seed = seed
        self.rng = random.Random(seed)

    def reseed(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)

    def roll(self, ratio):
        return bool(ratio) and self.rng.random() < ratio


class Bucket:
    """Shopify's leaky bucket: ``size`` points, refilled at ``rate`` points per second."""

    def __init__(self, size, rate):
        self.size = float(size)
        self.rate = float(rate)
        self.available = float(size)
        self.stamp = time.monotonic()

    def refill(self):
        now = time.monotonic()
        self.available = min(self.size, self.available + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.available

    def status(self):
        return {
            "maximumAvailable": self.size,
            "currentlyAvailable": round(self.available, 1),
            "restoreRate": self.rate,
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm the body would
    # wait for the client's delayed ACK of the headers (40 ms a call on Linux),
    # a stall no real shop adds to a kept-alive connection.
    disable_nagle_algorithm = True
    sandbox = None  # set on the per-server subclass

    def log_message(self, format, *args):
        return

    def _reply(self, status, payload, headers=None, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        match = _BULK_RE.match(self.path.split("?", 1)[0])
        text = self.sandbox.store.bulk_file(match.group(1)) if match else None
        if text is None:
            self._reply(404, {"errors": "Not Found"})
            return
        self._reply(200, text.encode(), content_type="application/jsonl")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?", 1)[0] == "/admin/oauth/access_token":
            status, payload = self.sandbox.issue_token(raw)
            self._reply(status, payload)
            return
        match = _PATH_RE.match(self.path.split("?", 1)[0])
        if not match:
            self._reply(404, {"errors": "Not Found"})
            return
        try:
            status, payload, headers = self.sandbox.handle(
                match.group(1), self.headers.get("X-Shopify-Access-Token"), raw
            )
        except Exception as error:  # a sandbox bug must answer, not drop the connection
            status, payload, headers = 500, {"errors": f"Sandbox error: {error!r}"}, {}
        self._reply(status, payload, headers)


class Sandbox(SandboxReturnsMixin, SandboxPayoutsMixin):
    """A running fake shop. See the module docstring and ``SHOPIFY_SPEC.md``."""

    def __init__(
        self,
        state=None,
        access_token="shpat_sandbox",
        bucket_size=1000,
        restore_rate=50,
        host="127.0.0.1",
        port=0,
        state_file=None,
        bulk_polls=2,
        bulk_seconds=0.5,
        seed=0,
        app_credentials=None,
        token_lifetime=86399,
    ):
        if host != "127.0.0.1":
            raise ValueError("The sandbox only listens on 127.0.0.1")
        if state is None and state_file and Path(state_file).is_file():
            state = json.loads(Path(state_file).read_text())
        self.state = state if state is not None else generator.generate_store(seed=seed)
        self.access_token = access_token
        # a Dev Dashboard app: (client ID, client secret) exchanged for expiring tokens
        self.app_credentials = app_credentials
        self.token_lifetime = token_lifetime
        self.issued_tokens = {}  # token -> expiry (epoch seconds)
        self.host, self.port = host, port
        self.state_file = state_file
        self.store = Store(self.state, lambda: self.url, bulk_polls=bulk_polls, bulk_seconds=bulk_seconds)
        self.lock = self.store.lock
        self.bucket = Bucket(bucket_size, restore_rate)
        self.faults = Faults(seed)
        self.calls = []
        self.webhooks = Webhooks(self.state["shop"]["domain"], DEFAULT_VERSION, seed=seed)
        self._server = None
        self._thread = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def shop_domain(self):
        return self.state["shop"]["domain"]

    def graphql_url(self, version=DEFAULT_VERSION):
        return f"{self.url}/admin/api/{version}/graphql.json"

    def start(self):
        handler = type("SandboxHandler", (_Handler,), {"sandbox": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="shopify-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.webhooks.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.save()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def save(self):
        """Write the state file (when there is one), atomically."""
        if not self.state_file:
            return
        with self.lock:
            text = json.dumps(self.state, indent=1, default=str)
            self.store.changed = False
        temp = f"{self.state_file}.tmp"
        Path(temp).write_text(text)
        os.replace(temp, self.state_file)

    # ------------------------------------------------------------------ webhooks
    def webhook_target(self, url, secret):
        self.webhooks.target(url, secret)

    def emit(self, topic, body, duplicate=0, reorder=False, delay=0):
        """Send ``body`` (or a list of bodies) for ``topic``; the list of deliveries sent now."""
        bodies = body if isinstance(body, list) else [body]
        return self.webhooks.emit([(topic, item) for item in bodies], duplicate, reorder, delay)

    def flush(self, timeout=10.0):
        return self.webhooks.flush(timeout)

    def _emit_now(self, events):
        if self.webhooks.url and events:
            return self.webhooks.emit(events)
        return []

    # ------------------------------------------------------------------ GraphQL over HTTP
    def _cost_extension(self, requested, actual):
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(),
            }
        }

    # ------------------------------------------------------------------ app tokens (client credentials)
    def issue_token(self, raw):
        """POST /admin/oauth/access_token (client credentials grant): (status, payload)."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        given = (body.get("client_id"), body.get("client_secret"))
        if not self.app_credentials or given != tuple(self.app_credentials):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed."}
        token = f"shpat_{secrets.token_hex(16)}"
        with self.lock:
            self.issued_tokens[token] = time.time() + self.token_lifetime
        return 200, {"access_token": token, "scope": "read_orders,write_orders", "expires_in": self.token_lifetime}

    def token_valid(self, token):
        if token and token == self.access_token:
            return True
        with self.lock:
            expiry = self.issued_tokens.get(token)
        return expiry is not None and expiry > time.time()

    def expire_tokens(self):
        """Every issued app token expires now (a day went by)."""
        with self.lock:
            self.issued_tokens = dict.fromkeys(self.issued_tokens, 0.0)

    def handle(self, version, token, raw):
        """(HTTP status, JSON payload, headers) for one GraphQL request."""
        latency = min(int(self.faults.latency_ms or 0), MAX_LATENCY_MS)
        if latency:
            time.sleep(latency / 1000)
        call = {
            "operation": None,
            "variables": None,
            "requested_cost": None,
            "actual_cost": None,
            "status": None,
            "version": version,
        }
        self.calls.append(call)
        with self.lock:
            if self.faults.roll(self.faults.error_5xx_ratio):
                status = self.faults.rng.choice((502, 503))
                call.update(status=f"http_{status}")
                return status, {"errors": "Service Unavailable"}, {}
            if self.faults.roll(self.faults.error_429_ratio):
                call.update(status="http_429")
                return (
                    429,
                    {"errors": "Exceeded 2 calls per second for api client. Reduce request rates."},
                    {"Retry-After": "1.0"},
                )
        if not self.token_valid(token):
            call.update(status="unauthorized")
            return 401, {"errors": UNAUTHORIZED}, {}
        try:
            body = json.loads(raw or b"{}")
            query = body["query"]
        except (ValueError, KeyError, TypeError):
            call.update(status="bad_request")
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}, {}
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        call.update(variables=variables, operation=operation_name)
        payload = self.execute(query, variables, operation_name, version, call)
        return 200, payload, {}

    def execute(self, query, variables=None, operation_name=None, version=DEFAULT_VERSION, call=None):
        """Run one GraphQL request like Shopify; the JSON payload."""
        call = call if call is not None else {}
        variables = variables or {}
        try:
            document = parse(query)
        except GraphQLError as error:
            call.update(status="invalid")
            return {"errors": [error.formatted], "extensions": self._cost_extension(0, 0)}
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if not operation_name and operations and operations[0].name:
            operation_name = operations[0].name.value
            call["operation"] = operation_name
        errors = validate(cost.schema(), document)
        if errors:
            call.update(status="invalid")
            formatted = [dict(e.formatted, extensions={"code": "GRAPHQL_VALIDATION_FAILED"}) for e in errors]
            return {"errors": formatted, "extensions": self._cost_extension(0, 0)}
        try:
            oversized = cost.oversized_pages(document, variables, operation_name)
            requested = cost.requested_cost(document, variables, operation_name)
        except (ValueError, TypeError) as error:
            call.update(status="invalid")
            return {"errors": [{"message": str(error)}], "extensions": self._cost_extension(0, 0)}
        call["requested_cost"] = requested
        if oversized:
            field, size = oversized[0]
            call.update(status="page_too_large")
            message = f"The page size requested for `{field}` ({size}) exceeds the maximum of {cost.MAX_PAGE_SIZE}."
            return {
                "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}],
                "extensions": self._cost_extension(requested, None),
            }
        if requested > cost.MAX_QUERY_COST:
            call.update(status="max_cost")
            message = (
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({cost.MAX_QUERY_COST}).\n\nTo query larger amounts of data with fewer limits, "
                "bulk operations should be used instead."
            )
            return {
                "errors": [
                    {
                        "message": message,
                        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": cost.MAX_QUERY_COST},
                    }
                ],
                "extensions": self._cost_extension(requested, None),
            }
        webhooks = []
        with self.lock:
            available = self.bucket.refill()
            if self.faults.roll(self.faults.throttle_ratio) or requested > available:
                call.update(status="throttled")
                return {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": self._cost_extension(requested, None),
                }
            context = {"webhooks": webhooks, "version": version}
            result = execute_sync(
                cost.schema(),
                document,
                root_value={**self.store.root(version), **self.payouts.root()},
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
            )
            data = result.data
            actual = min(cost.actual_cost(document, variables, data or {}, operation_name), requested)
            self.bucket.available = max(self.bucket.available - actual, 0.0)
            call.update(actual_cost=actual, status="error" if result.errors else "ok")
            payload = {}
            if result.errors:
                payload["errors"] = [_format_error(error) for error in result.errors]
            payload["data"] = data
            payload["extensions"] = self._cost_extension(requested, actual)
            changed = self.store.changed
        if webhooks and self.webhooks.url:
            # after the answer is computed, off the request thread: the caller may be the receiver itself
            self.webhooks.later([self.webhooks.prepare(topic, body) for topic, body in webhooks])
        if changed:
            self.save()
        return payload

    # ------------------------------------------------------------------ store helpers (state + webhooks)
    def _order(self, order_id):
        order = self.store.order(order_id)
        if order is None:
            raise KeyError(f"No sandbox order {order_id}")
        return order

    def rest_order(self, order_id):
        with self.lock:
            return rest.rest_order(self._order(order_id))

    def order_totals(self, order_id):
        with self.lock:
            return generator.order_totals(self._order(order_id))

    def create_order(
        self,
        lines=None,
        presentment_currency=None,
        taxes_included=None,
        email=None,
        gateway="shopify_payments",
        financial_status="PAID",
        taxes=None,
        location_id=None,
        **fields,
    ):
        """A new order (emits orders/create). ``lines``: [(sku, quantity)] or [(sku, quantity, discount)];
        ``location_id``: the Shopify location that fulfils it (default: the first; a store's for a POS sale)."""
        with self.lock:
            state = self.state
            rng = random.Random(f"{state.get('seed', 0)}-{state['next_order_number']}")
            shop_currency = state["shop"]["currency"]
            presentment = presentment_currency or shop_currency
            europe = presentment != shop_currency
            included = europe if taxes_included is None else taxes_included
            tax_set = list(taxes or (generator.EU_TAXES if included else generator.US_TAXES))
            by_sku = {variant["sku"]: (variant, product) for variant, product in self.store.variants()}
            if lines is None:
                picks = rng.sample(sorted(by_sku), k=min(2, len(by_sku)))
                lines = [(sku, 1) for sku in picks]
            specs = []
            for entry in lines:
                sku, quantity = entry[0], entry[1]
                discount = Decimal(str(entry[2])) if len(entry) > 2 else Decimal(0)
                variant, product = by_sku.get(sku, (None, None))
                specs.append((variant, product, quantity, discount, tax_set))
                if variant is None:
                    specs[-1] = (None, None, quantity, discount, tax_set)
            number = state["next_order_number"]
            state["next_order_number"] += 1
            when = datetime.now(timezone.utc).replace(microsecond=0)
            order = generator.build_order(state, rng, number, specs, when, presentment, included, email)
            for line, (variant, _p, _q, _d, _t) in zip(order["line_items"], specs, strict=True):
                if variant is None:
                    line["sku"] = next(e[0] for e in lines if e[0] not in by_sku)
            order["updated_at"] = order["created_at"]
            total = generator.order_totals(order)["original_total"]
            if financial_status == "PENDING":
                generator._transaction(state, order, "SALE", "PENDING", "manual", total)
            elif financial_status == "AUTHORIZED":
                generator._transaction(state, order, "AUTHORIZATION", "SUCCESS", gateway, total)
            else:
                generator._transaction(state, order, "SALE", "SUCCESS", gateway, total)
            order["financial_status"] = financial_status
            if location_id:
                for fulfillment_order in order["fulfillment_orders"]:
                    fulfillment_order["location_id"] = legacy(location_id)
            order.update(fields)
            state["orders"].append(order)
            body = rest.rest_order(order)
        self._emit_now([("orders/create", body)])
        self.save()
        return order

    def update_order(self, order_id, **changes):
        """Change fields of the internal order (e.g. note, tags, email, risk); emits orders/updated."""
        with self.lock:
            order = self._order(order_id)
            order.update(changes)
            order["updated_at"] = now_iso(order["updated_at"])
            body = rest.rest_order(order)
        self._emit_now([("orders/updated", body)])
        self.save()
        return order

    def outstanding(self, order_id):
        """What the customer still owes on the order (Decimal, shop currency)."""
        with self.lock:
            return generator.outstanding(self._order(order_id))

    def invoices_sent(self, order_id=None):
        """Invoices emailed by orderInvoiceSend ({"order_id", "to", "custom_message", "outstanding", "sent_at"})."""
        with self.lock:
            rows = list(self.state.get("invoices_sent") or [])
        return [row for row in rows if order_id is None or row["order_id"] == str(order_id)]

    def collect_payment(self, order_id, amount, gateway=None):
        """A payment the merchant collects on the order (an exchange's difference, say):
        a successful sale transaction; emits orders/updated."""
        with self.lock:
            order = self._order(order_id)
            when = now_iso(order["updated_at"])
            gateway = gateway or next(
                (tx["gateway"] for tx in order["transactions"] if tx["kind"] in ("SALE", "CAPTURE")), "manual"
            )
            transaction = generator.add_sale(self.state, order, gateway, Decimal(str(amount)), when=when)
            order["updated_at"] = when
            self.store.changed = True
            body = rest.rest_order(order)
        self._emit_now([("orders/updated", body)])
        self.save()
        return transaction

    def cancel_order(self, order_id, reason="CUSTOMER", refund=False, restock=True):
        with self.lock:
            order = self._order(order_id)
            events = self.store.cancel(order, reason, refund, restock)
        self._emit_now(events)
        self.save()
        return order

    def create_refund(self, order_id, lines=(), shipping=None, note=None, restock="RETURN", full_shipping=False):
        """Refund [(line id, quantity)] (+ shipping amount) with a refund transaction; emits refunds/create."""
        with self.lock:
            order = self._order(order_id)
            refund = generator.add_refund(
                self.state,
                order,
                [(legacy(line_id), quantity) for line_id, quantity in lines],
                shipping_full=full_shipping,
                shipping_amount=shipping,
                note=note,
                restock=restock,
                when=now_iso(order["updated_at"]),
            )
            order["updated_at"] = refund["created_at"]
            self.store._refresh_financial_status(order)
            body = rest.rest_refund(order, refund)
        self._emit_now([("refunds/create", body)])
        self.save()
        return refund

    def create_fulfillment(self, order_id, lines=None, tracking=None):
        """Fulfil [(line id, quantity)] (default: everything remaining); emits fulfillments/create."""
        with self.lock:
            order = self._order(order_id)
            fulfillment_order = next(
                fo for fo in order["fulfillment_orders"] if fo["status"] in ("OPEN", "IN_PROGRESS")
            )
            remaining = {line["line_item_id"]: line["remaining"] for line in fulfillment_order["line_items"]}
            if lines is None:
                lines = [(line_id, quantity) for line_id, quantity in remaining.items() if quantity]
            lines = [(legacy(line_id), quantity) for line_id, quantity in lines]
            for line_id, quantity in lines:
                if quantity > remaining.get(line_id, 0):
                    raise ValueError(f"Line {line_id}: only {remaining.get(line_id, 0)} left to fulfil")
            if isinstance(tracking, str):
                tracking = {"number": tracking, "company": "UPS", "url": None}
            record = self.store.record_fulfillment(order, fulfillment_order, lines, tracking or {})
            body = rest.rest_fulfillment(order, record)
        self._emit_now([("fulfillments/create", body)])
        self.save()
        return record

    def cancel_fulfillment(self, order_id, fulfillment_id):
        """Cancel a fulfilment made earlier; emits orders/updated (its fulfilment status changes)."""
        with self.lock:
            order = self._order(order_id)
            fulfillment = next((f for f in order["fulfillments"] if f["id"] == legacy(fulfillment_id)), None)
            if fulfillment is None:
                raise KeyError(f"No fulfilment {fulfillment_id} on sandbox order {order_id}")
            self.store.cancel_fulfillment(order, fulfillment)
            body = rest.rest_order(order)
            fulfillment_body = rest.rest_fulfillment(order, fulfillment)
        self._emit_now([("fulfillments/update", fulfillment_body), ("orders/updated", body)])
        self.save()
        return fulfillment

    def update_fulfillment_tracking(self, order_id, fulfillment_id, number, company=None, url=None, emit=True):
        """A tracking number added to a fulfilment later (a carrier's, say); emits
        fulfillments/update. Returns the REST body."""
        with self.lock:
            order = self._order(order_id)
            fulfillment = next((f for f in order["fulfillments"] if f["id"] == legacy(fulfillment_id)), None)
            if fulfillment is None:
                raise KeyError(f"No fulfilment {fulfillment_id} on sandbox order {order_id}")
            fulfillment.update(
                tracking_number=number,
                tracking_company=company or fulfillment.get("tracking_company"),
                tracking_url=url or fulfillment.get("tracking_url"),
                updated_at=now_iso(fulfillment.get("updated_at") or fulfillment.get("created_at")),
            )
            self.store.changed = True
            body = rest.rest_fulfillment(order, fulfillment)
        if emit:
            self._emit_now([("fulfillments/update", body)])
        self.save()
        return body

    def set_inventory(self, item, location, quantity):
        """Set the available quantity (item: inventory item id/gid or SKU); emits inventory_levels/update."""
        with self.lock:
            variant, _product = self.store.variant_by_item(item)
            if variant is None:
                variant = next((v for v, _p in self.store.variants() if v["sku"] == item), None)
            if variant is None:
                raise KeyError(f"No sandbox inventory item {item}")
            item_id, location_id = variant["inventory_item_id"], legacy(location)
            level = (
                self.state["inventory"]
                .setdefault(item_id, {})
                .setdefault(location_id, {"available": 0, "updated_at": now_iso()})
            )
            level["available"] = int(quantity)
            level["updated_at"] = now_iso(level["updated_at"])
            body = rest.rest_inventory_level(item_id, location_id, level)
        self._emit_now([("inventory_levels/update", body)])
        self.save()
        return level

    def available(self, item, location):
        with self.lock:
            variant, _product = self.store.variant_by_item(item)
            if variant is None:
                variant = next((v for v, _p in self.store.variants() if v["sku"] == item), None)
            level = self.state["inventory"].get(variant["inventory_item_id"], {}).get(legacy(location))
            return level["available"] if level else None

    # ------------------------------------------------------------------ catalogue (products/* webhooks)
    def add_product(self, title, variants, emit=True):
        """A product made in Shopify's admin, ``variants`` [{"sku", "price", "barcode"?, "title"?}],
        with no stock at any location; emits products/create. Returns the product."""
        with self.lock:
            when = now_iso()
            product = {"id": generator.next_id(self.state), "title": title, "status": "ACTIVE", "variants": []}
            for values in variants:
                variant_id, item_id = generator.next_id(self.state), generator.next_id(self.state)
                product["variants"].append(
                    {
                        "id": variant_id,
                        "product_id": product["id"],
                        "title": values.get("title") or "Default Title",
                        "sku": values["sku"],
                        "barcode": values.get("barcode"),
                        "price": generator.fmt(values["price"]),
                        "inventory_item_id": item_id,
                        "tracked": True,
                        "updated_at": when,
                    }
                )
                self.state["inventory"][item_id] = {
                    location["id"]: {"available": 0, "updated_at": when} for location in self.state["locations"]
                }
            self.state["products"].append(product)
            self.store.changed = True
            body = rest.rest_product(product)
        if emit:
            self._emit_now([("products/create", body)])
        self.save()
        return product

    def _product(self, product_id):
        product = next((p for p in self.state["products"] if p["id"] == legacy(product_id)), None)
        if product is None:
            raise KeyError(f"No sandbox product {product_id}")
        return product

    def update_product(self, product_id, prices=None, remove_skus=(), title=None, emit=True):
        """Edit a product in Shopify's admin: variant ``prices`` {sku: price}, variants
        removed by SKU, a new title; emits products/update. Returns the REST body."""
        with self.lock:
            product = self._product(product_id)
            when = now_iso(max(variant["updated_at"] for variant in product["variants"]))
            if title:
                product["title"] = title
            product["variants"] = [v for v in product["variants"] if v["sku"] not in set(remove_skus)]
            for variant in product["variants"]:
                if variant["sku"] in (prices or {}):
                    variant["price"] = generator.fmt(prices[variant["sku"]])
                variant["updated_at"] = when
            product["updated_at"] = when
            self.store.changed = True
            body = rest.rest_product(product)
        if emit:
            self._emit_now([("products/update", body)])
        self.save()
        return body

    def delete_product(self, product_id, emit=True):
        """Delete a product in Shopify's admin; emits products/delete (whose body is its id)."""
        with self.lock:
            product = self._product(product_id)
            self.state["products"].remove(product)
            self.store.changed = True
            body = {"id": int(product["id"])}
        if emit:
            self._emit_now([("products/delete", body)])
        self.save()
        return body

    def update_customer(self, customer_id, emit=True, **changes):
        """Edit a customer in Shopify's admin (``email``, ``phone``, ``first_name``,
        ``last_name``): every order of theirs shows it; emits customers/update. The body."""
        with self.lock:
            customers = [
                order["customer"]
                for order in self.state["orders"]
                if order.get("customer") and order["customer"]["id"] == legacy(customer_id)
            ]
            if not customers:
                raise KeyError(f"No sandbox customer {customer_id}")
            when = now_iso(customers[0].get("updated_at"))
            for customer in customers:
                customer.update(changes, updated_at=when)
            self.store.changed = True
            body = rest.rest_customer(customers[0])
        if emit:
            self._emit_now([("customers/update", body)])
        self.save()
        return body

    def move_fulfillment_order(self, order_id, location_id, emit=True):
        """The merchant moves what is left to ship of an order to another location
        (Shopify admin, *Change location*): its open fulfilment order is closed and
        hidden, a new one opens there; emits fulfillment_orders/moved. The body."""
        with self.lock:
            order = self.store.order(order_id)
            original = next(fo for fo in order["fulfillment_orders"] if fo["status"] in ("OPEN", "IN_PROGRESS"))
            source = original["location_id"]
            moved = {
                "id": generator.next_id(self.state),
                "location_id": legacy(location_id),
                "status": "OPEN",
                "line_items": [
                    {
                        "id": generator.next_id(self.state),
                        "line_item_id": line["line_item_id"],
                        "total": line["remaining"],
                        "remaining": line["remaining"],
                    }
                    for line in original["line_items"]
                    if line["remaining"]
                ],
            }
            for line in original["line_items"]:
                line["remaining"] = 0
            original.update(status="CLOSED", hidden=True)
            order["fulfillment_orders"].append(moved)
            order["updated_at"] = now_iso(order.get("updated_at"))
            self.store.changed = True
            body = rest.rest_fulfillment_order_moved(original, moved, source)
        if emit:
            self._emit_now([("fulfillment_orders/moved", body)])
        self.save()
        return body

    def route_order(self, order_id, location_id, emit=True):
        """Shopify's order routing assigns the order's open fulfilment order to a location
        (after the order was created); emits fulfillment_orders/order_routing_complete."""
        with self.lock:
            order = self.store.order(order_id)
            fulfillment_order = next(
                fo for fo in order["fulfillment_orders"] if fo["status"] in ("OPEN", "IN_PROGRESS")
            )
            fulfillment_order["location_id"] = legacy(location_id)
            self.store.changed = True
            body = rest.rest_fulfillment_order_hold(fulfillment_order)
        if emit:
            self._emit_now([("fulfillment_orders/order_routing_complete", body)])
        self.save()
        return body

    def hold_fulfillment_order(self, order_id, reason="OTHER", notes=None, release=False, emit=True):
        """The merchant (or a fraud app) puts the order's open fulfilment order on hold, or
        releases it (``release``); emits fulfillment_orders/placed_on_hold or hold_released."""
        with self.lock:
            order = self.store.order(order_id)
            wanted = ("ON_HOLD",) if release else ("OPEN", "IN_PROGRESS")
            fulfillment_order = next(fo for fo in order["fulfillment_orders"] if fo["status"] in wanted)
            fulfillment_order["status"] = "OPEN" if release else "ON_HOLD"
            order["updated_at"] = now_iso(order.get("updated_at"))
            self.store.changed = True
            body = rest.rest_fulfillment_order_hold(fulfillment_order, None if release else (reason, notes))
            topic = "fulfillment_orders/hold_released" if release else "fulfillment_orders/placed_on_hold"
        if emit:
            self._emit_now([(topic, body)])
        self.save()
        return body

    def privacy_request(self, topic, customer_id=None, emit=True):
        """A compliance webhook as Shopify sends it about a customer (customers/data_request,
        customers/redact: with their orders) or the shop (shop/redact). The body."""
        with self.lock:
            customer, order_ids = None, []
            if customer_id is not None:
                orders = [
                    order
                    for order in self.state["orders"]
                    if order.get("customer") and order["customer"]["id"] == legacy(customer_id)
                ]
                if not orders:
                    raise KeyError(f"No sandbox customer {customer_id}")
                customer, order_ids = orders[-1]["customer"], [order["id"] for order in orders]
            self.state.setdefault("privacy_requests", 0)
            self.state["privacy_requests"] += 1
            body = rest.rest_privacy_request(
                self.state["shop"], topic, customer, order_ids, request_id=self.state["privacy_requests"]
            )
        if emit:
            self._emit_now([(topic, body)])
        return body

    def delete_order(self, order_id, emit=True):
        """The merchant deletes an order; emits orders/delete. The body."""
        with self.lock:
            order = self._order(order_id)
            self.state["orders"].remove(order)
            self.store.changed = True
            body = {"id": int(order["id"])}
        if emit:
            self._emit_now([("orders/delete", body)])
        self.save()
        return body

    def uninstall_app(self):
        with self.lock:
            body = rest.rest_app_uninstalled(self.state["shop"])
        return self._emit_now([("app/uninstalled", body)])


def _format_error(error):
    formatted = dict(error.formatted)
    formatted.setdefault("extensions", {})
    formatted["extensions"] = formatted["extensions"] or {"code": "INTERNAL_SERVER_ERROR"}
    return formatted
