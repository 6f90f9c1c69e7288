"""Benchmark: a soak run under faults, with Odoo killed hard once half-way; nothing lost, nothing twice.

Creates a throwaway database with the suite, a sandbox shop on 127.0.0.1 (half of ``--orders``
generated up front, every scenario of the generator but the planted problems; products; two
locations with inventory) and a Shopify backend against it (locations, taxes, gateways mapped,
variants bound, 20 units of each at the second location, webhooks registered). Then the sandbox
misbehaves like a busy Shopify: 20 % of GraphQL requests answered THROTTLED, 5 % HTTP 502/503,
50 ms added to each; its webhooks are duplicated, reordered, delayed and retried until Odoo answers 200
(``_soak_webhooks.py``). Odoo runs as in production: ``--workers`` HTTP workers,
``server_wide_modules = base,web,queue_job`` and the queue_job runner with the channels of
``scripts/run.sh``, ``limit_time_real = 300`` as in ``odoo.conf.example``; crons are off (the
benchmark runs the catch-up cron's code itself, see below).

The run (``--load-seconds``):

- the first catch-up (products, then the orders already in the shop) and a full stock push are
  queued, as ``make run`` does;
- the shop receives the other half of the orders (``orders/create``; some updated at once, so the
  two webhooks race) and ``--updates`` edits of random orders (``orders/updated``);
- stock moves on both sides: inventory counts in Odoo at the second location (debounced stock
  export) and quantities changed in Shopify (``inventory_levels/update``: Odoo is the master and
  pushes its quantity back);
- half-way, every process of the Odoo server gets SIGKILL (no shutdown, jobs die mid-transaction),
  Odoo stays down ``--down-seconds`` (the shop's webhooks fail and are retried), then starts again.
  Jobs left ``started`` by the kill are requeued by queue_job's runner itself (19.0:
  ``Database.requeue_dead_jobs``, every loop: a job ``started`` or ``enqueued`` for more than
  10 s whose ``queue_job_lock`` row is not locked by a live transaction goes back to pending,
  its retry count + 1; beyond ``max_retries`` it fails as ``JobFoundDead``). After the restart
  the catch-up cron's code runs once, as it would after an outage.

Then the benchmark waits until the shop's deliveries are all acknowledged and no job is pending,
enqueued or started (``--settle-timeout``), queues the stock export once more (the debounced job
of Odoo's changes, not a forced push) and waits again. Checked, with SQL and the ORM against the
sandbox's own state:

- orders: every shop order the backend imports (financial status in its import list) has exactly
  one binding and one sale order (``duplicates``: extra bindings, sale orders, invoices, payment
  bindings; ``lost_orders``: none at all), and the binding holds Shopify's latest version
  (``stale_orders``);
- webhooks: every delivery the shop made (distinct webhook id) is in the inbox (``lost_webhooks``)
  and was processed (``unprocessed_events``: received or queued at the end);
- jobs: ``failed_jobs`` (state failed) and those with no later run of the same identity key
  (``failed_without_retry``); ``stuck_jobs`` still pending/enqueued/started at the end;
- stock: the quantity of every bound variant at every mapped location in the shop equals Odoo's
  (free quantity, whole units, not below 0): ``stock_mismatches``;
- the workbench: no open exception but the risky orders held by design (``failure_exceptions``).

``lost`` = ``lost_orders`` + ``lost_webhooks``. ``minutes``: from Odoo's start to the end of the
settling (the database set-up before is not counted; ``total_minutes`` counts everything). The
exit status is 1 when an invariant is broken. The database is dropped afterwards (``--keep``
keeps it and Odoo's log, and prints where they are).

    python3 bench/soak.py [--orders 200] [--workers 2] [--load-seconds 120]

Last line: BENCH soak orders=... duplicates=0 lost=0 failed_jobs=... minutes=... (and details)
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import SUITE, Throwaway
from _shopify_common import WEBHOOK_SECRET, configure_backend, shopify, start_sandbox

CHANNELS = "root:2,root.retail:2,root.retail.import:2,root.retail.export:1,root.retail.webhook:2"
SHOP_FLOOR_UNITS = 20
OPEN_JOB_STATES = ("pending", "enqueued", "started")
#: transaction conflicts the benchmark's own writes retry (the server's jobs may hold the rows)
CONFLICTS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected, psycopg2.errors.LockNotAvailable)


def say(message):
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


class OdooServer:
    """The Odoo server as its own process group, so that a hard kill takes every worker with it."""

    def __init__(self, database):
        self.database = database
        self.log = database.work / "odoo.log"
        self.process = None

    def start(self, timeout=120):
        self.process = subprocess.Popen([*self.database.command, "--logfile", str(self.log)], start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode} (see {self.log})")
            try:
                if requests.get(f"{self.database.base_url}/web/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on {self.database.base_url} (see {self.log})")

    def kill(self):
        """SIGKILL the whole process group: main process, HTTP workers, gevent worker, job runner."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def stop(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        except ProcessLookupError:
            pass
        self.process = None


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.initial_orders = max(12, args.orders // 2)
        self.sandbox = None
        self.database = None
        self.server = None
        self.registry = None
        self.backend_id = None
        self.products = []  # (sku, product id)
        self.shop_floor_id = None
        self.shopify_location_ids = []
        self.figures = Counter()
        self.errors = []

    # ------------------------------------------------------------------ helpers
    def env_run(self, function, attempts=8):
        """Run ``function(env)`` in its own transaction (committed), retrying on conflicts with the server's jobs."""
        from odoo import SUPERUSER_ID, api

        for attempt in range(attempts):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
                    return function(env)
            except CONFLICTS:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 + self.rng.random())
        return None

    def sql(self, query, params=()):
        return self.database.sql(query, params)

    def count_jobs(self, *states):
        return self.sql("SELECT count(*) FROM queue_job WHERE state IN %s", (states,))[0][0]

    # ------------------------------------------------------------------ set-up
    def set_up(self):
        args = self.args
        shopify()
        from _soak_webhooks import SoakWebhooks

        self.sandbox = start_sandbox(orders=self.initial_orders, products=args.products, seed=args.seed, problems=False)
        self.sandbox.webhooks = SoakWebhooks(
            self.sandbox.shop_domain,
            self.sandbox.webhooks.api_version,
            seed=args.seed,
            duplicate_ratio=args.duplicate,
            reorder_ratio=args.reorder,
            delay_ratio=args.delay,
            max_delay=args.max_delay,
        )
        self.database = Throwaway(
            prefix="retail_soak",
            workers=args.workers,
            extra_conf=(
                "server_wide_modules = base,web,queue_job\nlimit_time_real = 300\n"
                f"\n[queue_job]\nchannels = {CHANNELS}\n"
            ),
        )
        say(f"installing the suite in {self.database.db}")
        self.database.install(SUITE)
        self.registry = self.database.registry()
        self.env_run(self._configure)
        say(
            f"backend {self.backend_id}: {len(self.products)} variants bound, {self.initial_orders} orders in the "
            f"shop, webhooks to {self.sandbox.webhooks.url}"
        )

    def _configure(self, env):
        from odoo.addons.retail_connector_shopify.lib import normalize

        params = env["ir.config_parameter"]
        params.set_param("web.base.url", self.database.base_url)
        params.set_param("web.base.url.freeze", "True")
        backend, __, maps, products = configure_backend(env, self.sandbox)
        self.backend_id = backend.id
        self.products = sorted((sku, product.id) for sku, product in products.items())
        self.shop_floor_id = maps[1].location_id.id
        self.shopify_location_ids = [normalize.legacy_id(m.shopify_location_id) for m in maps]
        env["stock.quant"].with_context(inventory_mode=True).create(
            [
                {"product_id": product.id, "location_id": self.shop_floor_id, "inventory_quantity": SHOP_FLOOR_UNITS}
                for product in products.values()
            ]
        ).action_apply_inventory()
        backend.action_shopify_register_webhooks()
        self.sandbox.webhook_target(backend.webhook_url, WEBHOOK_SECRET)
        # what `make run` queues: the first catch-up and a full stock push
        backend._enqueue_catch_up()
        backend.action_shopify_push_stock()

    # ------------------------------------------------------------------ load
    def plan(self):
        """(second, action, argument) over the load window, in time order."""
        args = self.args
        window = args.load_seconds * 0.9
        events = []
        for index in range(args.orders - self.initial_orders):
            events.append((self.rng.uniform(0, window), "create", index))
        for index in range(args.updates):
            events.append((self.rng.uniform(0, window), "update", index))
        for index in range(args.stock_changes):
            events.append((self.rng.uniform(0, window), "odoo_stock" if index % 2 else "shop_stock", index))
        return sorted(events)

    def load(self, started):
        for second, action, __ in self.plan():
            time.sleep(max(0.0, started + second - time.monotonic()))
            try:
                getattr(self, f"_load_{action}")()
                self.figures[action] += 1
            except Exception as error:  # the load goes on; the error is reported at the end
                self.errors.append(f"{action}: {error!r}")

    def _load_create(self):
        skus = [sku for sku, __ in self.products]
        lines = [(sku, self.rng.randint(1, 3)) for sku in self.rng.sample(skus, k=self.rng.randint(1, 3))]
        roll = self.rng.random()
        status = "PAID" if roll < 0.8 else ("AUTHORIZED" if roll < 0.9 else "PENDING")
        order = self.sandbox.create_order(
            lines=lines,
            presentment_currency="EUR" if self.rng.random() < 0.3 else None,
            financial_status=status,
            gateway=("shopify_payments", "paypal")[self.rng.randrange(2)],
        )
        if self.rng.random() < 0.3:
            # edited right away: orders/create and orders/updated race (and may arrive in any order)
            self.sandbox.update_order(order["id"], note=f"gift wrap please ({order['name']})")
            self.figures["update"] += 1

    def _load_update(self):
        with self.sandbox.lock:
            order_id = self.rng.choice(self.sandbox.state["orders"])["id"]
        self.sandbox.update_order(order_id, note=f"soak edit {self.rng.randrange(10**6)}")

    def _load_shop_stock(self):
        sku = self.rng.choice(self.products)[0]
        location = self.rng.choice(self.shopify_location_ids)
        self.sandbox.set_inventory(sku, location, self.rng.randint(0, 50))

    def _load_odoo_stock(self):
        __, product_id = self.rng.choice(self.products)
        quantity = self.rng.randint(0, 40)

        def count(env):
            env["stock.quant"].with_context(inventory_mode=True).create(
                {"product_id": product_id, "location_id": self.shop_floor_id, "inventory_quantity": quantity}
            ).action_apply_inventory()

        self.env_run(count)

    # ------------------------------------------------------------------ the run
    def run(self):
        args = self.args
        faults = self.sandbox.faults
        faults.reseed(args.seed)
        faults.throttle_ratio = args.throttle
        faults.error_5xx_ratio = args.errors
        faults.latency_ms = args.latency_ms
        self.server = OdooServer(self.database)
        started = time.monotonic()
        self.server.start()
        say(f"Odoo up on {self.database.base_url} ({args.workers} workers, runner channels {CHANNELS})")
        loader = threading.Thread(target=self.load, args=(started,), name="soak-load")
        loader.start()
        time.sleep(max(0.0, started + args.load_seconds * args.kill_at - time.monotonic()))
        # the kill must hit jobs in the middle of their transaction: wait (a little) for one to run
        deadline = time.monotonic() + 20
        while not self.count_jobs("started") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.figures["jobs_killed"] = self.count_jobs("started")
        self.figures["jobs_enqueued_at_kill"] = self.count_jobs("enqueued")
        self.server.kill()
        say(
            f"SIGKILL to Odoo's process group: {self.figures['jobs_killed']} jobs were started, "
            f"{self.figures['jobs_enqueued_at_kill']} enqueued"
        )
        time.sleep(args.down_seconds)
        self.server.start()
        say("Odoo restarted; running the catch-up cron once")
        self.env_run(lambda env: env["retail.backend"]._cron_catch_up())
        loader.join()
        say(f"load done: {dict(self.figures)}; waiting for the webhooks and the queue to settle")
        settled = self.settle(started)
        if settled:
            say("settled; queueing the stock export of what changed, then settling again")
            self.env_run(lambda env: env["retail.backend"].browse(self.backend_id)._schedule_export("stock", delay=0))
            settled = self.settle(started)
        self.figures["settled"] = int(settled)
        return time.monotonic() - started

    def settle(self, started):
        """Wait until the shop has nothing left to deliver and no job is open; False on timeout."""
        deadline = started + self.args.settle_timeout
        quiet = 0
        while time.monotonic() < deadline:
            self.sandbox.webhooks.flush(timeout=5)
            open_jobs = self.count_jobs(*OPEN_JOB_STATES)
            waiting_events = self.sql(
                "SELECT count(*) FROM retail_webhook_event WHERE state IN ('received', 'queued')"
            )[0][0]
            if not open_jobs and not waiting_events and not self.sandbox.webhooks.pending():
                quiet += 1
                if quiet >= 2:
                    return True
            else:
                quiet = 0
            time.sleep(2)
        return False

    # ------------------------------------------------------------------ checks
    def check(self):
        from odoo.addons.retail_connector_shopify.sandbox.store import parse_time

        backend_id = self.backend_id
        statuses = set(
            self.sql("SELECT shopify_import_financial_statuses FROM retail_backend WHERE id = %s", (backend_id,))[0][
                0
            ].split(",")
        )
        with self.sandbox.lock:
            shop = [
                (str(order["id"]), order["name"], order["financial_status"].lower(), order["updated_at"])
                for order in self.sandbox.state["orders"]
            ]
        expected = {order_id: (name, updated) for order_id, name, status, updated in shop if status in statuses}
        bindings = {}
        for external_id, count, updated_at in self.sql(
            "SELECT external_id, count(*), max(external_updated_at) FROM shopify_order_binding"
            " WHERE backend_id = %s GROUP BY external_id",
            (backend_id,),
        ):
            bindings[external_id] = (count, updated_at)
        duplicate_bindings = sum(count - 1 for count, __ in bindings.values())
        duplicate_sales = sum(
            count - 1
            for (count,) in self.sql(
                "SELECT count(*) FROM sale_order WHERE origin LIKE 'Shopify %%' GROUP BY client_order_ref"
            )
        )
        unbound_sales = self.sql(
            "SELECT count(*) FROM sale_order s WHERE origin LIKE 'Shopify %%'"
            " AND NOT EXISTS (SELECT 1 FROM shopify_order_binding b WHERE b.odoo_id = s.id)"
        )[0][0]
        duplicate_invoices = sum(
            count - 1
            for (count,) in self.sql(
                "SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state != 'cancel'"
                " AND invoice_origin IN (SELECT name FROM sale_order WHERE origin LIKE 'Shopify %%')"
                " GROUP BY invoice_origin"
            )
        )
        duplicate_payments = sum(
            count - 1
            for (count,) in self.sql(
                "SELECT count(*) FROM shopify_payment_binding WHERE backend_id = %s GROUP BY external_id",
                (backend_id,),
            )
        )
        lost_orders = sorted(name for order_id, (name, __) in expected.items() if order_id not in bindings)
        stale_orders = sorted(
            name
            for order_id, (name, updated) in expected.items()
            if order_id in bindings
            and bindings[order_id][1] is not None
            and bindings[order_id][1] < parse_time(updated).replace(tzinfo=None)
        )
        unexpected = sorted(set(bindings) - set(expected))

        inbox = dict(
            self.sql("SELECT delivery_id, state FROM retail_webhook_event WHERE backend_id = %s", (backend_id,))
        )
        with self.sandbox.webhooks._condition:
            sent = {webhook_id: dict(record) for webhook_id, record in self.sandbox.webhooks.sent.items()}
        lost_webhooks = sorted(webhook_id for webhook_id in sent if webhook_id not in inbox)
        acked_but_lost = [webhook_id for webhook_id in lost_webhooks if sent[webhook_id]["acked"]]
        event_states = Counter(inbox.values())

        jobs = self.sql(
            "SELECT id, uuid, identity_key, state, method_name, exc_name, exc_message FROM queue_job ORDER BY id"
        )
        failed = [job for job in jobs if job[3] == "failed"]
        failed_without_retry = [
            job
            for job in failed
            if not job[2] or not any(later[2] == job[2] and later[0] > job[0] and later[3] == "done" for later in jobs)
        ]
        stuck = [job for job in jobs if job[3] in OPEN_JOB_STATES]
        job_retries = self.sql("SELECT coalesce(sum(retry), 0) FROM queue_job")[0][0]
        requeued_dead = sum(1 for line in self._log_lines() if "Re-queued dead job" in line)
        found_dead = sum(1 for job in failed if job[5] == "JobFoundDead")

        mismatches, levels = self.env_run(self._stock_mismatches)
        duplicate_customers = sum(
            count - 1
            for (count,) in self.sql(
                "SELECT count(*) FROM res_partner WHERE parent_id IS NULL AND email IS NOT NULL"
                " GROUP BY lower(email) HAVING count(*) > 1"
            )
        )
        exceptions = dict(
            self.sql(
                "SELECT type_code, count(*) FROM retail_exception WHERE state IN ('new', 'in_progress')"
                " GROUP BY type_code"
            )
        )
        # risky orders wait for a person by design; anything else open is a failure to look at
        failure_exceptions = sum(count for code, count in exceptions.items() if code != "shopify_risky_order")
        calls = Counter(call.get("status") for call in list(self.sandbox.calls))
        duplicates = duplicate_bindings + duplicate_sales + duplicate_invoices + duplicate_payments
        result = {
            "orders": len(expected) - len(lost_orders),
            "duplicates": duplicates,
            "lost": len(lost_orders) + len(lost_webhooks),
            "failed_jobs": len(failed),
            "shop_orders": len(shop),
            "expected_orders": len(expected),
            "lost_orders": len(lost_orders),
            "stale_orders": len(stale_orders),
            "unexpected_bindings": len(unexpected),
            "duplicate_sale_orders": duplicate_sales,
            "unbound_sale_orders": unbound_sales,
            "duplicate_invoices": duplicate_invoices,
            "duplicate_payments": duplicate_payments,
            "duplicate_customers": duplicate_customers,
            **self.sandbox.webhooks.summary(),
            "lost_webhooks": len(lost_webhooks),
            "acked_but_lost": len(acked_but_lost),
            "inbox_events": len(inbox),
            "unprocessed_events": event_states.get("received", 0) + event_states.get("queued", 0),
            "failed_events": event_states.get("failed", 0),
            "jobs": len(jobs),
            "job_retries": job_retries,
            "jobs_killed": self.figures["jobs_killed"],
            "requeued_dead": requeued_dead,
            "found_dead": found_dead,
            "failed_without_retry": len(failed_without_retry),
            "stuck_jobs": len(stuck),
            "catch_up_jobs": sum(1 for job in jobs if job[4] == "_catch_up_job"),
            "held_risky_orders": exceptions.get("shopify_risky_order", 0),
            "failure_exceptions": failure_exceptions,
            "stock_levels": levels,
            "stock_mismatches": len(mismatches),
            "graphql_calls": sum(calls.values()),
            "throttled": calls.get("throttled", 0),
            "http_5xx": calls.get("http_502", 0) + calls.get("http_503", 0),
            "settled": self.figures["settled"],
        }
        details = {
            "lost orders": lost_orders[:20],
            "stale orders": stale_orders[:20],
            "lost webhooks": [(w, sent[w]["topic"], sent[w]["statuses"]) for w in lost_webhooks[:10]],
            "failed jobs": [(job[4], job[5], (job[6] or "")[:200]) for job in failed[:10]],
            "stuck jobs": [(job[4], job[3]) for job in stuck[:10]],
            "stock mismatches": mismatches[:20],
            "open exceptions": exceptions,
            "failures": [
                f"{code}: {(message or '')[:200]}"
                for code, message in self.sql(
                    "SELECT type_code, message FROM retail_exception WHERE state IN ('new', 'in_progress')"
                    " AND type_code != 'shopify_risky_order' ORDER BY id LIMIT 5"
                )
            ],
            "load": dict(self.figures),
            "load errors": self.errors[:10],
        }
        return result, details

    def _stock_mismatches(self, env):
        backend = env["retail.backend"].browse(self.backend_id)
        bindings = env["shopify.product.binding"].search(
            [("backend_id", "=", backend.id), ("inventory_item_id", "!=", False)]
        )
        mismatches, levels = [], 0
        for location_map in backend.shopify_location_map_ids.filtered("export_stock"):
            quantities = env["shopify.stock.level"]._odoo_quantities(backend, bindings, location_map.location_id)
            for binding in bindings:
                levels += 1
                shop = self.sandbox.available(binding.inventory_item_id, location_map.shopify_location_id)
                odoo = quantities[binding.odoo_id.id]
                if shop != odoo:
                    mismatches.append(f"{binding.sku}@{location_map.name}: shop {shop}, Odoo {odoo}")
        return mismatches, levels

    def _log_lines(self):
        log = self.server.log if self.server else None
        if not log or not log.exists():
            return []
        return log.read_text(errors="replace").splitlines()

    def close(self):
        if self.server:
            self.server.stop()
        if self.sandbox:
            self.sandbox.stop()
        if self.database and not self.args.keep:
            self.database.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200, help="orders in the shop at the end (half made live)")
    parser.add_argument("--updates", type=int, default=None, help="order edits in the shop (default: orders / 2)")
    parser.add_argument("--stock-changes", type=int, default=None, help="default: orders / 5, half on each side")
    parser.add_argument("--products", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load-seconds", type=float, default=120.0)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the load window when Odoo is killed")
    parser.add_argument("--down-seconds", type=float, default=10.0)
    parser.add_argument(
        "--settle-timeout", type=float, default=None, help="seconds from Odoo's first start (default: 600 + 3 / order)"
    )
    parser.add_argument("--throttle", type=float, default=0.2)
    parser.add_argument("--errors", type=float, default=0.05, help="ratio of HTTP 502/503 answers")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--duplicate", type=float, default=0.3, help="ratio of webhooks sent more than once")
    parser.add_argument("--reorder", type=float, default=0.2, help="ratio of webhooks held back a little")
    parser.add_argument("--delay", type=float, default=0.1, help="ratio of webhooks delayed up to --max-delay")
    parser.add_argument("--max-delay", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database and Odoo's log")
    args = parser.parse_args()
    args.updates = args.orders // 2 if args.updates is None else args.updates
    args.stock_changes = args.orders // 5 if args.stock_changes is None else args.stock_changes
    args.settle_timeout = 600 + 3 * args.orders if args.settle_timeout is None else args.settle_timeout

    began = time.monotonic()
    soak = Soak(args)
    try:
        soak.set_up()
        seconds = soak.run()
        result, details = soak.check()
        if args.keep:
            say(f"kept: database {soak.database.db}, Odoo log {soak.server.log}")
    finally:
        soak.close()
    for key, value in details.items():
        if value:
            say(f"{key}: {value}")
    broken = (
        result["duplicates"]
        or result["lost"]
        or result["stale_orders"]
        or result["unprocessed_events"]
        or result["failed_without_retry"]
        or result["stuck_jobs"]
        or result["stock_mismatches"]
        or result["failure_exceptions"]
        or not result["settled"]
    )
    headline = ("orders", "duplicates", "lost", "failed_jobs")
    figures = " ".join(f"{key}={result[key]}" for key in headline)
    extra = " ".join(f"{key}={value}" for key, value in result.items() if key not in headline)
    print(
        f"BENCH soak {figures} minutes={seconds / 60:.1f} {extra} workers={args.workers} "
        f"total_minutes={(time.monotonic() - began) / 60:.1f}"
    )
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
