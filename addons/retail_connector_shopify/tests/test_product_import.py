# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import ShopifyCase


class TestProductImport(ShopifyCase):
    """The products catch-up: update, match by SKU or barcode, or create."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.variants = cls.canonical_variants()
        # Start from an unbound catalogue: only two products exist in Odoo,
        # one findable by SKU, one by barcode.
        cls.env["shopify.product.binding"].search([("backend_id", "=", cls.backend.id)]).unlink()
        cls.by_sku = cls.products_by_sku[cls.variants[0]["sku"]]
        cls.by_barcode = cls.products_by_sku[cls.variants[1]["sku"]]
        cls.by_barcode.default_code = "LEGACY-CODE"
        others = cls.env["product.product"].browse(
            [product.id for product in cls.products_by_sku.values() if product not in (cls.by_sku, cls.by_barcode)]
        )
        others.write({"default_code": False, "barcode": False, "active": False})

    def _bindings(self):
        return self.env["shopify.product.binding"].search([("backend_id", "=", self.backend.id)])

    def test_import_binds_matches_and_creates(self):
        products_before = self.env["product.product"].search_count([])
        newest = self.backend._channel_catch_up("products", None)
        bindings = self._bindings()
        self.assertEqual(len(bindings), len(self.variants))
        self.assertEqual(newest, max(variant["updated_at"] for variant in self.variants))
        by_external = {binding.external_id: binding for binding in bindings}
        first, second = self.variants[0], self.variants[1]
        self.assertEqual(by_external[first["id"]].odoo_id, self.by_sku, "matched by SKU")
        self.assertEqual(by_external[second["id"]].odoo_id, self.by_barcode, "matched by barcode")
        self.assertEqual(
            self.env["product.product"].search_count([]) - products_before,
            len(self.variants) - 2,
            "one product created per unmatched variant",
        )
        for variant in self.variants[2:]:
            binding = by_external[variant["id"]]
            product = binding.odoo_id
            self.assertEqual(product.default_code, variant["sku"])
            self.assertEqual(product.barcode, variant["barcode"])
            self.assertTrue(product.is_storable, "stock is tracked, so it can be pushed")
            self.assertEqual(product.type, "consu")
            self.assertAlmostEqual(product.list_price, float(variant["price"]))
            self.assertEqual(
                (binding.sku, binding.inventory_item_id, binding.shopify_product_id),
                (variant["sku"], variant["inventory_item_id"], variant["product_id"]),
            )
        logs = self.env["retail.sync.log"].search(
            [("backend_id", "=", self.backend.id), ("entity", "=", "product"), ("direction", "=", "import")]
        )
        self.assertEqual(set(logs.mapped("result")), {"done"})
        self.assertEqual(len(logs), len(self.variants))

    def test_second_run_skips_unchanged_and_since_filters(self):
        self.backend._channel_catch_up("products", None)
        self.sandbox.calls.clear()
        self.backend._channel_catch_up("products", None)
        results = (
            self.env["retail.sync.log"]
            .search([("backend_id", "=", self.backend.id), ("entity", "=", "product")], order="id desc")
            .mapped("result")
        )
        self.assertEqual(results[: len(self.variants)], ["skipped"] * len(self.variants))
        # with a watermark the query asks Shopify only for newer variants
        newest = max(variant["updated_at"] for variant in self.variants)
        self.sandbox.calls.clear()
        self.assertIsNone(self.backend._channel_catch_up("products", newest))
        call = self.calls_of("ProductVariants")[0]
        self.assertEqual(call["variables"]["query"], f"updated_at:>'{newest.strftime('%Y-%m-%dT%H:%M:%SZ')}'")

    def test_update_of_a_bound_variant_changes_the_price(self):
        self.backend._channel_catch_up("products", None)
        variant = self.variants[3]
        with self.sandbox.lock:
            for product in self.sandbox.state["products"]:
                for node in product["variants"]:
                    if node["id"] == variant["id"]:
                        node["price"] = "123.45"
                        node["updated_at"] = "2026-02-01T10:00:00Z"
        self.backend._channel_catch_up("products", None)
        binding = self._bindings().filtered(lambda b: b.external_id == variant["id"])
        self.assertAlmostEqual(binding.odoo_id.list_price, 123.45)
        self.assertEqual(len(self._bindings()), len(self.variants), "no duplicate binding")
