# Demo set-up, run by scripts/run.sh inside `odoo shell` (which provides `env`):
#
#   RETAIL_SANDBOX_URL=http://127.0.0.1:8765 RETAIL_SANDBOX_TOKEN=... RETAIL_SANDBOX_SECRET=... \
#       python3 -m odoo shell -c .run/odoo.conf -d retail_demo --no-http < scripts/demo_shopify.py
#
# Configures, idempotently, a Shopify backend "Sandbox Shop" against the local sandbox store the way an
# admin would in the form (connection, warehouse, shipping product, location / tax / gateway mappings,
# an Odoo product with some stock for every sandbox SKU, bound by the product import), registers the
# webhooks and queues the order catch-up and a full stock push; the queue_job runner of the server
# started next performs them. The planted "Luxury Tax" stays unmapped on purpose: it is one of the problems the demo
# shows in the exception workbench.
import logging
import os
import time

_logger = logging.getLogger("retail.demo")

BACKEND_NAME = "Sandbox Shop"
SHOP_DOMAIN = "sandbox-shop.myshopify.com"
UNMAPPED_TAX_TITLE = "Luxury Tax"
SHIPPING_CODE = "SHOPIFY-SHIPPING"
#: on-hand quantity given to each demo product in the first Odoo location (stock push has something to send)
DEMO_ON_HAND = 25


def _nodes(client, name, variables, path):
    """Every node of a paginated query; waits out the cost bucket (fine in a demo script, never in jobs)."""
    from odoo.addons.retail_connector_base.lib.retry import ThrottledError

    for _attempt in range(30):
        try:
            return list(client.iter_nodes(name, variables, path))
        except ThrottledError as error:
            time.sleep(min(float(getattr(error, "retry_after", None) or 2), 10))
    raise RuntimeError(f"the sandbox kept throttling {name}")


def _say(message):
    print(f"== demo: {message}", flush=True)


def _base_url(env):
    """Webhooks are registered with backend.webhook_url, computed from web.base.url: make it this server."""
    port = os.environ.get("RETAIL_HTTP_PORT", "8069")
    params = env["ir.config_parameter"].sudo()
    params.set_param("web.base.url", f"http://127.0.0.1:{port}")
    params.set_param("web.base.url.freeze", "True")


def _shipping_product(env):
    product = env["product.product"].search([("default_code", "=", SHIPPING_CODE)], limit=1)
    return product or env["product.product"].create(
        {
            "name": "Shopify Shipping",
            "default_code": SHIPPING_CODE,
            "type": "service",
            "invoice_policy": "order",
            "taxes_id": [(5, 0, 0)],
        }
    )


def _backend(env, company, warehouse):
    values = {
        "name": BACKEND_NAME,
        "channel": "shopify",
        "company_id": company.id,
        "shopify_shop_domain": SHOP_DOMAIN,
        "shopify_access_token": os.environ["RETAIL_SANDBOX_TOKEN"],
        "shopify_api_base_url": os.environ["RETAIL_SANDBOX_URL"],
        "webhook_secret": os.environ["RETAIL_SANDBOX_SECRET"],
        "shopify_warehouse_id": warehouse.id,
        "shopify_shipping_product_id": _shipping_product(env).id,
    }
    backend = env["retail.backend"].with_context(active_test=False).search([("name", "=", BACKEND_NAME)], limit=1)
    if backend:
        backend.write(dict(values, active=True))
    else:
        backend = env["retail.backend"].create(values)
    if backend.state != "active":
        backend.action_activate()
    return backend


def _map_locations(env, backend, client, warehouse):
    from odoo.addons.retail_connector_shopify.lib import normalize

    shop_floor = env["stock.location"].search(
        [("name", "=", "Shop Floor"), ("location_id", "=", warehouse.view_location_id.id)], limit=1
    ) or env["stock.location"].create(
        {"name": "Shop Floor", "usage": "internal", "location_id": warehouse.view_location_id.id}
    )
    odoo_locations = [warehouse.lot_stock_id, shop_floor]
    maps = env["shopify.location.map"]
    for index, location in enumerate(_nodes(client, "locations", {}, ("locations",))):
        external_id = normalize.legacy_id(location["id"])
        mapping = maps.search([("backend_id", "=", backend.id), ("shopify_location_id", "=", external_id)])
        if not mapping:
            maps.create(
                {
                    "backend_id": backend.id,
                    "sequence": index,
                    "shopify_location_id": external_id,
                    "name": location["name"],
                    "location_id": odoo_locations[min(index, len(odoo_locations) - 1)].id,
                }
            )
    return odoo_locations


def _map_taxes(env, backend, company, orders):
    seen = {}
    for order in orders:
        for line in order["lines"] + order["shipping_lines"]:
            for tax in line["taxes"]:
                seen.setdefault((tax["title"], float(tax["rate"])), order["taxes_included"])
    for (title, rate), included in sorted(seen.items()):
        if title == UNMAPPED_TAX_TITLE or env["shopify.tax.map"]._find(backend, title, rate):
            continue
        name = f"Shopify {title} {rate * 100:g}%{' incl.' if included else ''}"
        tax = env["account.tax"].search([("name", "=", name), ("company_id", "=", company.id)], limit=1)
        tax = tax or env["account.tax"].create(
            {
                "name": name,
                "amount_type": "percent",
                "amount": rate * 100,
                "type_tax_use": "sale",
                "company_id": company.id,
                "price_include_override": "tax_included" if included else "tax_excluded",
            }
        )
        env["shopify.tax.map"].create({"backend_id": backend.id, "tax_title": title, "rate": rate, "tax_id": tax.id})


def _map_gateways(env, backend, company, orders):
    gateways = sorted({tx["gateway"] for order in orders for tx in order["transactions"] if tx["gateway"]})
    for index, gateway in enumerate(gateways):
        if env["shopify.gateway.map"]._find(backend, gateway):
            continue
        code = f"SHP{index}"
        journal = env["account.journal"].search([("code", "=", code), ("company_id", "=", company.id)], limit=1)
        journal = journal or env["account.journal"].create(
            {"name": f"Shopify {gateway}", "code": code, "type": "bank", "company_id": company.id}
        )
        env["shopify.gateway.map"].create({"backend_id": backend.id, "gateway": gateway, "journal_id": journal.id})


def _products(env, client, stock_location):
    """An Odoo product per sandbox SKU (the catalogue usually exists in Odoo first; the product catch-up
    binds them by SKU), with some stock so that the stock push sends real quantities."""
    from odoo.addons.retail_connector_shopify.lib import normalize

    Product = env["product.product"]
    created = 0
    for node in _nodes(client, "product_variants", {"query": None}, ("productVariants",)):
        variant = normalize.variant_from_graphql(node)
        if not variant["sku"] or Product.search([("default_code", "=", variant["sku"])], limit=1):
            continue
        product = Product.create(
            {
                "name": variant["product_title"] + (f" ({variant['title']})" if variant["title"] else ""),
                "default_code": variant["sku"],
                "type": "consu",
                "is_storable": True,
                "list_price": float(variant["price"]),
                "invoice_policy": "order",
                "taxes_id": [(5, 0, 0)],
            }
        )
        env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": stock_location.id, "inventory_quantity": DEMO_ON_HAND}
        ).action_apply_inventory()
        created += 1
    return created


def main(env):
    from odoo.addons.retail_connector_shopify.lib import normalize

    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
    company = env.ref("base.main_company")
    # Shopify rounds tax per line: so must Odoo for order totals to agree (CONFIGURE)
    company.tax_calculation_rounding_method = "round_per_line"
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    _base_url(env)
    backend = _backend(env, company, warehouse)
    client = backend._shopify_client()
    _say(f"backend {backend.name} (id {backend.id}) -> {backend.shopify_api_base_url}")
    odoo_locations = _map_locations(env, backend, client, warehouse)
    orders = [normalize.order_from_graphql(node) for node in _nodes(client, "orders", {"query": None}, ("orders",))]
    _map_taxes(env, backend, company, orders)
    _map_gateways(env, backend, company, orders)
    created = _products(env, client, odoo_locations[0])
    _say(
        f"{len(backend.shopify_location_map_ids)} locations, {len(backend.shopify_tax_map_ids)} taxes "
        f"({UNMAPPED_TAX_TITLE!r} left unmapped), {len(backend.shopify_gateway_map_ids)} gateways mapped; "
        f"{created} products created; the sandbox has {len(orders)} orders"
    )
    backend._channel_test_connection()
    backend.action_shopify_register_webhooks()
    _say(f"webhooks registered -> {backend.webhook_url}")
    if os.environ.get("RETAIL_WEBHOOK_URL_FILE"):
        # run.sh points the sandbox's webhook sender at it
        with open(os.environ["RETAIL_WEBHOOK_URL_FILE"], "w", encoding="utf-8") as handle:
            handle.write(backend.webhook_url)
    # Products are bound now (a few seconds) so that the stock push queued below has variants to send;
    # the catch-up job then only has the orders to do (and re-reads products changed since).
    newest = backend._channel_catch_up("products", None)
    backend._get_watermark("products")._advance(newest)
    _say(f"{len(env['shopify.product.binding'].search([('backend_id', '=', backend.id)]))} variants bound")
    backend._enqueue_catch_up()
    backend.action_shopify_push_stock()
    env.cr.commit()  # `odoo shell` rolls back what the script leaves uncommitted
    _say("catch-up and stock push queued")


main(globals()["env"])
