"""Plain-Python tests for lib.client against a scripted GraphQL endpoint on 127.0.0.1."""

import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from odoo.addons.retail_connector_base.lib import retry
from odoo.addons.retail_connector_shopify.lib import cost, documents
from odoo.addons.retail_connector_shopify.lib.client import ShopifyClient

TOKEN = "shpat_local_secret_token"


class LocalShopify:
    """Answers POSTs with queued ``(status, body)`` in order and GETs from ``files``; records requests."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.files = {}
        self._server = self._thread = None

    def start(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, body, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                owner.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)})
                if not owner.answers:
                    self._send(500, b'{"errors": "no answer queued"}')
                    return
                status, body = owner.answers.pop(0)
                self._send(status, body if isinstance(body, bytes) else json.dumps(body).encode())

            def do_GET(self):
                owner.requests.append({"path": self.path, "headers": dict(self.headers), "body": None})
                if self.path in owner.files:
                    self._send(200, owner.files[self.path], "application/jsonl")
                else:
                    self._send(404, b'{"errors": "Not Found"}')

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self):
        self.requests.clear()
        self.answers.clear()
        self.files.clear()

    def queue(self, status, body):
        self.answers.append((status, body))

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def cost_extensions(requested=10, actual=10, available=1000.0, maximum=1000.0, rate=50.0):
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate},
        }
    }


def ok(data, **cost_kwargs):
    return {"data": data, "extensions": cost_extensions(**cost_kwargs)}


def make_client(shop, **kwargs):
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must never intercept 127.0.0.1
    return ShopifyClient("demo.myshopify.com", TOKEN, base_url=shop.url, session=session, timeout=5, **kwargs)


class ClientCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = LocalShopify().start()

    @classmethod
    def tearDownClass(cls):
        cls.shop.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.shop.reset()
        self.client = make_client(self.shop)
        self.addCleanup(self.client.session.close)


class TestExecute(ClientCase):
    def test_request_shape_and_stats(self):
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, actual=3, available=997))
        data = self.client.execute("shop")
        self.assertEqual(data, {"shop": {"name": "Demo"}})
        request = self.shop.requests[0]
        self.assertEqual(request["path"], "/admin/api/2026-07/graphql.json")
        self.assertEqual(request["headers"]["X-Shopify-Access-Token"], TOKEN)
        self.assertEqual(request["body"]["operationName"], "Shop")
        self.assertEqual(request["body"]["variables"], {})
        self.assertEqual(request["body"]["query"], documents.load("shop"))
        self.assertEqual(self.client.call_count, 1)
        self.assertEqual(self.client.cost_spent, 3)
        self.assertEqual(self.client.last_cost["actualQueryCost"], 3)
        self.assertEqual(self.client.throttle_status["currentlyAvailable"], 997)
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, actual=4, available=993))
        self.client.execute("shop")
        self.assertEqual(self.client.stats()["call_count"], 2)
        self.assertEqual(self.client.cost_spent, 7)

    def test_literal_document_and_endpoint_version(self):
        client = make_client(self.shop, api_version="2025-01")
        self.addCleanup(client.session.close)
        self.shop.queue(200, ok({"shop": {"id": "gid://shopify/Shop/1"}}))
        client.execute("{ shop { id } }")
        self.assertEqual(self.shop.requests[0]["path"], "/admin/api/2025-01/graphql.json")
        self.assertIsNone(self.shop.requests[0]["body"]["operationName"])
        with self.assertRaises(ValueError):
            ShopifyClient("demo.myshopify.com", TOKEN, api_version="2023-01")

    def test_default_endpoint(self):
        client = ShopifyClient("demo.myshopify.com", TOKEN)
        self.assertEqual(client.endpoint, "https://demo.myshopify.com/admin/api/2026-07/graphql.json")
        self.assertIsInstance(client.session, requests.Session)
        self.assertNotIn(TOKEN, repr(client))

    def test_throttled_answer(self):
        requested = cost.requested_cost(documents.load("shop"))
        throttled = {
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": cost_extensions(requested=requested, actual=None, available=1.0, rate=50.0),
        }
        self.shop.queue(200, throttled)
        with self.assertRaises(retry.ThrottledError) as info:
            self.client.execute("shop")
        self.assertAlmostEqual(info.exception.retry_after, (requested - 1.0) / 50.0)
        self.assertEqual(self.client.call_count, 1)
        self.assertEqual(self.client.cost_spent, 0)
        self.assertEqual(self.client.throttle_status["currentlyAvailable"], 1.0)

    def test_pre_emptive_throttle_sends_nothing_and_never_sleeps(self):
        variables = {"first": 1}
        requested = cost.requested_cost(documents.load("orders"), variables)
        self.assertGreater(requested, 5)
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, actual=3, available=0.0, rate=50.0))
        self.client.execute("shop")
        started = time.monotonic()
        with self.assertRaises(retry.ThrottledError) as info:
            self.client.execute("orders", variables)
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertEqual(len(self.shop.requests), 1, "the pre-emptive throttle must not send the query")
        self.assertAlmostEqual(info.exception.retry_after, requested / 50.0, delta=0.1)
        self.assertEqual(self.client.call_count, 1)

    def test_points_of_a_call_in_flight_are_not_spent_twice(self):
        # A catch-up reads its next page in a background thread while the importer
        # calls Shopify: the second call must count what the first one holds.
        requested = cost.requested_cost(documents.load("shop"))
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, actual=1, available=requested * 1.5, rate=0.001))
        self.client.execute("shop")
        with self.client._reserve(requested, "page read ahead"):
            with self.assertRaises(retry.ThrottledError):
                self.client.execute("shop")
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, actual=1, available=requested * 1.5, rate=0.001))
        self.assertEqual(self.client.execute("shop")["shop"]["name"], "Demo")  # released once answered
        self.assertEqual(len(self.shop.requests), 2, "the call the bucket could not pay was not sent")

    def test_bucket_refills_with_time(self):
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}, available=0.0, rate=50.0))
        self.client.execute("shop")
        self.client._throttle_seen_at -= 100  # 100 s ago: the bucket is full again
        self.assertEqual(self.client.available_points(), 1000.0)

    def test_over_max_cost_is_refused_before_sending(self):
        self.assertGreater(cost.requested_cost(documents.load("orders"), {"first": 250}), 1000)
        with self.assertRaises(retry.PermanentError) as info:
            self.client.execute("orders", {"first": 250})
        self.assertIn("limit 1000", str(info.exception))
        self.assertEqual(self.shop.requests, [])

    def test_401_is_permanent_and_token_never_shown(self):
        body = b'{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}'
        self.shop.queue(401, body.replace(b')"', b") " + TOKEN.encode() + b'"'))
        with self.assertRaises(retry.PermanentError) as info:
            self.client.execute("shop")
        self.assertIs(type(info.exception), retry.PermanentError)
        self.assertEqual(info.exception.status, 401)
        self.assertIn("Invalid API key", str(info.exception))
        self.assertNotIn(TOKEN, str(info.exception))
        self.assertNotIn(TOKEN, repr(info.exception.args))

    def test_5xx_is_transient(self):
        self.shop.queue(503, b"Service Unavailable")
        with self.assertRaises(retry.TransientError) as info:
            self.client.execute("shop")
        self.assertEqual(info.exception.status, 503)

    def test_graphql_errors(self):
        self.shop.queue(200, {"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]})
        with self.assertRaises(retry.TransientError):
            self.client.execute("shop")
        self.shop.queue(200, {"errors": [{"message": "Field 'nope' doesn't exist on type 'Shop'"}]})
        with self.assertRaises(retry.PermanentError) as info:
            self.client.execute("shop")
        self.assertIn("nope", str(info.exception))
        self.shop.queue(200, {"data": None})
        with self.assertRaises(retry.PermanentError):
            self.client.execute("shop")
        self.shop.queue(200, b"<html>maintenance</html>")
        with self.assertRaises(retry.PermanentError):
            self.client.execute("shop")

    def test_connection_refused_is_transient(self):
        client = ShopifyClient("demo.myshopify.com", TOKEN, base_url="http://127.0.0.1:9", timeout=2)
        client.session.trust_env = False
        with self.assertRaises(retry.TransientError) as info:
            client.execute("shop")
        self.assertNotIn(TOKEN, str(info.exception))


class TestMutate(ClientCase):
    def test_payload_returned(self):
        payload = {"webhookSubscription": {"id": "gid://shopify/WebhookSubscription/1"}, "userErrors": []}
        self.shop.queue(200, ok({"webhookSubscriptionCreate": payload}))
        variables = {"topic": "ORDERS_CREATE", "callbackUrl": "https://odoo.example/hook"}
        result = self.client.mutate("webhook_subscription_create", variables, "webhookSubscriptionCreate")
        self.assertEqual(result, payload)
        self.assertEqual(self.shop.requests[0]["body"]["variables"], variables)

    def test_user_errors(self):
        payload = {"webhookSubscription": None, "userErrors": [{"field": ["callbackUrl"], "message": "is invalid"}]}
        self.shop.queue(200, ok({"webhookSubscriptionCreate": payload}))
        with self.assertRaises(retry.UserInputError) as info:
            self.client.mutate(
                "webhook_subscription_create",
                {"topic": "ORDERS_CREATE", "callbackUrl": "x"},
                "webhookSubscriptionCreate",
            )
        self.assertIn("callbackUrl: is invalid", str(info.exception))

    def test_order_cancel_user_errors(self):
        payload = {"job": None, "orderCancelUserErrors": [{"field": ["orderId"], "message": "Already cancelled"}]}
        self.shop.queue(200, ok({"orderCancel": payload}))
        variables = {"orderId": "gid://shopify/Order/1", "reason": "OTHER", "refund": False, "restock": True}
        with self.assertRaises(retry.UserInputError) as info:
            self.client.mutate("order_cancel", variables, "orderCancel")
        self.assertIn("Already cancelled", str(info.exception))

    def test_missing_payload(self):
        self.shop.queue(200, ok({"somethingElse": {}}))
        with self.assertRaises(retry.PermanentError):
            self.client.mutate("bulk_run", {"query": "{ shop { id } }"}, "bulkOperationRunQuery")


class TestPaginate(ClientCase):
    @staticmethod
    def _expected_size(name):
        text = documents.load(name)
        fitting = [n for n in range(1, 251) if cost.requested_cost(text, {"first": n}) <= 1000]
        return max(fitting)

    def test_follows_end_cursor_with_fitting_page_size(self):
        page1 = {"orders": {"pageInfo": {"hasNextPage": True, "endCursor": "c1"}, "nodes": [{"id": "1"}, {"id": "2"}]}}
        page2 = {"orders": {"pageInfo": {"hasNextPage": False, "endCursor": "c2"}, "nodes": [{"id": "3"}]}}
        self.shop.queue(200, ok(page1))
        self.shop.queue(200, ok(page2))
        pages = list(self.client.paginate("orders", {"query": "updated_at:>=2026-01-01"}, ("orders",)))
        self.assertEqual([[node["id"] for node in nodes] for nodes, _info in pages], [["1", "2"], ["3"]])
        first, second = (request["body"]["variables"] for request in self.shop.requests)
        size = self._expected_size("orders")
        self.assertEqual(first["first"], size)
        self.assertLessEqual(cost.requested_cost(documents.load("orders"), {"first": size}), 1000)
        if size < 250:
            self.assertGreater(cost.requested_cost(documents.load("orders"), {"first": size + 1}), 1000)
        self.assertNotIn("after", first)
        self.assertEqual((second["after"], second["first"], second["query"]), ("c1", size, "updated_at:>=2026-01-01"))

    def test_iter_nodes_nested_path_and_edges(self):
        def page(cursor, more, ids):
            edges = [{"node": {"item": {"id": i}}} for i in ids]
            return ok(
                {
                    "location": {
                        "inventoryLevels": {"pageInfo": {"hasNextPage": more, "endCursor": cursor}, "edges": edges}
                    }
                }
            )

        self.shop.queue(200, page("a", True, ["1"]))
        self.shop.queue(200, page("b", False, ["2", "3"]))
        nodes = list(
            self.client.iter_nodes(
                "inventory_levels", {"locationId": "gid://shopify/Location/1"}, "location.inventoryLevels"
            )
        )
        self.assertEqual([node["item"]["id"] for node in nodes], ["1", "2", "3"])
        self.assertEqual(self.shop.requests[0]["body"]["variables"]["first"], self._expected_size("inventory_levels"))

    def test_caller_first_caps_the_page_size(self):
        self.shop.queue(200, ok({"locations": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}))
        self.assertEqual(list(self.client.iter_nodes("locations", {"first": 7}, ("locations",))), [])
        self.assertEqual(self.shop.requests[0]["body"]["variables"]["first"], 7)

    def test_missing_connection_is_permanent(self):
        self.shop.queue(200, ok({"location": None}))
        with self.assertRaises(retry.PermanentError):
            list(self.client.iter_nodes("inventory_levels", {"locationId": "x"}, ("location", "inventoryLevels")))

    def test_repeated_cursor_is_permanent(self):
        page = ok({"locations": {"pageInfo": {"hasNextPage": True, "endCursor": "same"}, "nodes": [{"id": "1"}]}})
        self.shop.queue(200, page)
        self.shop.queue(200, page)
        with self.assertRaises(retry.PermanentError):
            list(self.client.iter_nodes("locations", {}, ("locations",)))
        self.assertEqual(len(self.shop.requests), 2)


class TestPrefetch(ClientCase):
    def wait_for_requests(self, count):
        deadline = time.monotonic() + 5
        while len(self.shop.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(len(self.shop.requests), count)

    def test_a_prefetched_call_answers_the_read_once(self):
        self.shop.queue(200, ok({"shop": {"name": "Read early"}}))
        with self.client.prefetching():
            self.client.prefetch("shop")
            self.wait_for_requests(1)  # sent before anyone reads it
            self.assertEqual(self.client.execute_prefetched("shop"), {"shop": {"name": "Read early"}})
            self.assertEqual(len(self.shop.requests), 1)
            self.shop.queue(200, ok({"shop": {"name": "Read now"}}))
            # an answer serves one read
            self.assertEqual(self.client.execute_prefetched("shop"), {"shop": {"name": "Read now"}})
        self.assertEqual(self.client.call_count, 2)

    def test_a_failed_early_read_is_made_again_when_needed(self):
        self.shop.queue(503, {"errors": "Service Unavailable"})
        self.shop.queue(200, ok({"shop": {"name": "Back"}}))
        with self.client.prefetching():
            self.client.prefetch("shop")
            self.wait_for_requests(1)
            self.assertEqual(self.client.execute_prefetched("shop"), {"shop": {"name": "Back"}})
        self.assertEqual(len(self.shop.requests), 2)

    def test_outside_a_prefetching_block_nothing_is_read_ahead(self):
        self.client.prefetch("shop")
        time.sleep(0.1)
        self.assertEqual(self.shop.requests, [])
        self.shop.queue(200, ok({"shop": {"name": "Demo"}}))
        self.assertEqual(self.client.execute_prefetched("shop"), {"shop": {"name": "Demo"}})
