"""Benchmark: importing 1,000 Shopify orders with one worker; SQL queries per order.

Creates a throwaway database with the Shopify connector and, in this process,
an Odoo registry on it: one worker, the way a queue_job worker holds a registry
and performs a job in one transaction (no HTTP server, no runner: the job's
body is called directly). A sandbox shop on 127.0.0.1 holds 1,000 orders
(every scenario of the generator: paid, pending, authorized, partially paid,
refunded, partially refunded, cancelled, fulfilled, multi-currency, taxes
included or not; the planted problems are off so that every order imports).
The backend is configured like tests/common.py (mappings, variants bound).

Timed: the orders catch-up, the paginated GraphQL path, as the worker runs
it: catch-up jobs (``retail.backend._catch_up_job``) of ``--batch-size``
orders each (the backend's 'Records per Catch-up Job'), one transaction per
job, each job's continuation performed as soon as it is queued; each order
imported with its payments, refunds, invoice and fulfilments. The sandbox runs in
a process of its own on the same 2 cores (Shopify is not inside Odoo's worker).
Queries are counted with Odoo's own counter (``odoo.sql_db.sql_counter``,
every statement sent through an Odoo cursor).

With ``--latency-ms`` every sandbox answer is delayed like a real shop's round
trip: the catch-up then shows what reading the next page ahead saves. With
``--customers`` the database already holds that many contacts, as a shop with
a customer base does: each order's customer lookup must not read them all.

    python3 bench/order_import.py [--orders 1000] [--latency-ms 100] [--customers 100000] [--batch-size 100]

Last line: BENCH order_import orders=... latency_ms=... customers=... batch_size=... jobs=...
imported=... open_exceptions=... graphql_calls=... seconds=... worker_cpu_s=... db_cpu_s=...
sandbox_cpu_s=... orders_per_s=...
queries_per_order=...
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import Throwaway
from _shopify_common import SandboxProcess, configure_backend, shopify


def add_customers(database, count):
    """``count`` contacts with an email and a phone, written with SQL (the ORM would take minutes)."""
    database.sql(
        """
        INSERT INTO res_partner (name, complete_name, email, email_normalized, phone, active, type,
                                 autopost_bills, is_company, create_date, write_date)
        SELECT 'Customer ' || g, 'Customer ' || g, 'customer' || g || '@example.org',
               'customer' || g || '@example.org', '+1 555 ' || lpad(g::text, 7, '0'), true, 'contact',
               'ask', false, now(), now()
          FROM generate_series(1, %s) AS g
        """,
        (count,),
    )
    database.sql("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    database.sql("ANALYZE res_partner")


def run_catch_up_jobs(registry, backend_id):
    """The orders catch-up as the worker runs it: one job per share of orders,
    each in its own transaction, the next one started as soon as it is queued."""
    from odoo import SUPERUSER_ID, api

    resume = {"entity": "orders", "since": None, "cursor": None, "newest": None}
    jobs = 0
    while resume:
        jobs += 1
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["retail.backend"].browse(backend_id)._catch_up_job(resume=resume)
            continued = env["queue.job"].search(
                [("method_name", "=", "_catch_up_job"), ("state", "=", "pending")], limit=1
            )
            resume = continued.kwargs.get("resume")
            continued.unlink()  # performed by the next turn of this loop
    return jobs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--products", type=int, default=60)
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="delay every sandbox answer, like a real shop's round trip (Shopify: about 100-300 ms)",
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="contacts already in the database (a shop with a customer base), none of them the shop's",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=100,
        help="orders per catch-up job (the backend's 'Records per Catch-up Job'; 0: one job for all)",
    )
    args = parser.parse_args()

    shopify()
    sandbox = SandboxProcess(
        orders=args.orders, products=args.products, seed=3, problems=False, latency_ms=args.latency_ms
    )
    database = Throwaway()
    try:
        database.install("retail_connector_shopify")
        import odoo.sql_db
        from odoo import SUPERUSER_ID, api

        if args.customers:
            add_customers(database, args.customers)
        registry = database.registry()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
            backend, __, __, __ = configure_backend(env, sandbox)
            backend.catch_up_batch_size = args.batch_size
            backend_id = backend.id
        sandbox.clear_calls()

        queries = odoo.sql_db.sql_counter
        db_cpu_before, sandbox_cpu_before = database.backends_cpu(), sandbox.cpu_seconds()
        started, cpu_started = time.perf_counter(), time.process_time()
        jobs = run_catch_up_jobs(registry, backend_id)
        seconds = time.perf_counter() - started
        # the worker's own CPU time: steadier than seconds on a shared machine
        worker_cpu = time.process_time() - cpu_started
        queries = odoo.sql_db.sql_counter - queries
        # what shares the cores with the worker: PostgreSQL's backends and the sandbox
        db_cpu = sum(cpu - db_cpu_before.get(pid, 0.0) for pid, cpu in database.backends_cpu().items())
        sandbox_cpu = sandbox.cpu_seconds() - sandbox_cpu_before

        imported = database.sql(
            "SELECT count(*) FROM shopify_order_binding WHERE backend_id = %s AND odoo_id IS NOT NULL", (backend_id,)
        )[0][0]
        exceptions = database.sql(
            "SELECT count(*) FROM retail_exception WHERE backend_id = %s AND state IN ('new', 'in_progress')",
            (backend_id,),
        )[0][0]
        print(
            f"BENCH order_import orders={args.orders} latency_ms={args.latency_ms} customers={args.customers} "
            f"batch_size={args.batch_size} jobs={jobs} "
            f"imported={imported} "
            f"open_exceptions={exceptions} "
            f"graphql_calls={sandbox.call_count()} seconds={seconds:.1f} worker_cpu_s={worker_cpu:.1f} "
            f"db_cpu_s={db_cpu:.1f} sandbox_cpu_s={sandbox_cpu:.1f} "
            f"orders_per_s={args.orders / seconds:.1f} "
            f"queries_per_order={queries / args.orders:.0f}"
        )
    finally:
        sandbox.stop()
        database.close()


if __name__ == "__main__":
    main()
