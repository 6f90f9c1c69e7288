"""Benchmark: how fast the webhook inbox answers, and that it stores each delivery once.

Creates a throwaway database with retail_connector_base and the test channel,
starts Odoo on a free 127.0.0.1 port, posts signed webhooks from a thread pool
(each delivery once, then a batch of repeats), and drops the database.

    python3 bench/webhook_inbox.py [--requests 2000] [--concurrency 8] [--workers 2]

Last line: BENCH webhook_inbox requests=... p50_ms=... p95_ms=... rps=... stored=... duplicates_stored=...
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "addons" / "retail_connector_base"))
from lib.signature import compute_signature  # noqa: E402

SECRET = "bench-secret"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_conf(path, db, port, workers):
    import odoo.addons

    addons = [p for p in odoo.addons.__path__ if os.path.isdir(p)]
    addons += [str(ROOT / "addons"), str(ROOT / "tests" / "addons")]
    path.write_text(
        "[options]\n"
        f"addons_path = {','.join(addons)}\n"
        f"db_name = {db}\ndbfilter = ^{db}$\nhttp_interface = 127.0.0.1\nhttp_port = {port}\n"
        f"workers = {workers}\nmax_cron_threads = 0\nlist_db = False\nlog_level = warn\n"
    )


def sql(db, query, params=()):
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    db = f"retail_bench_{os.getpid()}"
    port = free_port()
    work = Path(tempfile.mkdtemp())
    conf = work / "odoo.conf"
    odoo_conf(conf, db, port, args.workers)
    # The console script, not "-m odoo": with workers, Odoo re-executes argv[0] for its gevent process.
    script = Path(sys.executable).parent / "odoo"
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "odoo"]
    odoo = [*launcher, "server", "-c", str(conf), "-d", db]
    server = None
    try:
        subprocess.run([*odoo, "-i", "retail_connector_base,test_retail_connector", "--stop-after-init"], check=True)
        # A backend of the test channel, active, with a known secret (no job runner: we measure the inbox).
        backend_id = sql(
            db,
            "INSERT INTO retail_backend (name, channel, state, company_id, webhook_secret, active, sequence)"
            " VALUES ('Bench Shop', 'test', 'active', 1, %s, true, 10) RETURNING id",
            (SECRET,),
        )[0][0]
        server = subprocess.Popen([*odoo, "--logfile", str(work / "odoo.log")])
        url = f"http://127.0.0.1:{port}/retail/webhook/test/{backend_id}"
        for _ in range(120):
            try:
                requests.get(f"http://127.0.0.1:{port}/web/health", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.5)

        session = requests.Session()

        def post(index):
            body = json.dumps({"id": index, "name": f"Customer {index}", "updated_at": "2026-11-22 10:00:00"}).encode()
            headers = {
                "X-Test-Hmac-Sha256": compute_signature(SECRET, body),
                "X-Test-Topic": "partners/update",
                "X-Test-Webhook-Id": f"bench-{index}",
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            return response.status_code, elapsed

        post(-1)  # warm-up (routing map, registry)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(post, range(args.requests)))
        wall = time.perf_counter() - started
        repeats = max(1, args.requests // 10)
        with ThreadPoolExecutor(args.concurrency) as pool:
            repeat_results = list(pool.map(post, range(repeats)))

        latencies = sorted(ms for __, ms in results)
        ok = sum(1 for status, __ in results + repeat_results if status == 200)
        stored = sql(db, "SELECT count(*) FROM retail_webhook_event WHERE backend_id = %s", (backend_id,))[0][0]
        distinct = sql(
            db, "SELECT count(DISTINCT delivery_id) FROM retail_webhook_event WHERE backend_id = %s", (backend_id,)
        )[0][0]
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"BENCH webhook_inbox requests={args.requests} repeats={repeats} concurrency={args.concurrency} "
            f"workers={args.workers} ok={ok} p50_ms={statistics.median(latencies):.1f} p95_ms={p95:.1f} "
            f"rps={args.requests / wall:.0f} stored={stored} duplicates_stored={stored - distinct}"
        )
    finally:
        if server:
            server.terminate()
            server.wait(30)
        subprocess.run([*launcher, "db", "--config", str(conf), "drop", db], check=False, capture_output=True)
        subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)


if __name__ == "__main__":
    main()
