"""Plain-Python tests for lib.normalize (GraphQL nodes and REST webhook bodies)."""

import copy
import unittest
from datetime import datetime
from decimal import Decimal

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_shopify.lib import normalize


def money(amount, currency="USD", presentment=None, presentment_currency="EUR"):
    bag = {"shopMoney": {"amount": amount, "currencyCode": currency}}
    if presentment is not None:
        bag["presentmentMoney"] = {"amount": presentment, "currencyCode": presentment_currency}
    return bag


def graphql_line(line_id=11, quantity=2, current=2, price="10.00", discount="2.00", tax="3.60"):
    return {
        "id": f"gid://shopify/LineItem/{line_id}",
        "sku": "SKU-1",
        "title": "Shirt",
        "variantTitle": "Blue",
        "quantity": quantity,
        "currentQuantity": current,
        "requiresShipping": True,
        "variant": {"id": "gid://shopify/ProductVariant/21"},
        "originalUnitPriceSet": money(price),
        "discountAllocations": [{"allocatedAmountSet": money(discount)}],
        "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": money(tax)}],
    }


def graphql_order(**overrides):
    """An ``OrderFields`` node: 2 x 10.00 - 2.00 + 20 % VAT 3.60, shipping 5.00 + 1.00 VAT."""
    node = {
        "id": "gid://shopify/Order/1001",
        "legacyResourceId": "1001",
        "name": "#1001",
        "createdAt": "2026-01-02T10:00:00Z",
        "updatedAt": "2026-01-02T11:00:00+01:00",
        "processedAt": "2026-01-02T10:00:00Z",
        "cancelledAt": None,
        "cancelReason": None,
        "closed": False,
        "test": True,
        "currencyCode": "USD",
        "presentmentCurrencyCode": "EUR",
        "displayFinancialStatus": "PARTIALLY_REFUNDED",
        "displayFulfillmentStatus": "PARTIALLY_FULFILLED",
        "email": "bob@example.com",
        "phone": None,
        "note": "leave at door",
        "tags": ["vip", "b2b"],
        "sourceName": "web",
        "taxesIncluded": False,
        "risk": {"recommendation": "INVESTIGATE"},
        "customer": {
            "id": "gid://shopify/Customer/31",
            "email": "bob@example.com",
            "phone": None,
            "firstName": "Bob",
            "lastName": "Norman",
        },
        "billingAddress": None,
        "shippingAddress": {
            "name": "Bob Norman",
            "firstName": "Bob",
            "lastName": "Norman",
            "company": None,
            "address1": "Chestnut Street 92",
            "address2": "",
            "city": "Louisville",
            "zip": "40202",
            "province": "Kentucky",
            "provinceCode": "KY",
            "countryCodeV2": "US",
            "phone": None,
        },
        "totalPriceSet": money("27.60", presentment="25.00"),
        "currentTotalPriceSet": money("27.60", presentment="25.00"),
        "currentSubtotalPriceSet": money("18.00"),
        "currentTotalTaxSet": money("4.60"),
        "currentTotalDiscountsSet": money("2.00"),
        "currentShippingPriceSet": money("5.00"),
        "lineItems": {"pageInfo": {"hasNextPage": False, "endCursor": "c1"}, "nodes": [graphql_line()]},
        "shippingLines": {
            "nodes": [
                {
                    "id": "gid://shopify/ShippingLine/41",
                    "title": "Standard",
                    "code": "STD",
                    "originalPriceSet": money("5.00"),
                    "discountAllocations": [],
                    "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": money("1.00")}],
                }
            ]
        },
        "transactions": [
            {
                "id": "gid://shopify/OrderTransaction/51",
                "kind": "SALE",
                "status": "SUCCESS",
                "gateway": "bogus",
                "authorizationCode": "auth-1",
                "paymentId": "p-1",
                "processedAt": "2026-01-02T10:00:05Z",
                "createdAt": "2026-01-02T10:00:04Z",
                "amountSet": money("27.60", presentment="25.00"),
                "parentTransaction": None,
            }
        ],
        "refunds": [{"id": "gid://shopify/Refund/61", "updatedAt": "2026-01-03T00:00:00Z"}],
    }
    node.update(overrides)
    return node


def rest_order():
    return {
        "id": 2002,
        "admin_graphql_api_id": "gid://shopify/Order/2002",
        "name": "#1002",
        "created_at": "2026-01-02T10:00:00-05:00",
        "updated_at": "2026-01-02T12:00:00-05:00",
        "processed_at": "2026-01-02T10:00:00-05:00",
        "cancelled_at": None,
        "cancel_reason": None,
        "closed_at": None,
        "test": False,
        "currency": "USD",
        "presentment_currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": "partial",
        "email": "ann@example.com",
        "tags": "vip, b2b",
        "source_name": "web",
        "taxes_included": True,
        "customer": {"id": 77, "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
        "shipping_address": {"city": "Paris", "country_code": "FR", "province_code": None, "name": "Ann Lee"},
        "total_price": "130.00",
        "current_total_price": "110.00",
        "current_total_price_set": {
            "shop_money": {"amount": "110.00", "currency_code": "USD"},
            "presentment_money": {"amount": "110.00", "currency_code": "USD"},
        },
        "line_items": [
            {
                "id": 3,
                "variant_id": 4,
                "sku": "A",
                "title": "Shirt",
                "quantity": 2,
                "current_quantity": 2,
                "price": "50.00",
                "price_set": {"shop_money": {"amount": "50.00"}},
                "requires_shipping": True,
                "discount_allocations": [
                    {"amount": "4.00", "amount_set": {"shop_money": {"amount": "5.00"}}},
                    {"amount": "1.00"},
                ],
                "tax_lines": [{"title": "TVA", "rate": 0.2, "price": "15.00"}],
            }
        ],
        "shipping_lines": [
            {"id": 9, "title": "Colissimo", "code": "COL", "price": "16.00", "discount_allocations": []},
            {"id": 10, "title": "Old", "code": "OLD", "price": "20.00", "is_removed": True},
        ],
        "refunds": [],
    }


class TestIds(unittest.TestCase):
    def test_legacy_id(self):
        self.assertEqual(normalize.legacy_id("gid://shopify/Order/450789469"), "450789469")
        self.assertEqual(normalize.legacy_id("gid://shopify/OrderTransaction/5?x=1"), "5")
        self.assertEqual(normalize.legacy_id(450789469), "450789469")
        self.assertEqual(normalize.legacy_id("42"), "42")
        self.assertIsNone(normalize.legacy_id(None))
        for bad in ("gid://other/Order/1", "abc", 1.5, True):
            with self.assertRaises(PermanentError):
                normalize.legacy_id(bad)

    def test_to_gid_and_gid_type(self):
        self.assertEqual(normalize.to_gid("Order", 12), "gid://shopify/Order/12")
        self.assertEqual(normalize.to_gid("LineItem", "gid://shopify/LineItem/3"), "gid://shopify/LineItem/3")
        self.assertEqual(normalize.gid_type("gid://shopify/LineItem/3"), "LineItem")
        self.assertIsNone(normalize.gid_type("3"))
        with self.assertRaises(PermanentError):
            normalize.to_gid("Order", None)


class TestOrderFromGraphql(unittest.TestCase):
    def test_full_node(self):
        order = normalize.order_from_graphql(graphql_order())
        self.assertEqual((order["id"], order["gid"], order["name"]), ("1001", "gid://shopify/Order/1001", "#1001"))
        self.assertEqual(order["updated_at"], datetime(2026, 1, 2, 10, 0, 0))
        self.assertEqual(order["financial_status"], "partially_refunded")
        self.assertEqual(order["fulfillment_status"], "partially_fulfilled")
        self.assertEqual(order["risk"], "investigate")
        self.assertEqual((order["currency"], order["presentment_currency"]), ("USD", "EUR"))
        self.assertEqual(order["tags"], ["vip", "b2b"])
        self.assertTrue(order["test"])
        self.assertEqual(order["customer"]["id"], "31")
        self.assertIsNone(order["billing_address"])
        self.assertEqual(order["shipping_address"]["country_code"], "US")
        self.assertEqual(order["shipping_address"]["province_code"], "KY")
        line = order["lines"][0]
        self.assertEqual((line["id"], line["variant_id"], line["sku"]), ("11", "21", "SKU-1"))
        self.assertEqual((line["quantity"], line["current_quantity"]), (2, 2))
        self.assertEqual((line["unit_price"], line["discount"]), (Decimal("10.00"), Decimal("2.00")))
        self.assertEqual(line["taxes"], [{"title": "VAT", "rate": Decimal("0.2"), "amount": Decimal("3.60")}])
        self.assertTrue(order["lines_complete"])
        ship = order["shipping_lines"][0]
        self.assertEqual((ship["id"], ship["code"], ship["price"]), ("41", "STD", Decimal("5.00")))
        self.assertEqual(order["total"], Decimal("27.60"))
        self.assertIsInstance(order["total"], Decimal)
        self.assertEqual(order["total_presentment"], Decimal("25.00"))
        self.assertEqual(order["total_shipping"], Decimal("5.00"))
        tx = order["transactions"][0]
        self.assertEqual((tx["id"], tx["kind"], tx["status"]), ("51", "sale", "success"))
        self.assertEqual((tx["amount"], tx["currency"]), (Decimal("27.60"), "USD"))
        self.assertEqual((tx["amount_presentment"], tx["presentment_currency"]), (Decimal("25.00"), "EUR"))
        self.assertEqual((tx["authorization"], tx["payment_id"], tx["parent_id"]), ("auth-1", "p-1", None))
        self.assertEqual(order["refund_ids"], ["61"])
        self.assertEqual(order["refunds"], [])
        self.assertEqual(normalize.order_total_check(order), Decimal("0"))

    def test_incomplete_lines_risk_none_and_edges(self):
        node = graphql_order(risk={"recommendation": "NONE"}, customer=None)
        node["lineItems"]["pageInfo"]["hasNextPage"] = True
        node["shippingLines"] = {"edges": [{"node": node["shippingLines"]["nodes"][0]}]}
        order = normalize.order_from_graphql(node)
        self.assertFalse(order["lines_complete"])
        self.assertIsNone(order["risk"])
        self.assertIsNone(order["customer"])
        self.assertEqual(len(order["shipping_lines"]), 1)

    def test_minimal_node(self):
        order = normalize.order_from_graphql({"id": "gid://shopify/Order/5"})
        self.assertEqual(order["id"], "5")
        self.assertEqual((order["lines"], order["transactions"], order["tags"]), ([], [], []))
        self.assertIsNone(order["total"])
        self.assertIsNone(order["financial_status"])

    def test_malformed(self):
        cases = {
            "not a dict": ["x"],
            "no id": {"name": "#1"},
            "bad amount": graphql_order(currentTotalPriceSet=money("ten")),
            "bad date": graphql_order(updatedAt="yesterday"),
            "bad line": graphql_order(lineItems={"nodes": [{"sku": "no id"}]}),
        }
        for label, node in cases.items():
            with self.subTest(label), self.assertRaises(PermanentError) as info:
                normalize.order_from_graphql(node)
            self.assertIn("order" if label != "bad line" else "line item", str(info.exception).lower())


class TestOrderFromRest(unittest.TestCase):
    def test_body(self):
        order = normalize.order_from_rest(rest_order())
        self.assertEqual((order["id"], order["gid"]), ("2002", "gid://shopify/Order/2002"))
        self.assertEqual(order["created_at"], datetime(2026, 1, 2, 15, 0, 0))
        self.assertEqual(order["total"], Decimal("110.00"))
        self.assertEqual(order["original_total"], Decimal("130.00"))
        self.assertEqual(order["fulfillment_status"], "partially_fulfilled")
        self.assertEqual(order["tags"], ["vip", "b2b"])
        self.assertEqual(order["customer"]["id"], "77")
        self.assertEqual(order["shipping_address"]["city"], "Paris")
        line = order["lines"][0]
        # shop money of the allocation wins over the plain amount
        self.assertEqual(line["discount"], Decimal("6.00"))
        self.assertEqual(line["taxes"][0]["amount"], Decimal("15.00"))
        self.assertEqual(line["taxes"][0]["rate"], Decimal("0.2"))
        self.assertEqual([ship["id"] for ship in order["shipping_lines"]], ["9"])
        self.assertEqual(order["transactions"], [])
        self.assertIsNone(order["risk"])
        # taxes included: 2 x 50 - 6 + 16 = 110
        self.assertEqual(normalize.order_total_check(order), Decimal("0"))

    def test_wrapped_and_fallbacks(self):
        body = rest_order()
        del body["current_total_price"], body["current_total_price_set"]
        body["fulfillment_status"] = None
        body["line_items"][0].pop("current_quantity")
        order = normalize.order_from_rest({"order": body})
        self.assertEqual(order["total"], Decimal("130.00"))
        self.assertEqual(order["fulfillment_status"], "unfulfilled")
        self.assertEqual(order["lines"][0]["current_quantity"], 2)

    def test_refunds_carried(self):
        body = rest_order()
        body["refunds"] = [{"id": 8, "order_id": 2002, "created_at": "2026-01-03T00:00:00Z", "transactions": []}]
        order = normalize.order_from_rest(body)
        self.assertEqual(order["refund_ids"], ["8"])
        self.assertEqual(order["refunds"][0]["order_id"], "2002")

    def test_malformed(self):
        for label, body in {
            "list": [],
            "no id": {"name": "#1"},
            "bad amount": {**rest_order(), "current_total_price_set": None, "current_total_price": "1,5"},
            "bad quantity": {**rest_order(), "line_items": [{"id": 1, "quantity": "two"}]},
        }.items():
            with self.subTest(label), self.assertRaises(PermanentError):
                normalize.order_from_rest(body)

    def test_total_check_partial_current_quantity(self):
        order = normalize.order_from_rest(rest_order())
        order["lines"][0]["current_quantity"] = 1
        # half of the line (47.00) is gone from the rebuilt sum
        self.assertEqual(normalize.order_total_check(order), Decimal("47.00"))


def graphql_refund():
    return {
        "id": "gid://shopify/Refund/61",
        "legacyResourceId": "61",
        "createdAt": "2026-01-03T00:00:00Z",
        "updatedAt": "2026-01-03T00:05:00Z",
        "note": "broken",
        "order": {"id": "gid://shopify/Order/1001"},
        "totalRefundedSet": money("18.00"),
        "refundLineItems": {
            "nodes": [
                {
                    "lineItem": {"id": "gid://shopify/LineItem/11", "sku": "SKU-1"},
                    "quantity": 1,
                    "restockType": "RETURN",
                    "subtotalSet": money("9.00"),
                    "totalTaxSet": money("1.80"),
                }
            ]
        },
        "refundShippingLines": {"nodes": [{"subtotalAmountSet": money("5.00"), "taxAmountSet": money("1.00")}]},
        "orderAdjustments": {
            "nodes": [{"reason": "REFUND_DISCREPANCY", "amountSet": money("1.20"), "taxAmountSet": money("0")}]
        },
        "transactions": {
            "nodes": [
                {
                    "id": "gid://shopify/OrderTransaction/71",
                    "kind": "REFUND",
                    "status": "SUCCESS",
                    "gateway": "bogus",
                    "processedAt": "2026-01-03T00:00:01Z",
                    "amountSet": money("18.00"),
                },
                {
                    "id": "gid://shopify/OrderTransaction/72",
                    "kind": "REFUND",
                    "status": "FAILURE",
                    "gateway": "bogus",
                    "amountSet": money("18.00"),
                },
            ]
        },
    }


class TestOutstanding(unittest.TestCase):
    def test_balance_due(self):
        node = {
            "id": "gid://shopify/Order/42",
            "name": "#1042",
            "email": "",
            "totalOutstandingSet": {
                "shopMoney": {"amount": "12.50", "currencyCode": "EUR"},
                "presentmentMoney": {"amount": "13.60", "currencyCode": "USD"},
            },
        }
        self.assertEqual(
            normalize.outstanding_from_graphql(node),
            {"order_id": "42", "name": "#1042", "email": None, "amount": Decimal("12.50"), "currency": "EUR"},
        )
        for broken in ({**node, "totalOutstandingSet": None}, {**node, "id": None}, []):
            with self.assertRaises(PermanentError):
                normalize.outstanding_from_graphql(broken)


class TestRefunds(unittest.TestCase):
    def test_from_graphql(self):
        refund = normalize.refund_from_graphql(graphql_refund())
        self.assertEqual((refund["id"], refund["order_id"], refund["note"]), ("61", "1001", "broken"))
        self.assertEqual(
            refund["lines"],
            [
                {
                    "line_id": "11",
                    "sku": "SKU-1",
                    "quantity": 1,
                    "restock_type": "return",
                    "subtotal": Decimal("9.00"),
                    "tax": Decimal("1.80"),
                }
            ],
        )
        self.assertEqual((refund["shipping"], refund["shipping_tax"]), (Decimal("5.00"), Decimal("1.00")))
        self.assertEqual(refund["adjustments"][0]["reason"], "refund_discrepancy")
        self.assertEqual(refund["total"], Decimal("18.00"))  # the failed transaction does not count
        self.assertEqual(len(refund["transactions"]), 2)

    def test_from_graphql_without_transactions_uses_total_refunded(self):
        node = graphql_refund()
        del node["transactions"]
        self.assertEqual(normalize.refund_from_graphql(node)["total"], Decimal("18.00"))

    def test_from_rest_shipping_adjustment_legacy_form(self):
        body = {
            "id": 9,
            "order_id": 2002,
            "created_at": "2026-01-03T00:00:00Z",
            "processed_at": "2026-01-03T00:01:00Z",
            "refund_line_items": [
                {"line_item_id": 3, "quantity": 1, "restock_type": "no_restock", "subtotal": 45.5, "total_tax": 9.1}
            ],
            "order_adjustments": [
                {"kind": "shipping_refund", "amount": "-5.00", "tax_amount": "-1.00"},
                {"kind": "refund_discrepancy", "reason": "Refund discrepancy", "amount": "2.00", "tax_amount": "0"},
            ],
            "transactions": [
                {"id": 5, "kind": "refund", "status": "success", "amount": "60.60", "parent_id": 4, "currency": "USD"}
            ],
        }
        refund = normalize.refund_from_rest({"refund": body})
        self.assertEqual(refund["updated_at"], datetime(2026, 1, 3, 0, 1, 0))
        self.assertEqual(refund["lines"][0]["subtotal"], Decimal("45.5"))
        self.assertEqual((refund["shipping"], refund["shipping_tax"]), (Decimal("5.00"), Decimal("1.00")))
        self.assertEqual(refund["adjustments"], [{"reason": "refund_discrepancy", "amount": Decimal("2.00"), "tax": 0}])
        self.assertEqual(refund["transactions"][0]["parent_id"], "4")
        self.assertEqual(refund["total"], Decimal("60.60"))

    def test_malformed(self):
        with self.assertRaises(PermanentError):
            normalize.refund_from_rest({"order_id": 1})
        with self.assertRaises(PermanentError):
            normalize.refund_from_graphql("refund")
        node = graphql_refund()
        node["refundLineItems"]["nodes"][0]["subtotalSet"] = money("x")
        with self.assertRaises(PermanentError):
            normalize.refund_from_graphql(node)


class TestCatalogueFulfilmentStock(unittest.TestCase):
    def test_variant_from_graphql(self):
        variant = normalize.variant_from_graphql(
            {
                "id": "gid://shopify/ProductVariant/21",
                "sku": "SKU-1",
                "barcode": "",
                "title": "Blue",
                "price": "10.50",
                "updatedAt": "2026-01-01T00:00:00Z",
                "product": {"id": "gid://shopify/Product/81", "title": "Shirt", "status": "ACTIVE"},
                "inventoryItem": {"id": "gid://shopify/InventoryItem/91", "tracked": True},
            }
        )
        self.assertEqual(
            variant,
            {
                "id": "21",
                "gid": "gid://shopify/ProductVariant/21",
                "product_id": "81",
                "product_title": "Shirt",
                "title": "Blue",
                "sku": "SKU-1",
                "barcode": None,
                "price": Decimal("10.50"),
                "inventory_item_id": "91",
                "tracked": True,
                "updated_at": datetime(2026, 1, 1),
                "status": "active",
            },
        )
        with self.assertRaises(PermanentError):
            normalize.variant_from_graphql({"id": "gid://shopify/ProductVariant/1", "price": "free"})

    def test_variants_from_rest_product(self):
        body = {
            "product": {
                "id": 81,
                "title": "Shirt",
                "status": "draft",
                "variants": [
                    {"id": 21, "sku": "A", "price": "9.90", "inventory_item_id": 91, "inventory_management": "shopify"},
                    {"id": 22, "sku": "", "price": "9.90", "inventory_item_id": 92, "inventory_management": None},
                ],
            }
        }
        variants = normalize.variants_from_rest_product(body)
        self.assertEqual([v["id"] for v in variants], ["21", "22"])
        self.assertEqual([v["tracked"] for v in variants], [True, False])
        self.assertEqual(variants[1]["sku"], None)
        self.assertEqual((variants[0]["product_id"], variants[0]["status"]), ("81", "draft"))
        with self.assertRaises(PermanentError):
            normalize.variants_from_rest_product({"title": "no id"})

    def test_fulfillment_from_rest(self):
        result = normalize.fulfillment_from_rest(
            {
                "id": 5,
                "order_id": 2002,
                "status": "success",
                "location_id": 6,
                "tracking_company": "UPS",
                "tracking_numbers": ["1Z"],
                "tracking_urls": ["https://ups.example/1Z"],
                "line_items": [{"id": 3, "sku": "A", "quantity": 2}],
                "created_at": "2026-01-04T00:00:00Z",
            }
        )
        self.assertEqual((result["tracking_number"], result["tracking_url"]), ("1Z", "https://ups.example/1Z"))
        self.assertEqual(result["lines"], [{"line_id": "3", "sku": "A", "quantity": 2}])
        self.assertEqual((result["order_id"], result["location_id"]), ("2002", "6"))
        with self.assertRaises(PermanentError):
            normalize.fulfillment_from_rest({"order_id": 1})

    def test_fulfillments_from_graphql(self):
        def fulfillment(fulfillment_id, created_at, lines, more=False, tracking=()):
            return {
                "id": f"gid://shopify/Fulfillment/{fulfillment_id}",
                "status": "SUCCESS",
                "createdAt": created_at,
                "updatedAt": created_at,
                "trackingInfo": list(tracking),
                "fulfillmentLineItems": {
                    "pageInfo": {"hasNextPage": more},
                    "nodes": [
                        {"quantity": qty, "lineItem": {"id": f"gid://shopify/LineItem/{line}", "sku": "A"}}
                        for line, qty in lines
                    ],
                },
            }

        result = normalize.fulfillments_from_graphql(
            {
                "id": "gid://shopify/Order/2002",
                "fulfillments": [
                    fulfillment(8, "2026-01-05T00:00:00Z", [(3, 1)], more=True),
                    fulfillment(7, "2026-01-04T00:00:00Z", [(3, 2)], tracking=[{"number": "1Z", "company": "UPS"}]),
                ],
            }
        )
        self.assertEqual([f["id"] for f in result], ["7", "8"], "oldest first")
        self.assertEqual(
            result[0],
            {
                "id": "7",
                "order_id": "2002",
                "status": "success",
                "location_id": None,
                "tracking_number": "1Z",
                "tracking_company": "UPS",
                "tracking_url": None,
                "lines": [{"line_id": "3", "sku": "A", "quantity": 2}],
                "lines_complete": True,
                "created_at": datetime(2026, 1, 4),
                "updated_at": datetime(2026, 1, 4),
            },
        )
        self.assertFalse(result[1]["lines_complete"])
        self.assertEqual(set(result[0]), set(normalize.fulfillment_from_rest({"id": 1, "order_id": 2})))
        with self.assertRaises(PermanentError):
            normalize.fulfillments_from_graphql({"id": "gid://shopify/Order/2", "fulfillments": [{"status": "X"}]})

    def test_inventory_level_from_rest(self):
        level = normalize.inventory_level_from_rest(
            {"inventory_item_id": 91, "location_id": 6, "available": 4, "updated_at": "2026-01-01T00:00:00-05:00"}
        )
        self.assertEqual(
            level,
            {"inventory_item_id": "91", "location_id": "6", "available": 4, "updated_at": datetime(2026, 1, 1, 5)},
        )
        wrapped = normalize.inventory_level_from_rest({"inventory_level": {"inventory_item_id": 1, "location_id": 2}})
        self.assertIsNone(wrapped["available"])
        for bad in ({"location_id": 2}, {"inventory_item_id": 1, "location_id": 2, "available": "many"}):
            with self.assertRaises(PermanentError):
                normalize.inventory_level_from_rest(bad)


class TestInputUntouched(unittest.TestCase):
    def test_normalisers_do_not_mutate_input(self):
        node, body = graphql_order(), rest_order()
        before = copy.deepcopy((node, body))
        normalize.order_from_graphql(node)
        normalize.order_from_rest(body)
        self.assertEqual((node, body), before)


class TestPrivacyRequests(unittest.TestCase):
    def test_compliance_bodies_as_shopify_documents_them(self):
        data_request = normalize.privacy_request_from_rest(
            {
                "shop_id": 954889,
                "shop_domain": "Shop.myshopify.com",
                "orders_requested": [299938, 280263],
                "customer": {"id": 191167, "email": " john@example.com ", "phone": "555-625-1199"},
                "data_request": {"id": 9999},
            }
        )
        self.assertEqual(
            data_request,
            {
                "shop_domain": "shop.myshopify.com",
                "customer": {"id": "191167", "email": "john@example.com", "phone": "555-625-1199"},
                "order_ids": ["299938", "280263"],
                "data_request_id": "9999",
            },
        )
        redact = normalize.privacy_request_from_rest(
            {"shop_domain": "shop.myshopify.com", "customer": {"id": 1, "email": ""}, "orders_to_redact": [5]}
        )
        self.assertEqual((redact["customer"]["email"], redact["order_ids"]), (None, ["5"]))
        shop = normalize.privacy_request_from_rest({"shop_id": 1, "shop_domain": "shop.myshopify.com"})
        self.assertEqual((shop["customer"], shop["order_ids"], shop["data_request_id"]), (None, [], None))

    def test_malformed_requests_are_permanent_errors(self):
        for bad in ([], {"customer": "john"}, {"orders_to_redact": "1,2"}):
            with self.assertRaises(PermanentError):
                normalize.privacy_request_from_rest(bad)


class TestRouting(unittest.TestCase):
    def test_open_locations_are_those_left_to_ship_from(self):
        def fulfillment_order(fo_id, status, location_id):
            return {
                "id": f"gid://shopify/FulfillmentOrder/{fo_id}",
                "status": status,
                "assignedLocation": {"location": {"id": f"gid://shopify/Location/{location_id}"}},
            }

        node = graphql_order()
        node["fulfillmentOrders"] = {
            "nodes": [
                fulfillment_order(1, "CLOSED", 10),
                fulfillment_order(2, "OPEN", 20),
                fulfillment_order(3, "IN_PROGRESS", 20),
            ]
        }
        order = normalize.order_from_graphql(node)
        self.assertEqual(order["assigned_location_ids"], ["10", "20"])
        self.assertEqual(order["open_location_ids"], ["20"])

    def test_fulfillment_order_event_bodies(self):
        move = normalize.fulfillment_order_event_from_rest(
            {
                "original_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/1", "status": "closed"},
                "moved_fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/2", "status": "open"},
                "destination_location_id": "gid://shopify/Location/20",
            }
        )
        self.assertEqual(
            move,
            {
                "order_id": None,
                "fulfillment_order_id": "2",
                "original_fulfillment_order_id": "1",
                "destination_location_id": "20",
            },
        )
        with_order = normalize.fulfillment_order_event_from_rest(
            {"moved_fulfillment_order": {"id": 2, "order_id": 450789469, "assigned_location_id": 20}}
        )
        self.assertEqual((with_order["order_id"], with_order["destination_location_id"]), ("450789469", "20"))
        hold = normalize.fulfillment_order_event_from_rest(
            {"fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/3", "status": "on_hold"}}
        )
        self.assertEqual((hold["fulfillment_order_id"], hold["original_fulfillment_order_id"]), ("3", None))
        for bad in ({"original_fulfillment_order": {"id": 1}}, {"fulfillment_order": "3"}):
            with self.assertRaises(PermanentError):
                normalize.fulfillment_order_event_from_rest(bad)
