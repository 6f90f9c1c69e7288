# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.retail_connector_base.lib.signature import compute_signature

CURRENT_SECRET = "current-secret-0123456789"
PREVIOUS_SECRET = "previous-secret-9876543210"


CUSTOMERS = [
    {"id": 201, "name": "Ann Lee", "email": "ann@example.com", "updated_at": "2026-11-20 08:00:00"},
    {"id": 202, "name": "Bo Chen", "email": "bo@example.com", "updated_at": "2026-11-21 09:30:00"},
    {"id": 203, "name": "Cy Diaz", "email": "cy@example.com", "updated_at": "2026-11-22 07:45:00"},
]


class FakeChannelHandler(BaseHTTPRequestHandler):
    """A tiny channel API on 127.0.0.1 answering by path (real HTTP, real JSON)."""

    #: (method, path with query, decoded body) of every request, for assertions
    requests_seen = []

    routes = {
        "/shop": (200, {}, {"name": "Test Shop", "currency": "EUR"}),
        "/orders": (200, {}, {"orders": [{"id": 1}], "count": 1}),
        "/throttled": (429, {"Retry-After": "7"}, {"errors": "Exceeded 2 calls per second"}),
        "/boom": (503, {}, {"errors": "Service Unavailable"}),
        "/missing": (404, {}, {"errors": "Not Found"}),
        "/forbidden": (401, {}, {"errors": "Invalid API key or access token"}),
    }

    def do_GET(self):
        self.requests_seen.append(("GET", self.path, None))
        if self.path == "/slow":
            time.sleep(1.5)
        url = urlsplit(self.path)
        if url.path == "/customers":
            since = parse_qs(url.query).get("updated_at_min", [""])[0]
            customers = [c for c in CUSTOMERS if c["updated_at"] >= since]
            return self._send(200, {}, {"customers": customers})
        return self._send(*self.routes.get(self.path, (200, {}, {"ok": True})))

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        self.requests_seen.append(("POST", self.path, body))
        return self._send(200, {}, {"received": len((body or {}).get("items", []))})

    def _send(self, status, headers, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FakeChannelServer:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChannelHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def make_backend(env, name="Test Shop", company=None, **values):
    return env["retail.backend"].create(
        {
            "name": name,
            "channel": "test",
            "state": "active",
            "company_id": (company or env.company).id,
            "webhook_secret": CURRENT_SECRET,
            "webhook_secret_previous": PREVIOUS_SECRET,
            **values,
        }
    )


def customer_payload(external_id=101, name="Jane Roe", email="jane.roe@example.com", updated_at="2026-11-20 10:00:00"):
    return {"id": external_id, "name": name, "email": email, "updated_at": updated_at}


def signed_headers(body, secret=CURRENT_SECRET, topic="partners/update", delivery="d-1", style="x"):
    prefix = "X-Test-" if style == "x" else "test-"
    headers = {
        f"{prefix}Topic" if style == "x" else f"{prefix}topic": topic,
        f"{prefix}Webhook-Id" if style == "x" else f"{prefix}webhook-id": delivery,
        "Content-Type": "application/json",
    }
    if secret:
        key = f"{prefix}Hmac-Sha256" if style == "x" else f"{prefix}hmac-sha256"
        headers[key] = compute_signature(secret, body)
    return headers


class RetailCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.backend = make_backend(cls.env)
        cls.manager = new_test_user(
            cls.env, login="rc_manager", groups="base.group_user,retail_connector_base.group_retail_connector_manager"
        )
        cls.connector_user = new_test_user(
            cls.env, login="rc_user", groups="base.group_user,retail_connector_base.group_retail_connector_user"
        )
        cls.accountant = new_test_user(
            cls.env,
            login="rc_accountant",
            groups="base.group_user,retail_connector_base.group_retail_connector_finance",
        )

    def receive(self, payload, delivery="d-1", topic="partners/update", backend=None):
        """Store an event in the inbox the way the controller does."""
        body = json.dumps(payload)
        return self.env["retail.webhook.event"]._receive(
            backend or self.backend, topic=topic, delivery_id=delivery, payload=payload, payload_size=len(body)
        )


class ChannelApiCase(RetailCase):
    """RetailCase with the backend pointed at a local fake channel API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeChannelServer().start()
        cls.addClassCleanup(cls.server.stop)
        cls.backend.test_api_url = cls.server.url

    def setUp(self):
        super().setUp()
        FakeChannelHandler.requests_seen.clear()
