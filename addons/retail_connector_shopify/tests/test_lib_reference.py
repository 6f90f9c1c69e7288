"""Checks against Shopify's own reference material (skipped when it is absent).

- every GraphQL document validates against the real 2025-01 Admin schema
  (only the names listed in NEWER_THAN_2025_01 may be unknown to it);
- Shopify's documented REST examples go through the REST normalisers.
"""

import functools
import gzip
import json
import unittest
from decimal import Decimal
from pathlib import Path

from graphql import build_client_schema, parse, validate

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_shopify.lib import bulk, documents, normalize

REFERENCE_DIR = (Path(__file__).resolve().parents[3] / ".." / "shared" / "reference").resolve()
SCHEMA_FILE = REFERENCE_DIR / "shopify" / "graphql_admin_schema" / "admin_schema_2025-01.json.gz"
EXAMPLES_DIR = REFERENCE_DIR / "shopify" / "rest_examples_2026-07_shopify_api_ruby"

#: validation errors allowed because the document uses something newer than 2025-01
NEWER_THAN_2025_01 = {
    "inventory_set": {"Unknown directive '@idempotent'."},
    "refund_create": {"Unknown directive '@idempotent'."},
    # returnProcess (2025-07+) replaced returnRefund
    "return_process": {
        "Unknown type 'ReturnProcessInput'. Did you mean 'ReturnRequestInput', 'ReturnRefundInput', "
        "'ReturnInput', 'ReturnLineItemInput', or 'ReturnReason'?",
        "Cannot query field 'returnProcess' on type 'Mutation'. Did you mean 'returnCancel', 'returnClose', "
        "'returnReopen', 'returnRequest', or 'returnCreate'?",
    },
}


@functools.cache
def _schema():
    """The 2025-01 Admin schema, built once per test run (the file is large)."""
    with gzip.open(SCHEMA_FILE, "rt") as handle:
        introspection = json.load(handle)
    return build_client_schema(introspection.get("data", introspection))


def _cases(name):
    return json.loads((EXAMPLES_DIR / f"{name}.cases.json").read_text())


def _resources(name, singular, plural):
    """(test name, resource body) for every resource in the examples' response bodies."""
    for case in _cases(name):
        body = case.get("response_body")
        if not isinstance(body, dict):
            continue
        if isinstance(body.get(singular), dict):
            yield case["test"], body[singular]
        for item in body.get(plural) or []:
            yield case["test"], item


def _decimal_or_none(value):
    return None if value in (None, "") else Decimal(str(value))


@unittest.skipUnless(SCHEMA_FILE.is_file(), "Shopify reference schema not available")
class TestDocumentsAgainstSchema(unittest.TestCase):
    def test_every_document_validates(self):
        schema = _schema()
        for name in documents.names():
            with self.subTest(document=name):
                errors = {error.message for error in validate(schema, parse(documents.load(name)))}
                self.assertEqual(errors - NEWER_THAN_2025_01.get(name, set()), set())

    def test_allowances_are_still_needed(self):
        # an allowance nobody needs any more hides nothing, but would be misleading
        schema = _schema()
        for name, allowed in NEWER_THAN_2025_01.items():
            errors = {error.message for error in validate(schema, parse(documents.load(name)))}
            self.assertEqual(errors, allowed, name)

    def test_filtered_bulk_query_still_validates(self):
        text = bulk.with_query_filter(documents.load("bulk_orders"), "updated_at:>='2026-01-01T00:00:00Z'")
        self.assertEqual(validate(_schema(), parse(text)), [])


@unittest.skipUnless(EXAMPLES_DIR.is_dir(), "Shopify REST examples not available")
class TestRestExamples(unittest.TestCase):
    def test_orders(self):
        count = 0
        for test, body in _resources("order", "order", "orders"):
            with self.subTest(example=test, order=body.get("id")):
                order = normalize.order_from_rest(body)
                count += 1
                self.assertEqual(order["id"], str(body["id"]))
                self.assertEqual(order["name"], body.get("name"))
                expected = _decimal_or_none(body.get("current_total_price") or body.get("total_price"))
                self.assertEqual(order["total"], expected)
                address = body.get("shipping_address")
                if address:
                    self.assertEqual(order["shipping_address"]["city"], address.get("city"))
                    self.assertEqual(order["shipping_address"]["country_code"], address.get("country_code"))
                else:
                    self.assertIsNone(order["shipping_address"])
                self.assertEqual(len(order["lines"]), len(body.get("line_items") or []))
                self.assertEqual(len(order["refunds"]), len(body.get("refunds") or []))
                # self-consistent examples: complete current totals, not cancelled
                if body.get("current_total_price") and body.get("line_items") and not body.get("cancelled_at"):
                    self.assertEqual(normalize.order_total_check(order), Decimal("0"))
        self.assertGreater(count, 20)

    def test_order_1001(self):
        body = next(body for test, body in _resources("order", "order", "orders") if test == "test_8")
        order = normalize.order_from_rest(body)
        self.assertEqual(order["financial_status"], "partially_refunded")
        self.assertEqual([line["current_quantity"] for line in order["lines"]], [0, 1, 0])
        self.assertEqual(
            [line["discount"] for line in order["lines"]], [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
        )
        self.assertEqual(
            order["lines"][0]["taxes"], [{"title": "State Tax", "rate": Decimal("0.06"), "amount": Decimal("3.98")}]
        )
        self.assertEqual(order["refund_ids"], ["509562969"])
        refund = order["refunds"][0]
        self.assertEqual([line["line_id"] for line in refund["lines"]], ["703073504", "466157049"])
        self.assertEqual(refund["total"], Decimal("209.00"))

    def test_refunds(self):
        checked = 0
        for test, body in _resources("refund", "refund", "refunds"):
            with self.subTest(example=test):
                if body.get("id") is None:  # refunds/calculate: a suggestion, not a refund
                    with self.assertRaises(PermanentError):
                        normalize.refund_from_rest(body)
                    continue
                refund = normalize.refund_from_rest(body)
                checked += 1
                self.assertEqual((refund["id"], refund["order_id"]), (str(body["id"]), str(body["order_id"])))
                self.assertEqual(len(refund["lines"]), len(body.get("refund_line_items") or []))
                expected = sum(
                    (
                        Decimal(tx["amount"])
                        for tx in body.get("transactions") or []
                        if tx.get("kind") == "refund" and tx.get("status") == "success"
                    ),
                    Decimal("0"),
                )
                self.assertEqual(refund["total"], expected)
                shipping = sum(
                    (
                        Decimal(line["subtotal_amount_set"]["shop_money"]["amount"])
                        for line in body.get("refund_shipping_lines") or []
                    ),
                    Decimal("0"),
                )
                self.assertEqual(refund["shipping"], shipping)
                self.assertNotIn("shipping_refund", [adjustment["reason"] for adjustment in refund["adjustments"]])
        self.assertGreaterEqual(checked, 3)

    def test_fulfillments_inventory_and_products(self):
        for test, body in _resources("fulfillment", "fulfillment", "fulfillments"):
            with self.subTest(example=test):
                result = normalize.fulfillment_from_rest(body)
                self.assertEqual(result["id"], str(body["id"]))
                self.assertEqual(len(result["lines"]), len(body.get("line_items") or []))
        for test, body in _resources("inventory_level", "inventory_level", "inventory_levels"):
            with self.subTest(example=test):
                level = normalize.inventory_level_from_rest(body)
                self.assertEqual(level["available"], body["available"])
        for test, body in _resources("product", "product", "products"):
            with self.subTest(example=test):
                variants = normalize.variants_from_rest_product(body)
                self.assertEqual([v["id"] for v in variants], [str(v["id"]) for v in body.get("variants") or []])
