"""Benchmark: how fast Odoo acknowledges Shopify webhooks, and that each delivery is stored once.

Creates a throwaway database with the Shopify connector, an active Shopify
backend with a webhook secret, starts Odoo with workers on a free 127.0.0.1
port, then posts Shopify-signed ``orders/updated`` deliveries (bodies rendered
by the sandbox's REST renderer, headers as Shopify sends them), one connection
each, from one asyncio loop sending pre-built requests (so that the load
generator takes little of the 2 cores it shares with Odoo): one round at 10
concurrent clients, one at 200. In each round a third of the deliveries repeat
an earlier delivery (same X-Shopify-Webhook-Id and body, as Shopify retries),
some of them while the original is still in flight. No job runner: this
measures the acknowledgement (verify, dedupe, store, make sure the inbox job is
pending), not the processing. The database is dropped afterwards.

    python3 bench/webhook_ack.py [--deliveries 2000] [--concurrency 10,200] [--workers 2]

Last line: BENCH webhook_ack deliveries=... c10_acks_per_s=... c10_p50_ms=... c10_p95_ms=... c200_... stored=...
distinct_deliveries=... duplicates_created=...
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _odoo import ROOT, Throwaway, percentile
from _shopify_common import SHOP_DOMAIN, WEBHOOK_SECRET, shopify, start_sandbox

sys.path.insert(0, str(ROOT / "addons" / "retail_connector_base"))
from lib.signature import compute_signature

API_VERSION = "2026-07"
TOPIC = "orders/updated"
RETRIES = 3


def build_deliveries(bodies, count, prefix, seed):
    """``count`` deliveries; one in three repeats an earlier one (same id, same bytes)."""
    rng = random.Random(seed)
    deliveries = []
    for index in range(count):
        if index % 3 == 2:
            deliveries.append(deliveries[rng.randrange(len(deliveries))])
            continue
        body = dict(bodies[index % len(bodies)])
        body["updated_at"] = datetime.now(UTC).replace(microsecond=0).isoformat()
        body["note"] = f"update {prefix}-{index}"
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": TOPIC,
            "X-Shopify-Hmac-Sha256": compute_signature(WEBHOOK_SECRET, raw),
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-Webhook-Id": str(uuid.UUID(int=rng.getrandbits(128))),
            "X-Shopify-Event-Id": str(uuid.UUID(int=rng.getrandbits(128))),
            "X-Shopify-Triggered-At": body["updated_at"],
            "X-Shopify-API-Version": API_VERSION,
        }
        deliveries.append((headers, raw))
    return deliveries


def encode_request(url, headers, raw):
    """The exact bytes of one POST, built before the clock starts (one connection per delivery, as Shopify)."""
    parts = urlsplit(url)
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(raw)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + raw


async def _post(host, port, request_bytes):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request_bytes)
        status_line = await reader.readline()
        await reader.read()  # until Odoo closes the connection: the whole answer was received
        return int(status_line.split()[1])
    finally:
        writer.close()


def run_round(url, deliveries, concurrency):
    """``concurrency`` clients, each posting its next delivery as soon as the previous one is answered.

    The load generator is one asyncio loop sending pre-built requests, so that
    on a 2-core machine it takes as little CPU as possible from the server it measures."""
    parts = urlsplit(url)
    requests_bytes = [encode_request(url, headers, raw) for headers, raw in deliveries]
    results = [None] * len(requests_bytes)

    async def client(queue):
        while True:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            # A reset connection is retried (Shopify retries too); the time of the retries counts.
            for attempt in range(RETRIES + 1):  # noqa: B007 (kept for the result)
                try:
                    status = await asyncio.wait_for(_post(parts.hostname, parts.port, requests_bytes[index]), 60)
                    break
                except (OSError, asyncio.TimeoutError, IndexError, ValueError):
                    status = None
            results[index] = (status, (time.perf_counter() - started) * 1000, attempt)

    async def run_all():
        queue = asyncio.Queue()
        for index in range(len(requests_bytes)):
            queue.put_nowait(index)
        await asyncio.gather(*(client(queue) for __ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(run_all())
    wall = time.perf_counter() - started
    latencies = sorted(ms for __, ms, __ in results)
    acks = sum(1 for status, __, __ in results if status == 200)
    return {
        "retried": sum(1 for __, __, attempts in results if attempts),
        "acks_per_s": acks / wall,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "errors": len(results) - acks,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000, help="per round, repeats included")
    parser.add_argument("--concurrency", default="10,200", help="one round per value")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--orders", type=int, default=200, help="distinct sandbox orders the bodies come from")
    args = parser.parse_args()
    levels = [int(value) for value in args.concurrency.split(",")]

    shopify()
    sandbox = start_sandbox(orders=args.orders, products=20, seed=11)
    database = Throwaway(workers=args.workers)
    try:
        with sandbox.lock:
            order_ids = [order["id"] for order in sandbox.state["orders"]]
        bodies = [sandbox.rest_order(order_id) for order_id in order_ids]
        database.install("retail_connector_shopify")
        backend_id = database.sql(
            "INSERT INTO retail_backend (name, channel, state, company_id, webhook_secret, active, sequence,"
            " shopify_shop_domain) VALUES ('Bench Shop', 'shopify', 'active', 1, %s, true, 10, %s) RETURNING id",
            (WEBHOOK_SECRET, SHOP_DOMAIN),
        )[0][0]
        database.serve()
        url = f"{database.base_url}/retail/webhook/shopify/{backend_id}"
        # every worker builds its routing map and caches on its first requests: not what is measured
        warm_up = build_deliveries(bodies, 20 * args.workers, "warm-up", 0)
        run_round(url, warm_up, min(args.workers, 10))
        figures, sent = [], {headers["X-Shopify-Webhook-Id"] for headers, __ in warm_up}
        for level in levels:
            deliveries = build_deliveries(bodies, args.deliveries, f"c{level}", level)
            sent.update(headers["X-Shopify-Webhook-Id"] for headers, __ in deliveries)
            result = run_round(url, deliveries, level)
            figures.append(
                f"c{level}_acks_per_s={result['acks_per_s']:.0f} c{level}_p50_ms={result['p50_ms']:.1f} "
                f"c{level}_p95_ms={result['p95_ms']:.1f} c{level}_errors={result['errors']} "
                f"c{level}_retried={result['retried']}"
            )
        stored, distinct = database.sql(
            "SELECT count(*), count(DISTINCT delivery_id) FROM retail_webhook_event WHERE backend_id = %s",
            (backend_id,),
        )[0]
        print(
            f"BENCH webhook_ack deliveries={args.deliveries} repeats_per_round={args.deliveries // 3} "
            f"workers={args.workers} {' '.join(figures)} stored={stored} distinct_deliveries={len(sent)} "
            f"duplicates_created={stored - distinct}"
        )
    finally:
        database.close()
        sandbox.stop()


if __name__ == "__main__":
    main()
