"""Benchmark: how fast the webhook inbox answers, and that it stores each delivery once.

Creates a throwaway database with retail_connector_base and the test channel,
starts Odoo on a free 127.0.0.1 port, posts signed webhooks from a thread pool
(each delivery once, then a batch of repeats), and drops the database.

    python3 bench/webhook_inbox.py [--requests 2000] [--concurrency 8] [--workers 2]

Last line: BENCH webhook_inbox requests=... p50_ms=... p95_ms=... rps=... stored=... duplicates_stored=...
"""

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import ROOT, Throwaway, percentile

sys.path.insert(0, str(ROOT / "addons" / "retail_connector_base"))
from lib.signature import compute_signature

SECRET = "bench-secret"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    database = Throwaway(workers=args.workers)
    try:
        database.install("retail_connector_base,test_retail_connector")
        # A backend of the test channel, active, with a known secret (no job runner: we measure the inbox).
        backend_id = database.sql(
            "INSERT INTO retail_backend (name, channel, state, company_id, webhook_secret, active, sequence)"
            " VALUES ('Bench Shop', 'test', 'active', 1, %s, true, 10) RETURNING id",
            (SECRET,),
        )[0][0]
        database.serve()
        url = f"{database.base_url}/retail/webhook/test/{backend_id}"

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
        stored = database.sql("SELECT count(*) FROM retail_webhook_event WHERE backend_id = %s", (backend_id,))[0][0]
        distinct = database.sql(
            "SELECT count(DISTINCT delivery_id) FROM retail_webhook_event WHERE backend_id = %s", (backend_id,)
        )[0][0]
        p95 = percentile(latencies, 0.95)
        print(
            f"BENCH webhook_inbox requests={args.requests} repeats={repeats} concurrency={args.concurrency} "
            f"workers={args.workers} ok={ok} p50_ms={statistics.median(latencies):.1f} p95_ms={p95:.1f} "
            f"rps={args.requests / wall:.0f} stored={stored} duplicates_stored={stored - distinct}"
        )
    finally:
        database.close()


if __name__ == "__main__":
    main()
