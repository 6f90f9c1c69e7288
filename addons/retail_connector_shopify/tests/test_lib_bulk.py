"""Plain-Python tests for lib.bulk (bulk operations over a scripted local endpoint)."""

import json
from decimal import Decimal

from graphql import parse
from graphql.language import OperationDefinitionNode

from odoo.addons.retail_connector_base.lib import retry
from odoo.addons.retail_connector_shopify.lib import bulk, documents, normalize

from .test_lib_client import ClientCase, ok
from .test_lib_normalize import graphql_line, graphql_order


def jsonl_fixture():
    """Two orders as a bulk result: roots first, children with ``__parentId``."""
    first = graphql_order()
    shipping = first.pop("shippingLines")["nodes"][0]
    first.pop("lineItems")
    second = graphql_order(id="gid://shopify/Order/1002", legacyResourceId="1002", name="#1002")
    second.pop("shippingLines")
    second.pop("lineItems")
    second["currentTotalPriceSet"] = {"shopMoney": {"amount": "0.00", "currencyCode": "USD"}}
    parent = "gid://shopify/Order/1001"
    rows = [
        first,
        {**graphql_line(line_id=11), "__parentId": parent},
        {**graphql_line(line_id=12, quantity=1, current=0), "__parentId": parent},
        {**shipping, "__parentId": parent},
        second,
    ]
    return rows


class TestRebuild(ClientCase):
    def test_rebuild_nests_children_for_the_normaliser(self):
        roots = bulk.rebuild(jsonl_fixture())
        self.assertEqual([root["id"] for root in roots], ["gid://shopify/Order/1001", "gid://shopify/Order/1002"])
        self.assertEqual(len(roots[0]["lineItems"]["nodes"]), 2)
        self.assertNotIn("__parentId", roots[0]["lineItems"]["nodes"][0])
        self.assertEqual(len(roots[0]["shippingLines"]["nodes"]), 1)
        self.assertNotIn("lineItems", roots[1])
        order = normalize.order_from_graphql(roots[0])
        self.assertEqual([line["id"] for line in order["lines"]], ["11", "12"])
        self.assertEqual(order["lines"][1]["current_quantity"], 0)
        self.assertTrue(order["lines_complete"])
        self.assertEqual(order["shipping_lines"][0]["price"], Decimal("5.00"))
        empty = normalize.order_from_graphql(roots[1])
        self.assertEqual((empty["lines"], empty["shipping_lines"]), ([], []))

    def test_type_to_field_mapping(self):
        self.assertEqual(
            bulk.TYPE_TO_FIELD,
            {"LineItem": "lineItems", "ShippingLine": "shippingLines", "FulfillmentOrder": "fulfillmentOrders"},
        )

    def test_rebuild_rejects_bad_rows(self):
        parent = {"id": "gid://shopify/Order/1"}
        cases = {
            "orphan": [{"id": "gid://shopify/LineItem/2", "__parentId": "gid://shopify/Order/9"}],
            "unknown type": [parent, {"id": "gid://shopify/Fulfillment/2", "__parentId": "gid://shopify/Order/1"}],
            "not an object": [parent, "x"],
        }
        for label, rows in cases.items():
            with self.subTest(label), self.assertRaises(retry.PermanentError):
                bulk.rebuild(rows)


class TestWithQueryFilter(ClientCase):
    def test_rewrites_the_root_query_argument(self):
        text = bulk.with_query_filter(documents.load("bulk_orders"), 'updated_at:>="2026-01-02T00:00:00Z"')
        document = parse(text)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        root = operation.selection_set.selections[0]
        self.assertEqual(root.name.value, "orders")
        arguments = {arg.name.value: arg.value for arg in root.arguments}
        self.assertEqual(arguments["query"].value, 'updated_at:>="2026-01-02T00:00:00Z"')
        self.assertEqual(arguments["sortKey"].value, "UPDATED_AT")
        self.assertEqual(sum(arg.name.value == "query" for arg in root.arguments), 1)
        self.assertNotIn("2000-01-01", text)
        self.assertIn("fragment LineItemFields on LineItem", text)

    def test_adds_the_argument_when_missing(self):
        text = bulk.with_query_filter("{ orders { edges { node { id } } } }", "status:open")
        root = parse(text).definitions[0].selection_set.selections[0]
        self.assertEqual([(arg.name.value, arg.value.value) for arg in root.arguments], [("query", "status:open")])

    def test_no_operation(self):
        with self.assertRaises(retry.PermanentError):
            bulk.with_query_filter("fragment F on Order { id }", "x")


class TestBulkCalls(ClientCase):
    def test_start(self):
        payload = {"bulkOperation": {"id": "gid://shopify/BulkOperation/7", "status": "CREATED"}, "userErrors": []}
        self.shop.queue(200, ok({"bulkOperationRunQuery": payload}))
        query = bulk.with_query_filter(documents.load("bulk_orders"), "updated_at:>=2026-01-01")
        self.assertEqual(bulk.start(self.client, query), "gid://shopify/BulkOperation/7")
        self.assertEqual(self.shop.requests[0]["body"]["variables"], {"query": query})
        self.assertEqual(self.shop.requests[0]["body"]["operationName"], "BulkOperationRunQuery")

    def test_start_user_errors(self):
        errors = [{"field": None, "message": "A bulk query operation for this app and shop is already in progress"}]
        self.shop.queue(200, ok({"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": errors}}))
        with self.assertRaises(retry.UserInputError) as info:
            bulk.start(self.client, "{ orders { edges { node { id } } } }")
        self.assertIn("already in progress", str(info.exception))

    def test_status(self):
        node = {
            "id": "gid://shopify/BulkOperation/7",
            "status": "COMPLETED",
            "errorCode": None,
            "objectCount": "42",
            "rootObjectCount": "10",
            "url": "https://storage.example/result.jsonl",
            "partialDataUrl": None,
        }
        self.shop.queue(200, ok({"node": node}))
        result = bulk.status(self.client, "gid://shopify/BulkOperation/7")
        self.assertEqual((result["status"], result["objectCount"], result["rootObjectCount"]), ("COMPLETED", 42, 10))
        self.assertEqual(self.shop.requests[0]["body"]["variables"], {"id": "gid://shopify/BulkOperation/7"})
        self.shop.queue(200, ok({"node": None}))
        with self.assertRaises(retry.PermanentError):
            bulk.status(self.client, "gid://shopify/BulkOperation/8")

    def test_read_jsonl_streams_rows_then_rebuild(self):
        rows = jsonl_fixture()
        self.shop.files["/result.jsonl"] = ("\n".join(json.dumps(row) for row in rows) + "\n\n").encode()
        read = list(bulk.read_jsonl(self.client.session, f"{self.shop.url}/result.jsonl", timeout=5))
        self.assertEqual(read, rows)
        orders = [normalize.order_from_graphql(root) for root in bulk.rebuild(read)]
        self.assertEqual([order["name"] for order in orders], ["#1001", "#1002"])

    def test_read_jsonl_errors(self):
        with self.assertRaises(retry.PermanentError) as info:
            list(bulk.read_jsonl(self.client.session, f"{self.shop.url}/expired.jsonl", timeout=5))
        self.assertEqual(info.exception.status, 404)
        self.shop.files["/broken.jsonl"] = b'{"id": "gid://shopify/Order/1"}\n{not json\n'
        with self.assertRaises(retry.PermanentError) as info:
            list(bulk.read_jsonl(self.client.session, f"{self.shop.url}/broken.jsonl", timeout=5))
        self.assertIn("line 2", str(info.exception))
        with self.assertRaises(retry.TransientError):
            list(bulk.read_jsonl(self.client.session, "http://127.0.0.1:9/result.jsonl", timeout=2))
