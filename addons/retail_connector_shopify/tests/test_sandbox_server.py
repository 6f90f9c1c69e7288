"""The sandbox shop over real HTTP on 127.0.0.1 (plain Python, no ORM)."""

import json
import threading
import time
import unittest
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from odoo.addons.retail_connector_base.lib.signature import compute_signature
from odoo.addons.retail_connector_shopify.lib import cost, documents, normalize
from odoo.addons.retail_connector_shopify.sandbox import Sandbox, generate_store, order_totals

TOKEN = "shpat_test"
SECRET = "hush"


def gid(kind, value):
    return f"gid://shopify/{kind}/{value}"


class SandboxCase(unittest.TestCase):
    bucket_size = 50000
    restore_rate = 50000

    def setUp(self):
        super().setUp()
        self.state = generate_store(orders=12, products=6, seed=7)
        self.sandbox = Sandbox(
            self.state, access_token=TOKEN, bucket_size=self.bucket_size, restore_rate=self.restore_rate
        ).start()
        self.addCleanup(self.sandbox.stop)

    def post(self, text, variables=None, version="2026-07", token=TOKEN):
        response = requests.post(
            self.sandbox.graphql_url(version),
            json={"query": text, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
            timeout=10,
        )
        return response

    def gql(self, name, variables=None, version="2026-07"):
        response = self.post(documents.load(name), variables, version)
        self.assertEqual(response.status_code, 200)
        return response.json()


class TestProtocol(SandboxCase):
    def test_wrong_token(self):
        response = self.post(documents.load("shop"), token="nope")
        self.assertEqual(response.status_code, 401)
        self.assertIn("Invalid API key", response.json()["errors"])

    def test_cost_extension_and_max_cost(self):
        payload = self.gql("shop")
        self.assertEqual(payload["data"]["shop"]["currencyCode"], "USD")
        self.assertEqual(payload["extensions"]["cost"]["requestedQueryCost"], 3)
        payload = self.gql("orders", {"first": 5})
        self.assertEqual(payload["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED")
        self.assertIsNone(payload.get("data"))
        self.assertEqual(self.sandbox.calls[-1]["status"], "max_cost")
        payload = self.gql("locations", {"first": 251})
        self.assertTrue(payload["errors"])

    def test_validation_error(self):
        payload = self.post("{ shop { nope } }").json()
        self.assertIn("nope", payload["errors"][0]["message"])
        self.assertIn("cost", payload["extensions"])

    def test_pagination_returns_every_order_once(self):
        seen, after = [], None
        while True:
            payload = self.gql("orders", {"first": 2, "after": after, "query": "status:any"})
            page = payload["data"]["orders"]
            seen += [node["name"] for node in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        self.assertEqual(sorted(seen), sorted(order["name"] for order in self.state["orders"]))
        middle = self.state["orders"][5]["updated_at"]
        payload = self.gql("orders", {"first": 2, "query": f"updated_at:>='{middle}'"})
        expected = sorted(o["name"] for o in self.state["orders"] if o["updated_at"] >= middle)
        names = [n["name"] for n in payload["data"]["orders"]["nodes"]]
        self.assertEqual(len(names), min(2, len(expected)))
        self.assertTrue(set(names) <= set(expected))

    def test_generator_totals_consistent(self):
        for order in self.state["orders"]:
            included = order["taxes_included"]
            lines = sum(
                Decimal(line["price"]) * line["current_quantity"] - Decimal(line["discount"])
                for line in order["line_items"]
            )
            shipping = sum(Decimal(s["price"]) - Decimal(s["discount"]) for s in order["shipping_lines"])
            refunded_shipping = sum(
                Decimal(r["shipping"]["amount"]) + (Decimal(r["shipping"]["tax"]) if included else 0)
                for r in order["refunds"]
                if r["shipping"]
            )
            totals = order_totals(order)
            tax = Decimal(0) if included else totals["tax"]
            self.assertEqual(totals["total"], lines + shipping - refunded_shipping + tax, order["name"])
            if order["financial_status"] == "REFUNDED":
                self.assertEqual(totals["total"], 0, order["name"])
            paid = sum(
                Decimal(t["amount"])
                for t in order["transactions"]
                if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"
            )
            if paid and order["financial_status"] in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED"):
                self.assertEqual(paid - totals["refunded"], totals["total"], order["name"])
        names = {order["name"]: order for order in self.state["orders"]}
        self.assertIn("UNKNOWN-SKU-1", [line["sku"] for line in names["#1003"]["line_items"]])
        taxes = {t["title"] for line in names["#1001"]["line_items"] for t in line["tax_lines"]}
        self.assertIn("Luxury Tax", taxes)
        self.assertEqual(generate_store(orders=12, products=6, seed=7), self.state)


class TestThrottle(SandboxCase):
    bucket_size = 10
    restore_rate = 1

    def test_bucket_drains_and_refills(self):
        text = "{ locations(first: 3) { nodes { id } } }"  # requested 5, actual 4 (2 locations)
        first = self.post(text).json()["extensions"]["cost"]
        self.assertEqual((first["requestedQueryCost"], first["actualQueryCost"]), (5, 4))
        self.assertAlmostEqual(first["throttleStatus"]["currentlyAvailable"], 6, delta=0.5)
        self.post(text)
        throttled = self.post(text).json()
        self.assertEqual(throttled["errors"][0]["extensions"]["code"], "THROTTLED")
        status = throttled["extensions"]["cost"]
        self.assertIsNone(status["actualQueryCost"])
        self.assertEqual(status["throttleStatus"]["maximumAvailable"], 10)
        self.assertEqual(status["throttleStatus"]["restoreRate"], 1)
        self.assertLess(status["throttleStatus"]["currentlyAvailable"], 5)
        self.sandbox.bucket.rate = 20.0  # refill quickly rather than sleeping seconds
        time.sleep(0.4)
        self.assertNotIn("errors", self.post(text).json())

    def test_faults(self):
        self.sandbox.faults.error_5xx_ratio = 1.0
        self.assertIn(self.post("{ shop { id } }").status_code, (502, 503))
        self.sandbox.faults.error_5xx_ratio = 0
        self.sandbox.faults.error_429_ratio = 1.0
        response = self.post("{ shop { id } }")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response.headers)


class TestMutations(SandboxCase):
    def _level(self):
        item, location = self.state["products"][0]["variants"][0]["inventory_item_id"], self.state["locations"][0]["id"]
        return item, location, self.state["inventory"][item][location]["available"]

    def test_inventory_set_change_from_and_idempotency(self):
        item, location, current = self._level()
        quantity = {"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", location)}
        stale = {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [{**quantity, "quantity": 3, "changeFromQuantity": current + 1}],
            },
            "idempotencyKey": "k0",
        }
        payload = self.gql("inventory_set", stale)["data"]["inventorySetQuantities"]
        self.assertEqual(payload["userErrors"][0]["code"], "CHANGE_FROM_QUANTITY_STALE")
        good = {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [{**quantity, "quantity": current + 5, "changeFromQuantity": current}],
            },
            "idempotencyKey": "k1",
        }
        first = self.gql("inventory_set", good)["data"]["inventorySetQuantities"]
        self.assertEqual(first["userErrors"], [])
        self.assertEqual(self._level()[2], current + 5)
        self.state["inventory"][item][location]["available"] = current + 7  # someone else moved it since
        again = self.gql("inventory_set", good)["data"]["inventorySetQuantities"]
        self.assertEqual(again, first)
        self.assertEqual(self._level()[2], current + 7)
        # the @idempotent directive is mandatory from 2026-04
        missing = self.gql("inventory_set_2025_01", {"input": good["input"]}, version="2026-04")
        self.assertIn("idempotent", missing["errors"][0]["message"])
        # before 2026-04: compareQuantity
        old = {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [{**quantity, "quantity": 1, "compareQuantity": 0}],
            }
        }
        payload = self.gql("inventory_set_2025_01", old, version="2025-01")["data"]["inventorySetQuantities"]
        self.assertEqual(payload["userErrors"][0]["code"], "COMPARE_QUANTITY_STALE")

    def test_fulfillment_create(self):
        order = self.state["orders"][0]
        data = self.gql("fulfillment_orders", {"orderId": gid("Order", order["id"])})["data"]
        fulfillment_order = data["order"]["fulfillmentOrders"]["nodes"][0]
        line = fulfillment_order["lineItems"]["nodes"][0]
        variables = {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [
                    {
                        "fulfillmentOrderId": fulfillment_order["id"],
                        "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": line["remainingQuantity"] + 1}],
                    }
                ],
                "trackingInfo": {"number": "1Z1", "company": "UPS"},
            }
        }
        payload = self.gql("fulfillment_create", variables)["data"]["fulfillmentCreate"]
        self.assertTrue(payload["userErrors"])
        variables["fulfillment"]["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"][0]["quantity"] = 1
        payload = self.gql("fulfillment_create", variables)["data"]["fulfillmentCreate"]
        self.assertEqual(payload["userErrors"], [])
        data = self.gql("fulfillment_orders", {"orderId": gid("Order", order["id"])})["data"]
        after = data["order"]["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
        self.assertEqual(after["remainingQuantity"], line["remainingQuantity"] - 1)
        self.assertEqual(order["fulfillments"][-1]["tracking_number"], "1Z1")

    def test_refund_and_cancel(self):
        order = self.state["orders"][0]
        line = order["line_items"][0]
        variables = {
            "input": {
                "orderId": gid("Order", order["id"]),
                "refundLineItems": [
                    {"lineItemId": gid("LineItem", line["id"]), "quantity": 1, "restockType": "RETURN"}
                ],
                "transactions": [
                    {
                        "orderId": gid("Order", order["id"]),
                        "gateway": "shopify_payments",
                        "kind": "REFUND",
                        "amount": "1.00",
                    }
                ],
            },
            "idempotencyKey": "r1",
        }
        first = self.gql("refund_create", variables)["data"]["refundCreate"]
        self.assertEqual(first["userErrors"], [])
        self.assertEqual(self.gql("refund_create", variables)["data"]["refundCreate"], first)
        self.assertEqual(len(order["refunds"]), 1)
        self.assertEqual(order["financial_status"], "PARTIALLY_REFUNDED")
        cancel = {"orderId": gid("Order", order["id"]), "reason": "CUSTOMER", "refund": False, "restock": True}
        self.assertEqual(self.gql("order_cancel", cancel)["data"]["orderCancel"]["orderCancelUserErrors"], [])
        self.assertTrue(order["cancelled_at"])
        errors = self.gql("order_cancel", cancel)["data"]["orderCancel"]["orderCancelUserErrors"]
        self.assertEqual(errors[0]["code"], "INVALID")

    def test_outstanding_balance_and_invoice_email(self):
        paid = next(o for o in self.state["orders"] if o["financial_status"] == "PAID" and not o["cancelled_at"])
        pending = next(o for o in self.state["orders"] if o["financial_status"] == "PENDING" and not o["cancelled_at"])

        def balance(order):
            node = self.gql("order_outstanding", {"id": gid("Order", order["id"])})["data"]["order"]
            return normalize.outstanding_from_graphql(node)

        self.assertEqual(balance(paid)["amount"], Decimal("0.00"))
        self.assertEqual(balance(pending)["amount"], order_totals(pending)["total"])
        self.assertEqual(balance(pending)["currency"], pending["currency"])
        self.sandbox.collect_payment(pending["id"], Decimal("1.00"))
        self.assertEqual(balance(pending)["amount"], order_totals(pending)["total"] - 1)

        sent = self.gql("order_invoice_send", {"id": gid("Order", pending["id"]), "email": {"customMessage": "Hi"}})
        self.assertEqual(sent["data"]["orderInvoiceSend"]["userErrors"], [])
        self.assertEqual(
            [(row["to"], row["custom_message"]) for row in self.sandbox.invoices_sent(pending["id"])],
            [(pending["email"], "Hi")],
        )
        pending["email"] = None
        errors = self.gql("order_invoice_send", {"id": gid("Order", pending["id"])})["data"]["orderInvoiceSend"]
        self.assertEqual(errors["userErrors"][0]["code"], "ORDER_INVOICE_SEND_UNSUCCESSFUL")
        missing = self.gql("order_invoice_send", {"id": gid("Order", "999999999")})["data"]["orderInvoiceSend"]
        self.assertEqual(missing["userErrors"][0]["field"], ["id"])
        self.assertEqual(len(self.sandbox.invoices_sent()), 1)

    def test_bulk_operation_jsonl(self):
        self.sandbox.store.bulk_polls = 2
        run = self.gql("bulk_run", {"query": documents.load("bulk_orders")})["data"]["bulkOperationRunQuery"]
        self.assertEqual(run["userErrors"], [])
        status = {}
        for _poll in range(3):
            status = self.gql("bulk_status", {"id": run["bulkOperation"]["id"]})["data"]["node"]
            if status["status"] == "COMPLETED":
                break
        self.assertEqual(status["status"], "COMPLETED")
        rows = [json.loads(line) for line in requests.get(status["url"], timeout=10).text.splitlines()]
        orders = [row for row in rows if "__parentId" not in row]
        children = [row for row in rows if "__parentId" in row]
        self.assertEqual(len(orders), len(self.state["orders"]))
        self.assertEqual(int(status["rootObjectCount"]), len(orders))
        self.assertTrue(children)
        self.assertTrue({row["__parentId"] for row in children} <= {row["id"] for row in orders})

    def test_webhook_subscriptions(self):
        created = self.gql("webhook_subscription_create", {"topic": "ORDERS_CREATE", "callbackUrl": "https://x/1"})
        sub = created["data"]["webhookSubscriptionCreate"]["webhookSubscription"]
        self.gql("webhook_subscription_update", {"id": sub["id"], "callbackUrl": "https://x/2"})
        nodes = self.gql("webhook_subscriptions", {"first": 10})["data"]["webhookSubscriptions"]["nodes"]
        self.assertEqual(nodes[0]["endpoint"]["callbackUrl"], "https://x/2")


class _Receiver(BaseHTTPRequestHandler):
    received = None

    def log_message(self, *args):
        return

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class TestWebhooks(SandboxCase):
    def setUp(self):
        super().setUp()
        self.received = []
        handler = type("Receiver", (_Receiver,), {"received": self.received})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.sandbox.webhook_target(f"http://127.0.0.1:{self.server.server_address[1]}/hook", SECRET)

    def test_hmac_and_duplicates(self):
        order = self.state["orders"][0]
        sent = self.sandbox.emit("orders/updated", self.sandbox.rest_order(order["id"]), duplicate=1)
        self.assertEqual([record["status_code"] for record in sent], [200, 200])
        self.assertEqual(len(self.received), 2)
        (h1, b1), (h2, _b2) = self.received
        self.assertEqual(h1["X-Shopify-Hmac-Sha256"], compute_signature(SECRET, b1))
        self.assertEqual(h1["X-Shopify-Webhook-Id"], h2["X-Shopify-Webhook-Id"])
        self.assertEqual(h1["X-Shopify-Topic"], "orders/updated")
        body = json.loads(b1)
        self.assertEqual(body["current_total_price"], str(order_totals(order)["total"]))

    def test_store_helpers_and_mutations_emit(self):
        order = self.sandbox.create_order(lines=[(self.state["products"][0]["variants"][0]["sku"], 2)])
        self.sandbox.create_fulfillment(order["id"], tracking="1Z2")
        self.sandbox.create_refund(order["id"], lines=[(order["line_items"][0]["id"], 1)])
        self.sandbox.cancel_order(order["id"])
        cancel = {
            "orderId": gid("Order", self.state["orders"][1]["id"]),
            "reason": "OTHER",
            "refund": False,
            "restock": True,
        }
        self.gql("order_cancel", cancel)
        self.sandbox.emit("orders/updated", [{"id": 1}, {"id": 2}, {"id": 3}], reorder=True, delay=0.05)
        self.assertTrue(self.sandbox.flush(5))
        topics = [headers["X-Shopify-Topic"] for headers, _body in self.received]
        self.assertEqual(
            topics[:5],
            ["orders/create", "fulfillments/create", "refunds/create", "orders/cancelled", "orders/cancelled"],
        )
        self.assertEqual(len(topics), 8)
        self.assertLess(cost.requested_cost(documents.load("shop")), 10)
