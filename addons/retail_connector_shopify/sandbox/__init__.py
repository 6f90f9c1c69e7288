"""A Shopify Admin API stand-in on 127.0.0.1 for tests, benchmarks and demos (plain Python, no ORM)."""

from .generator import generate_store, order_totals
from .server import Sandbox
from .cli import main
