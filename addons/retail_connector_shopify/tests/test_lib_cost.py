"""Query cost rules (plain Python): Shopify's calculation over the schema subset."""

import unittest

from graphql import parse, validate

from odoo.addons.retail_connector_shopify.lib import cost, documents

#: page sizes the connector uses for the paginated documents
PAGE_SIZES = {
    "orders": 2,
    "order_line_items": 50,
    "product_variants": 250,
    "inventory_levels": 250,
    # returns (retail_returns_sync): the client sizes these pages by cost too
    "order_returns": 50,
    "returns": 4,  # exchange items carry their price and taxes
    # Shopify Payments payouts (retail_settlement_recon, lib/shopify_payouts.py)
    "shopify_payouts": 50,
    "shopify_payout_transactions": 100,
}


class TestCostRules(unittest.TestCase):
    def test_scalar_and_object(self):
        self.assertEqual(cost.requested_cost("{ shop { name currencyCode } }"), 1)
        self.assertEqual(cost.requested_cost("{ shop { name } currentAppInstallation { id } }"), 2)

    def test_connection(self):
        text = "query($n: Int) { locations(first: $n) { pageInfo { hasNextPage } nodes { id name } } }"
        self.assertEqual(cost.requested_cost(text, {"n": 10}), 2 + 10 * 1)
        edges = "{ locations(first: 5) { edges { cursor node { id } } } }"
        self.assertEqual(cost.requested_cost(edges), 2 + 5)

    def test_nested_connection_and_list_with_first(self):
        text = """query($id: ID!) { order(id: $id) {
            lineItems(first: 3) { nodes { id variant { id } } }
            transactions(first: 4) { id amountSet { shopMoney { amount } } }
        } }"""
        # order 1 + (2 + 3 x (1 + 1)) + 4 x (1 + 1 + 1)
        self.assertEqual(cost.requested_cost(text, {"id": "gid://shopify/Order/1"}), 1 + 8 + 12)

    def test_mutation(self):
        self.assertEqual(cost.requested_cost(documents.load("inventory_set")), 10 + 1 + 1)
        self.assertEqual(cost.requested_cost(documents.load("order_cancel")), 12)

    def test_orders_document_by_hand(self):
        # one order: itself 1, risk/customer/2 addresses 4, 2 MoneyBag x 3, 4 shop-money sets x 2,
        # lineItems 2 + 10 x 10, shippingLines 2 + 3 x 9, transactions 10 x 5, refunds 10 x 1, fulfillments 10 x 1,
        # fulfillmentOrders 2 + 2 x (itself, assignedLocation, location)
        order = 1 + 4 + 6 + 8 + (2 + 10 * 10) + (2 + 3 * 9) + 10 * 5 + 10 + 10 + (2 + 2 * 3)
        self.assertEqual(order, 228)
        text = documents.load("orders")
        for first in (1, 2, 3):
            self.assertEqual(cost.requested_cost(text, {"first": first}), 2 + first * order)
        self.assertEqual(cost.requested_cost(documents.load("order"), {"id": "x"}), order)

    def test_every_document_fits_at_the_connector_page_size(self):
        for name in documents.names():
            with self.subTest(document=name):
                text = documents.load(name)
                self.assertEqual(validate(cost.schema(), parse(text)), [])
                self.assertLess(cost.requested_cost(text, {"first": PAGE_SIZES.get(name, 250)}), 1000)

    def test_actual_cost_counts_what_came_back(self):
        text = "{ locations(first: 10) { nodes { id } } }"
        data = {"locations": {"nodes": [{"id": "1"}, {"id": "2"}]}}
        self.assertEqual(cost.actual_cost(text, {}, data), 4)
        self.assertEqual(cost.actual_cost(text, {}, {"locations": {"nodes": []}}), 2)

    def test_oversized_pages(self):
        text = documents.load("orders")
        self.assertEqual(cost.oversized_pages(text, {"first": 251}), [("orders", 251)])
        self.assertEqual(cost.oversized_pages(text, {"first": 250}), [])
