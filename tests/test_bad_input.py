# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input, generated: malformed, truncated, oversized, wrong-typed and
hostile payloads through the normalisers, the settlement file parsers and the
webhook endpoint. Each yields a clear error (or an exception record), never a
crash, a partial record or a stack trace to the caller."""

import copy
import json
import uuid
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_base.lib.signature import compute_signature
from odoo.addons.retail_connector_shopify.lib import normalize
from odoo.addons.retail_connector_shopify.sandbox import generate_store, rest
from odoo.addons.retail_connector_shopify.tests.common import WEBHOOK_SECRET, ShopifyHttpCase
from odoo.addons.retail_settlement_recon.lib import parsers
from odoo.addons.retail_settlement_recon.lib.canonical import ParseError

HOSTILE_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60)
    | st.sampled_from(["", "NaN", "1e999", "-0", "0x10", "<script>alert(1)</script>", "'; DROP TABLE x;--", "\x00"])
)
JSON_VALUES = st.recursive(
    HOSTILE_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)

_STORE = generate_store(orders=12, products=6, seed=5, problems=False)
REST_ORDERS = [rest.rest_order(order) for order in _STORE["orders"]]
FIXTURES = Path(__file__).resolve().parents[1] / "addons" / "retail_settlement_recon" / "tests" / "fixtures"
PROVIDER_FIXTURES = {
    "stripe": "stripe_payout.csv",
    "paypal": "paypal_activity.csv",
    "adyen": "adyen_batch.csv",
    "shopify_payments": "shopify_payments.csv",
}


def _paths(value, prefix=()):
    """Every path to a value inside nested dicts/lists."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@st.composite
def mutated_order(draw):
    """A real-shaped REST order with a few values replaced, deleted or truncated."""
    body = copy.deepcopy(draw(st.sampled_from(REST_ORDERS)))
    for __ in range(draw(st.integers(1, 4))):
        paths = [path for path in _paths(body) if path]
        path = draw(st.sampled_from(paths))
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "truncate"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "truncate" and isinstance(parent[path[-1]], str | list):
            parent[path[-1]] = parent[path[-1]][: draw(st.integers(0, 3))]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return body


def _check_order(order):
    assert isinstance(order, dict)
    assert isinstance(order["total"], Decimal | None)
    for line in order["lines"]:
        assert isinstance(line["quantity"], int)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=mutated_order())
def test_rest_order_normaliser_answers_a_canonical_order_or_a_clear_error(body):
    try:
        order = normalize.order_from_rest(body)
    except PermanentError as error:
        assert str(error)
        return
    _check_order(order)


@settings(max_examples=300, deadline=None)
@given(body=JSON_VALUES)
def test_every_rest_normaliser_refuses_garbage_clearly(body):
    for normaliser in (
        normalize.order_from_rest,
        normalize.refund_from_rest,
        normalize.fulfillment_from_rest,
        normalize.inventory_level_from_rest,
        normalize.order_from_graphql,
        normalize.variant_from_graphql,
    ):
        try:
            result = normaliser(body)
        except PermanentError as error:
            assert str(error)
        else:
            assert isinstance(result, dict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_settlement_files_truncated_or_garbled_give_rows_or_a_parse_error(data):
    provider = data.draw(st.sampled_from(sorted(PROVIDER_FIXTURES)))
    content = (FIXTURES / PROVIDER_FIXTURES[provider]).read_bytes()
    how = data.draw(st.sampled_from(["truncate", "garble", "random"]))
    if how == "truncate":
        content = content[: data.draw(st.integers(0, len(content)))]
    elif how == "garble":
        position = data.draw(st.integers(0, max(len(content) - 1, 0)))
        content = content[:position] + data.draw(st.binary(min_size=1, max_size=20)) + content[position + 1 :]
    else:
        content = data.draw(st.binary(max_size=400))
    try:
        rows = parsers.parse(provider, content)
    except ParseError as error:
        assert str(error)
        return
    for row in rows:
        assert isinstance(row.net, Decimal)


class TestHostileWebhooks(ShopifyHttpCase):
    """Signed and unsigned hostile deliveries against Odoo's real endpoint."""

    store_orders = 2
    store_products = 2

    def post(self, raw, sign=True, topic="orders/updated"):
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        }
        if sign:
            headers["X-Shopify-Hmac-Sha256"] = compute_signature(WEBHOOK_SECRET, raw)
        # the session's post, not url_open: an empty body must still be a POST
        url = f"{self.base_url()}/retail/webhook/shopify/{self.backend.id}"
        return self.opener.post(url, data=raw, headers=headers, timeout=30)

    def events(self):
        return self.env["retail.webhook.event"].sudo().search([("backend_id", "=", self.backend.id)])

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        payload=st.one_of(
            JSON_VALUES.map(lambda value: json.dumps(value).encode()),
            mutated_order().map(lambda body: json.dumps(body).encode()),
            st.binary(max_size=300),
            mutated_order().map(lambda body: json.dumps(body).encode()[:40]),
        ),
        sign=st.booleans(),
        topic=st.sampled_from(["orders/updated", "refunds/create", "fulfillments/create", "x" * 300, ""]),
    )
    def test_hostile_deliveries_are_refused_or_stored_once_never_a_server_error(self, payload, sign, topic):
        before = len(self.events())
        response = self.post(payload, sign=sign, topic=topic)
        self.assertNotIn("Traceback", response.text)
        if not sign:
            self.assertEqual(response.status_code, 401)
            self.assertEqual(len(self.events()), before)
            return
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self.events()), before + 1)
        event = self.events().sorted("id")[-1]
        try:
            body = json.loads(payload)
        except ValueError:
            body = None
        if not isinstance(body, dict | list):
            # kept for the record, never processed, reported in the workbench
            self.assertEqual(event.state, "failed")
            self.assertTrue(event.exception_id)

    def test_oversized_delivery_is_refused_before_it_is_read(self):
        self.env["ir.config_parameter"].sudo().set_param("retail_connector_base.webhook_max_bytes", "1024")
        before = len(self.events())
        response = self.post(json.dumps({"note": "x" * 5000}).encode())
        self.assertEqual(response.status_code, 413)
        self.assertEqual(len(self.events()), before)

    def test_hostile_events_end_done_or_failed_with_an_exception_never_half_written(self):
        sale_orders = self.env["sale.order"].search_count([])
        for index, body in enumerate(
            [{"id": "not-a-number"}, {"id": None}, [], {"order": {"id": -5}}, {"id": 10**30}, {"id": "1e3"}]
        ):
            event, __ = self.env["retail.webhook.event"]._receive(
                self.backend, "orders/updated", f"hostile-{index}", body, len(str(body))
            )
            event._process_job()
            self.assertIn(event.state, ("done", "failed"), body)
            if event.state == "failed":
                self.assertTrue(event.exception_id.message, body)
        self.assertEqual(self.env["sale.order"].search_count([]), sale_orders)
