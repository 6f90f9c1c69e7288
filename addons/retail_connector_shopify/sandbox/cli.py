"""Command line: ``python3 scripts/shopify_sandbox.py --port 8765 --orders 200 --seed 7``."""

import argparse
import json
import signal
import threading
from pathlib import Path

from .generator import generate_store
from .server import Sandbox


def build_parser():
    parser = argparse.ArgumentParser(description="Shopify Admin GraphQL sandbox on 127.0.0.1")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"], help="only 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--returns", type=int, default=0, help="returns on the fulfilled orders (full, partial, damaged, exchanges)"
    )
    parser.add_argument("--state", help="JSON state file: loaded when present, saved on change and on exit")
    parser.add_argument("--token", default="shpat_sandbox")
    parser.add_argument(
        "--app-credentials",
        metavar="CLIENT_ID:CLIENT_SECRET",
        help="act as a Dev Dashboard app too: POST /admin/oauth/access_token issues 24-hour tokens",
    )
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret", default="")
    parser.add_argument("--throttle", type=float, default=0.0, help="ratio of requests answered THROTTLED")
    parser.add_argument("--errors", type=float, default=0.0, help="ratio of HTTP 502/503 answers")
    parser.add_argument("--errors-429", type=float, default=0.0, help="ratio of HTTP 429 answers")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--restore-rate", type=float, default=50.0)
    parser.add_argument("--bucket-size", type=float, default=1000.0)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    state = None
    if args.state and Path(args.state).is_file():
        state = json.loads(Path(args.state).read_text())
    if state is None:
        state = generate_store(orders=args.orders, products=args.products, seed=args.seed, returns=args.returns)
    sandbox = Sandbox(
        state,
        access_token=args.token,
        bucket_size=args.bucket_size,
        restore_rate=args.restore_rate,
        host=args.host,
        port=args.port,
        state_file=args.state,
        seed=args.seed,
        app_credentials=tuple(args.app_credentials.split(":", 1)) if args.app_credentials else None,
    )
    sandbox.faults.throttle_ratio = args.throttle
    sandbox.faults.error_5xx_ratio = args.errors
    sandbox.faults.error_429_ratio = args.errors_429
    sandbox.faults.latency_ms = args.latency_ms
    if args.webhook_url:
        sandbox.webhook_target(args.webhook_url, args.webhook_secret)
    sandbox.start()
    sandbox.save()
    # A command-line tool talks to its user on stdout.
    # pylint: disable=print-used
    print(f"Shopify sandbox: {sandbox.url}  (GraphQL: {sandbox.graphql_url()})", flush=True)
    print(f"Access token: {args.token}  shop: {sandbox.shop_domain}", flush=True)
    returns = sum(len(order.get("returns") or []) for order in state["orders"])
    print(
        f"{len(state['orders'])} orders, {len(state['products'])} products, {returns} returns. Ctrl-C to stop.",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        stop.set()
    finally:
        sandbox.stop()
    return 0
