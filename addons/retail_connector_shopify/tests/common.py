# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test bases: a real sandbox shop on 127.0.0.1 and a configured Shopify backend.

The backend is wired the way an admin would do it in the form (mappings for
locations, taxes, gateways, shipping product), and every sandbox variant is
bound to an Odoo product directly, so order tests do not depend on the
product importer (which has tests of its own).
"""

import uuid

from odoo.tests.common import HttpCase, TransactionCase, new_test_user

from ..lib import normalize
from ..sandbox import Sandbox, generate_store

SANDBOX_TOKEN = "shpat_sandbox_test_token"
WEBHOOK_SECRET = "shopify-webhook-secret-for-tests"
#: the sandbox plants this tax title on one order: it stays unmapped
UNMAPPED_TAX_TITLE = "Luxury Tax"
#: generous limits so that only the throttling tests get throttled
TEST_BUCKET_SIZE = 20000
TEST_RESTORE_RATE = 10000


class ShopifySetupMixin:
    #: size of the generated store; subclasses may change it
    store_orders = 12
    store_products = 8
    store_seed = 7
    store_problems = True

    @classmethod
    def _setup_shopify(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.store = generate_store(
            orders=cls.store_orders, products=cls.store_products, seed=cls.store_seed, problems=cls.store_problems
        )
        cls.sandbox = Sandbox(
            cls.store,
            access_token=SANDBOX_TOKEN,
            bucket_size=TEST_BUCKET_SIZE,
            restore_rate=TEST_RESTORE_RATE,
        ).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.shipping_product = cls.env["product.product"].create(
            {"name": "Shopify Shipping", "type": "service", "invoice_policy": "order", "taxes_id": [(5, 0, 0)]}
        )
        cls.backend = cls.env["retail.backend"].create(
            {
                "name": "Sandbox Shop",
                "channel": "shopify",
                "state": "active",
                "company_id": cls.company.id,
                "shopify_shop_domain": "sandbox-shop.myshopify.com",
                "shopify_access_token": SANDBOX_TOKEN,
                "shopify_api_base_url": cls.sandbox.url,
                "webhook_secret": WEBHOOK_SECRET,
                "shopify_warehouse_id": cls.warehouse.id,
                "shopify_shipping_product_id": cls.shipping_product.id,
            }
        )
        cls.client = cls.backend._shopify_client()
        cls._map_locations()
        cls.orders_by_name = {order["name"]: order for order in cls.canonical_orders()}
        cls._map_taxes()
        cls._map_gateways()
        cls._bind_products()
        cls.sandbox.calls.clear()

    # ------------------------------------------------------------------
    @classmethod
    def canonical_orders(cls):
        """Every order of the sandbox shop, read over GraphQL and normalised."""
        nodes = cls.client.iter_nodes("orders", {"query": None}, ("orders",))
        return [normalize.order_from_graphql(node) for node in nodes]

    @classmethod
    def canonical_variants(cls):
        nodes = cls.client.iter_nodes("product_variants", {"query": None}, ("productVariants",))
        return [normalize.variant_from_graphql(node) for node in nodes]

    @classmethod
    def _map_locations(cls):
        locations = list(cls.client.iter_nodes("locations", {}, ("locations",)))
        cls.store_location = cls.env["stock.location"].create(
            {"name": "Shop Floor", "usage": "internal", "location_id": cls.warehouse.view_location_id.id}
        )
        odoo_locations = [cls.warehouse.lot_stock_id, cls.store_location]
        cls.location_maps = cls.env["shopify.location.map"]
        for index, location in enumerate(locations):
            cls.location_maps |= cls.env["shopify.location.map"].create(
                {
                    "backend_id": cls.backend.id,
                    "sequence": index,
                    "shopify_location_id": normalize.legacy_id(location["id"]),
                    "name": location["name"],
                    "location_id": odoo_locations[min(index, len(odoo_locations) - 1)].id,
                }
            )

    @classmethod
    def _map_taxes(cls):
        cls.tax_by_title_rate = {}
        seen = {}
        for order in cls.orders_by_name.values():
            for line in order["lines"] + order["shipping_lines"]:
                for tax in line["taxes"]:
                    seen.setdefault((tax["title"], float(tax["rate"])), order["taxes_included"])
        for (title, rate), included in sorted(seen.items()):
            if title == UNMAPPED_TAX_TITLE:
                continue
            tax = cls.env["account.tax"].create(
                {
                    "name": f"{title} {rate * 100:g}%",
                    "amount_type": "percent",
                    "amount": rate * 100,
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                    "price_include_override": "tax_included" if included else "tax_excluded",
                }
            )
            cls.env["shopify.tax.map"].create(
                {"backend_id": cls.backend.id, "tax_title": title, "rate": rate, "tax_id": tax.id}
            )
            cls.tax_by_title_rate[(title, rate)] = tax

    @classmethod
    def _map_gateways(cls):
        cls.journal_by_gateway = {}
        gateways = sorted(
            {tx["gateway"] for order in cls.orders_by_name.values() for tx in order["transactions"] if tx["gateway"]}
        )
        for index, gateway in enumerate(gateways):
            journal = cls.env["account.journal"].create(
                {
                    "name": f"Shopify {gateway}",
                    "code": f"SHP{index}",
                    "type": "bank",
                    "company_id": cls.company.id,
                }
            )
            cls.env["shopify.gateway.map"].create(
                {"backend_id": cls.backend.id, "gateway": gateway, "journal_id": journal.id}
            )
            cls.journal_by_gateway[gateway] = journal

    @classmethod
    def _bind_products(cls):
        cls.products_by_sku = {}
        bindings = cls.env["shopify.product.binding"]
        for variant in cls.canonical_variants():
            product = cls.env["product.product"].create(
                {
                    "name": variant["product_title"] + (f" ({variant['title']})" if variant["title"] else ""),
                    "default_code": variant["sku"],
                    "barcode": variant["barcode"] or False,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": float(variant["price"]),
                    "invoice_policy": "order",
                    "taxes_id": [(5, 0, 0)],
                }
            )
            bindings.create(
                {
                    "backend_id": cls.backend.id,
                    "external_id": variant["id"],
                    "odoo_id": product.id,
                    "sku": variant["sku"],
                    "shopify_product_id": variant["product_id"],
                    "inventory_item_id": variant["inventory_item_id"],
                }
            )
            cls.products_by_sku[variant["sku"]] = product

    # ------------------------------------------------------------------
    def deliver_webhook(self, topic, payload):
        """A delivery stored by the inbox and processed by its job; the event."""
        event, created = self.env["retail.webhook.event"]._receive(
            self.backend, topic, str(uuid.uuid4()), payload, len(str(payload)), event_id=str(uuid.uuid4())
        )
        self.assertTrue(created)
        event._process_job()
        return event

    def calls_of(self, operation):
        """The sandbox's log of GraphQL requests named ``operation``."""
        return [call for call in self.sandbox.calls if call.get("operation") == operation]


class ShopifyCase(ShopifySetupMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_shopify()
        cls.manager = new_test_user(
            cls.env,
            login="shopify_manager",
            groups="base.group_user,sales_team.group_sale_salesman,"
            "retail_connector_base.group_retail_connector_manager",
        )
        cls.connector_user = new_test_user(
            cls.env, login="shopify_user", groups="base.group_user,retail_connector_base.group_retail_connector_user"
        )


class ShopifyHttpCase(ShopifySetupMixin, HttpCase):
    """For webhooks sent by the sandbox to Odoo's real endpoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_shopify()
        cls.sandbox.webhook_target(
            f"{cls.base_url()}/retail/webhook/shopify/{cls.backend.id}",
            WEBHOOK_SECRET,
        )
