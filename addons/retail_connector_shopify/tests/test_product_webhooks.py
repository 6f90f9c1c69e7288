# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""products/create, products/update and products/delete webhooks keep the catalogue in step."""

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_shopify.sandbox import rest

from .test_stock_export import StockCase


class TestProductWebhooks(StockCase):
    store_products = 6

    def deliver(self, topic, payload):
        event = self.deliver_webhook(topic, payload)
        self.assertEqual(event.state, "done", event.error_message)
        return event

    def bindings_of(self, product, active=True):
        bindings = self.env["shopify.product.binding"].with_context(active_test=False)
        return bindings.search(
            [("backend_id", "=", self.backend.id), ("shopify_product_id", "=", product["id"]), ("active", "=", active)]
        )

    def test_topics_are_registered(self):
        topics = self.backend._shopify_webhook_topics()
        self.assertTrue({"products/create", "products/update", "products/delete"} <= set(topics))

    def test_product_created_in_shopify_is_in_odoo_at_once(self):
        products_before = self.env["product.product"].search_count([])
        product = self.sandbox.add_product(
            "Trail Jacket",
            [
                {"sku": "JACKET-S", "price": "129.00", "title": "S", "barcode": "2000000000017"},
                {"sku": "JACKET-M", "price": "135.50", "title": "M"},
            ],
            emit=False,
        )
        event = self.deliver("products/create", rest.rest_product(product))
        bindings = self.bindings_of(product)
        self.assertEqual(sorted(bindings.mapped("sku")), ["JACKET-M", "JACKET-S"])
        self.assertEqual(self.env["product.product"].search_count([]), products_before + 2)
        small = bindings.filtered(lambda b: b.sku == "JACKET-S").odoo_id
        self.assertEqual(
            (small.name, small.default_code, small.barcode, small.list_price, small.is_storable),
            ("Trail Jacket (S)", "JACKET-S", "2000000000017", 129.0, True),
        )
        self.assertEqual(bindings.filtered(lambda b: b.sku == "JACKET-M").odoo_id.list_price, 135.5)
        self.assertEqual(event.state, "done")

    def test_price_change_applies_and_a_late_older_update_does_not_undo_it(self):
        product = self.sandbox.add_product("Cap", [{"sku": "CAP-1", "price": "20.00"}], emit=False)
        self.deliver("products/create", rest.rest_product(product))
        older = self.sandbox.update_product(product["id"], prices={"CAP-1": "22.00"}, emit=False)
        newer = self.sandbox.update_product(product["id"], prices={"CAP-1": "24.00"}, emit=False)
        self.deliver("products/update", newer)
        cap = self.bindings_of(product).odoo_id
        self.assertEqual(cap.list_price, 24.0)
        self.deliver("products/update", older)  # late, out of order
        self.assertEqual(cap.list_price, 24.0)
        self.deliver("products/update", newer)  # twice: unchanged, skipped
        self.assertEqual(cap.list_price, 24.0)
        self.assertEqual(len(self.bindings_of(product)), 1)

    def test_variant_deleted_in_shopify_is_unbound_and_its_stock_no_longer_sent(self):
        sizes = [{"sku": "SOCK-S", "price": "9.00", "title": "S"}, {"sku": "SOCK-L", "price": "9.00", "title": "L"}]
        product = self.sandbox.add_product("Socks", sizes, emit=False)
        self.deliver("products/create", rest.rest_product(product))
        large = self.bindings_of(product).filtered(lambda b: b.sku == "SOCK-L")
        body = self.sandbox.update_product(product["id"], remove_skus=["SOCK-L"], emit=False)
        self.deliver("products/update", body)
        self.assertEqual(self.bindings_of(product).mapped("sku"), ["SOCK-S"])
        self.assertEqual(self.bindings_of(product, active=False), large)
        self.assertTrue(large.odoo_id.active, "the Odoo product is kept")
        self.set_stock({(large.odoo_id, self.maps[0].location_id): 7})
        self.assertFalse(large.stock_dirty)
        with trap_jobs() as trap:
            self.backend._shopify_push_stock_job()
            self.assertFalse(trap.enqueued_jobs)
        sent = {key for call in self.calls_of("InventorySetQuantities") for key in self.quantities_sent(call)}
        self.assertNotIn(large.inventory_item_id, {item for item, __ in sent})
        self.assertIn(self.bindings_of(product).inventory_item_id, {item for item, __ in sent})

    def test_product_deleted_in_shopify_unbinds_its_variants_and_keeps_the_products(self):
        product = self.sandbox.add_product("Scarf", [{"sku": "SCARF-1", "price": "30.00"}], emit=False)
        self.deliver("products/create", rest.rest_product(product))
        scarf = self.bindings_of(product)
        products_before = self.env["product.product"].search_count([])
        self.deliver("products/delete", self.sandbox.delete_product(product["id"], emit=False))
        self.assertFalse(self.bindings_of(product))
        self.assertEqual(self.bindings_of(product, active=False), scarf)
        self.assertEqual(self.env["product.product"].search_count([]), products_before)
        log = self.env["retail.sync.log"].search(
            [("entity", "=", "product"), ("external_id", "=", scarf.external_id)], limit=1
        )
        self.assertIn("deleted in Shopify", log.message)
        # a late products/update of the deleted product binds nothing again
        self.deliver("products/update", rest.rest_product(product))
        self.assertFalse(self.bindings_of(product))

    def test_malformed_product_body_is_an_exception_not_a_half_import(self):
        event = self.deliver_webhook("products/update", {"title": "no id"})
        self.assertEqual(event.state, "failed")
        self.assertTrue(event.exception_id)

    def test_product_form_lists_its_shopify_variants_for_connector_users(self):
        sizes = [{"sku": "GLOVE-S", "price": "15.00", "title": "S"}, {"sku": "GLOVE-L", "price": "15.00"}]
        product = self.sandbox.add_product("Gloves", sizes, emit=False)
        self.deliver("products/create", rest.rest_product(product))
        bindings = self.bindings_of(product)
        template = bindings.odoo_id.product_tmpl_id
        self.assertEqual(len(template), 2, "one template per Shopify variant, as imported")
        first = template[0]
        self.assertEqual(first.shopify_binding_ids, bindings.filtered(lambda b: b.odoo_id.product_tmpl_id == first))
        body = self.sandbox.update_product(product["id"], remove_skus=["GLOVE-L"], emit=False)
        self.deliver("products/update", body)
        large = bindings.filtered(lambda b: b.sku == "GLOVE-L")
        template_large = large.odoo_id.product_tmpl_id
        template_large.invalidate_recordset(["shopify_binding_ids"])
        self.assertEqual(template_large.shopify_binding_ids, large, "a deleted variant is still listed, not bound")
        views = self.env["product.template"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn('name="shopify_binding_ids"', views["views"]["form"]["arch"])
