"""What the Shopify benchmarks share: the addon's plain-Python packages (sandbox,
lib) importable from a script, and a backend configured against a sandbox in an
in-process registry the way tests/common.py does it (mappings made directly,
variants bound directly, no importer involved).

Not a benchmark itself (the leading underscore keeps it apart).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import ROOT

SANDBOX_TOKEN = "shpat_bench_token"
WEBHOOK_SECRET = "bench-shopify-secret"
SHOP_DOMAIN = "bench-shop.myshopify.com"
UNMAPPED_TAX_TITLE = "Luxury Tax"
#: generous limits: the benchmarks measure Odoo, not Shopify's leaky bucket
BUCKET_SIZE = 10**9
RESTORE_RATE = 10**9


def shopify():
    """The addon package, importable as odoo.addons.retail_connector_shopify (like scripts/shopify_sandbox.py)."""
    import odoo.addons

    addons = str(ROOT / "addons")
    if addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(addons)
    import odoo.addons.retail_connector_shopify as addon

    return addon


def start_sandbox(**store):
    from odoo.addons.retail_connector_shopify.sandbox import Sandbox, generate_store

    return Sandbox(
        generate_store(**store), access_token=SANDBOX_TOKEN, bucket_size=BUCKET_SIZE, restore_rate=RESTORE_RATE
    ).start()


class SandboxProcess:
    """The sandbox in a process of its own, as Shopify is not inside Odoo's worker
    (a sandbox thread would share the importer's interpreter and GIL).
    ``url``, ``clear_calls()``, ``call_count()``, ``stop()``."""

    def __init__(self, latency_ms=0, **store):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_sandbox, args=(child, store, latency_ms), daemon=True)
        self._process.start()
        self.url = self._conn.recv()

    def _ask(self, command):
        self._conn.send(command)
        return self._conn.recv()

    def clear_calls(self):
        self._ask("clear")

    def call_count(self):
        return self._ask("count")

    def cpu_seconds(self):
        """CPU time the sandbox process has used so far (it shares the cores with Odoo)."""
        return self._ask("cpu")

    def stop(self):
        if self._process.is_alive():
            self._ask("stop")
        self._process.join(10)


def _serve_sandbox(conn, store, latency_ms=0):
    sandbox = start_sandbox(**store)
    sandbox.faults.latency_ms = latency_ms  # every answer delayed, like a real shop's round trip
    conn.send(sandbox.url)
    while True:
        command = conn.recv()
        if command == "clear":
            sandbox.calls.clear()
            conn.send(None)
        elif command == "count":
            conn.send(len(sandbox.calls))
        elif command == "cpu":
            conn.send(time.process_time())
        else:
            sandbox.stop()
            conn.send(None)
            return


def configure_backend(env, sandbox, bind_products=True, orders=None):
    """A Shopify backend against ``sandbox`` with its locations, taxes, gateways mapped and (optionally)
    every variant bound to a new Odoo product. ``orders``: canonical orders to read taxes and gateways
    from (read from the sandbox when None). Returns (backend, client, location maps, products by SKU)."""
    from odoo.addons.retail_connector_shopify.lib import normalize

    company = env.company
    # Shopify rounds tax per line: so must Odoo for the totals to agree (see CONFIGURE)
    company.tax_calculation_rounding_method = "round_per_line"
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    shipping = env["product.product"].create(
        {"name": "Shopify Shipping", "type": "service", "invoice_policy": "order", "taxes_id": [(5, 0, 0)]}
    )
    backend = env["retail.backend"].create(
        {
            "name": "Bench Shop",
            "channel": "shopify",
            "state": "active",
            "company_id": company.id,
            "shopify_shop_domain": SHOP_DOMAIN,
            "shopify_access_token": SANDBOX_TOKEN,
            "shopify_api_base_url": sandbox.url,
            "webhook_secret": WEBHOOK_SECRET,
            "shopify_warehouse_id": warehouse.id,
            "shopify_shipping_product_id": shipping.id,
        }
    )
    client = backend._shopify_client()
    shop_floor = env["stock.location"].create(
        {"name": "Shop Floor", "usage": "internal", "location_id": warehouse.view_location_id.id}
    )
    odoo_locations = [warehouse.lot_stock_id, shop_floor]
    maps = env["shopify.location.map"].create(
        [
            {
                "backend_id": backend.id,
                "sequence": index,
                "shopify_location_id": normalize.legacy_id(location["id"]),
                "name": location["name"],
                "location_id": odoo_locations[min(index, len(odoo_locations) - 1)].id,
            }
            for index, location in enumerate(client.iter_nodes("locations", {}, ("locations",)))
        ]
    )
    if orders is None:
        orders = [
            normalize.order_from_graphql(node) for node in client.iter_nodes("orders", {"query": None}, ("orders",))
        ]
    seen = {}
    for order in orders:
        for line in order["lines"] + order["shipping_lines"]:
            for tax in line["taxes"]:
                seen.setdefault((tax["title"], float(tax["rate"])), order["taxes_included"])
    for (title, rate), included in sorted(seen.items()):
        if title == UNMAPPED_TAX_TITLE:
            continue
        tax = env["account.tax"].create(
            {
                "name": f"{title} {rate * 100:g}%{' incl.' if included else ''}",
                "amount_type": "percent",
                "amount": rate * 100,
                "type_tax_use": "sale",
                "company_id": company.id,
                "price_include_override": "tax_included" if included else "tax_excluded",
            }
        )
        env["shopify.tax.map"].create({"backend_id": backend.id, "tax_title": title, "rate": rate, "tax_id": tax.id})
    gateways = sorted({tx["gateway"] for order in orders for tx in order["transactions"] if tx["gateway"]})
    for index, gateway in enumerate(gateways):
        journal = env["account.journal"].create(
            {"name": f"Shopify {gateway}", "code": f"SHB{index}", "type": "bank", "company_id": company.id}
        )
        env["shopify.gateway.map"].create({"backend_id": backend.id, "gateway": gateway, "journal_id": journal.id})
    products = {}
    if bind_products:
        products = bind_variants(env, backend, client)
    return backend, client, maps, products


def bind_variants(env, backend, client, limit=None):
    """Create an Odoo product per sandbox variant (the first ``limit`` ones) and bind it, in batches."""
    from odoo.addons.retail_connector_shopify.lib import normalize

    variants = [
        normalize.variant_from_graphql(node)
        for node in client.iter_nodes("product_variants", {"query": None}, ("productVariants",))
    ][:limit]
    products = env["product.product"].create(
        [
            {
                "name": variant["product_title"] + (f" ({variant['title']})" if variant["title"] else ""),
                "default_code": variant["sku"],
                "type": "consu",
                "is_storable": True,
                "list_price": float(variant["price"]),
                "invoice_policy": "order",
                "taxes_id": [(5, 0, 0)],
            }
            for variant in variants
        ]
    )
    env["shopify.product.binding"].create(
        [
            {
                "backend_id": backend.id,
                "external_id": variant["id"],
                "odoo_id": product.id,
                "sku": variant["sku"],
                "shopify_product_id": variant["product_id"],
                "inventory_item_id": variant["inventory_item_id"],
            }
            for variant, product in zip(variants, products, strict=True)
        ]
    )
    return {variant["sku"]: product for variant, product in zip(variants, products, strict=True)}
