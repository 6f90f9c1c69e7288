"""Benchmark: pushing Odoo's stock of 10,000 SKUs at 2 locations to Shopify, then of 100 changed SKUs.

Creates a throwaway database with the Shopify connector and, in this process,
an Odoo registry on it (what a queue_job worker holds) and a sandbox shop on
127.0.0.1 with 10,000 variants at 2 locations. A backend is configured against
it (locations mapped, variants bound to new products directly). Then, each
step in its own transaction like the export job:

1. the first full push (every level is unknown to Shopify: 20,000 quantities,
   250 per inventorySetQuantities call);
2. 100 products get a new on-hand quantity (inventory adjustment, which marks
   their bindings dirty), then the debounced export job's body
   ``backend._channel_export("stock")`` sends only those.

The sandbox runs in this process (a thread), so its time is included.
The database is dropped afterwards.

    python3 bench/stock_export.py [--skus 10000] [--changed 100]

Last line: BENCH stock_export skus=... locations=... full_calls=... full_seconds=... changed=... changed_calls=...
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import Throwaway
from _shopify_common import bind_variants, configure_backend, shopify, start_sandbox


def inventory_calls(sandbox):
    return sum(1 for call in sandbox.calls if "inventoryset" in (call.get("operation") or "").lower())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10000)
    parser.add_argument("--changed", type=int, default=100)
    args = parser.parse_args()

    shopify()
    # 1 to 3 variants per product (2 on average): enough products for the SKUs wanted, the extra ones unbound.
    sandbox = start_sandbox(orders=0, products=args.skus * 2 // 3 + 100, seed=5)
    database = Throwaway()
    try:
        database.install("retail_connector_shopify")
        from odoo import SUPERUSER_ID, api

        registry = database.registry()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
            backend, client, maps, __ = configure_backend(env, sandbox, bind_products=False, orders=[])
            products = bind_variants(env, backend, client, limit=args.skus)
            if len(products) < args.skus:
                raise SystemExit(f"the sandbox has only {len(products)} variants")
            backend_id = backend.id
        sandbox.calls.clear()

        # 1. the first push of everything
        started = time.perf_counter()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = env["retail.backend"].browse(backend_id)
            summary = env["shopify.stock.level"]._export_stock(backend, force=True)
        full_seconds = time.perf_counter() - started
        full_calls = inventory_calls(sandbox)
        print(f"full push: {summary} in {full_seconds:.1f} s")

        # 2. 100 products change (an inventory count), then the export job
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            backend = env["retail.backend"].browse(backend_id)
            changed = env["shopify.product.binding"].search([("backend_id", "=", backend_id)], limit=args.changed)
            stock = backend.shopify_warehouse_id.lot_stock_id
            env["stock.quant"].with_context(inventory_mode=True).create(
                [
                    {"product_id": product.id, "location_id": stock.id, "inventory_quantity": 7}
                    for product in changed.odoo_id
                ]
            ).action_apply_inventory()
            dirty = env["shopify.product.binding"].search_count(
                [("backend_id", "=", backend_id), ("stock_dirty", "=", True)]
            )
        sandbox.calls.clear()
        started = time.perf_counter()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            summary = env["retail.backend"].browse(backend_id)._channel_export("stock")
        changed_seconds = time.perf_counter() - started
        changed_calls = inventory_calls(sandbox)
        print(f"changed push: {summary} in {changed_seconds:.2f} s")
        print(
            f"BENCH stock_export skus={args.skus} locations={len(maps)} full_calls={full_calls} "
            f"full_seconds={full_seconds:.1f} changed={args.changed} dirty={dirty} changed_calls={changed_calls} "
            f"changed_seconds={changed_seconds:.2f}"
        )
    finally:
        sandbox.stop()
        database.close()


if __name__ == "__main__":
    main()
