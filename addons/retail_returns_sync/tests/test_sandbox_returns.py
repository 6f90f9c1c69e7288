# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sandbox store generated with returns imports, by catch-up, into as many Odoo returns."""

import functools
from unittest.mock import patch

from odoo.addons.retail_connector_shopify.lib import normalize
from odoo.addons.retail_connector_shopify.sandbox import generator, rest
from odoo.addons.retail_connector_shopify.tests import common as shopify_common
from odoo.addons.retail_connector_shopify.tests.common import ShopifyCase

RETURNS = 6


class TestSandboxGeneratedReturns(ShopifyCase):
    store_problems = False

    @classmethod
    def _setup_shopify(cls):
        with patch.object(
            shopify_common, "generate_store", functools.partial(generator.generate_store, returns=RETURNS)
        ):
            return super()._setup_shopify()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.tax_calculation_rounding_method = "round_per_line"
        quants = cls.env["stock.quant"]
        for product in cls.products_by_sku.values():
            quants._update_available_quantity(product, cls.warehouse.lot_stock_id, 100.0)

    def _import_fulfillments(self):
        """The shop's fulfilments, delivered in Odoo (returns take back delivered goods only)."""
        fulfillments = self.env["shopify.fulfillment.binding"]
        for order in self.store["orders"]:
            for record in order["fulfillments"]:
                with self.sandbox.lock:
                    payload = rest.rest_fulfillment(self.sandbox.store.order(order["id"]), record)
                fulfillments._import_fulfillment(self.backend, normalize.fulfillment_from_rest(payload))

    def test_generate_store_makes_each_kind_without_changing_the_store(self):
        plain = generator.generate_store(
            orders=self.store_orders, products=self.store_products, seed=self.store_seed, problems=False
        )
        self.assertEqual([order["id"] for order in plain["orders"]], [order["id"] for order in self.store["orders"]])
        self.assertFalse(any(order.get("returns") for order in plain["orders"]))
        kinds = [ret["kind"] for order in self.store["orders"] for ret in order.get("returns") or []]
        self.assertEqual(sorted(kinds), sorted(generator.RETURN_KINDS))
        for order in self.store["orders"]:
            for ret in order.get("returns") or []:
                if ret["kind"].startswith("exchange_"):
                    self.assertTrue(ret["exchange_lines"], ret["kind"])
        arguments = {
            "orders": self.store_orders,
            "products": self.store_products,
            "seed": self.store_seed,
            "problems": False,
            "returns": RETURNS,
        }
        self.assertEqual(generator.generate_store(**arguments), generator.generate_store(**arguments))

    def test_catch_up_imports_every_generated_return(self):
        expected, exchanged = {}, {}
        for order in self.store["orders"]:
            for ret in order.get("returns") or []:
                expected[ret["id"]] = {line["line_item_id"]: line["quantity"] for line in ret["lines"]}
                exchanged[ret["id"]] = sorted(item["line"]["sku"] for item in ret.get("exchange_lines") or [])
        self.assertEqual(sum(1 for skus in exchanged.values() if skus), 3, "exchange up, down and even")
        self.assertEqual(len(expected), RETURNS)
        entities = self.backend._channel_catch_up_entities()
        self.assertEqual(entities[-1], "returns")
        for entity in entities[:-1]:
            self.backend._channel_catch_up(entity, None)
        self._import_fulfillments()
        self.backend._channel_catch_up("returns", None)
        bindings = self.env["retail.return.binding"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(bindings), RETURNS, self.env["retail.exception"].search([]).mapped("message"))
        for binding in bindings:
            rma = binding.odoo_id
            self.assertEqual(
                {line.sale_line_id.shopify_line_id: line.quantity for line in rma.line_ids},
                expected[binding.external_id],
                rma.name,
            )
            # the replacements asked for in Shopify are on the lines, for the Odoo exchange
            self.assertEqual(
                sorted(rma.line_ids.exchange_product_id.mapped("default_code")), exchanged[binding.external_id]
            )
        self.assertEqual(set(bindings.odoo_id.mapped("state")) - {"requested", "approved", "awaiting_receipt"}, set())
