"""Shopify Admin GraphQL client: one POST per call, cost-aware, never sleeping.

Every request goes through the base ``transport.request_json`` and every
failure is classified by the base ``retry`` module, so the job layer decides
what a throttle or an outage means. Before sending, the requested cost is
computed locally (``lib/cost``): a query over ``max_cost`` is refused, and a
query the last known bucket cannot pay raises ``ThrottledError`` at once
(no request, no sleep) with the wait Shopify would impose.
"""

import json
import logging
import re
import threading
import time
from contextlib import contextmanager

import requests

from odoo.addons.retail_connector_base.lib import transport
from odoo.addons.retail_connector_base.lib.read_ahead import Prefetcher
from odoo.addons.retail_connector_base.lib.retry import (
    ChannelError,
    PermanentError,
    ThrottledError,
    classify_graphql,
    classify_user_errors,
    throttle_wait,
)

from . import cost, documents
from .versions import DEFAULT_VERSION, check_version

_logger = logging.getLogger(__name__)

#: Shopify's cap on the requested cost of one query, and on first/last
MAX_QUERY_COST = 1000
MAX_PAGE_SIZE = 250
#: reads made ahead at once (a page's refunds, shipped orders' fulfilments): each waits
#: a round trip; the bucket's points are reserved per call, so they never overdraw it
PREFETCH_THREADS = 4
_NAME_RE = re.compile(r"^[A-Za-z_]\w*$")
_OPERATION_RE = re.compile(r"^\s*(?:query|mutation)\s+([A-Za-z_]\w*)", re.MULTILINE)


class ShopifyClient:
    """GraphQL Admin API client for one shop (one ``requests.Session``)."""

    def __init__(
        self,
        shop_domain,
        access_token,
        api_version=DEFAULT_VERSION,
        base_url=None,
        timeout=30,
        session=None,
        max_cost=MAX_QUERY_COST,
    ):
        self.shop_domain = shop_domain
        self.api_version = check_version(api_version)
        root = (base_url or f"https://{shop_domain}").rstrip("/")
        self.endpoint = f"{root}/admin/api/{api_version}/graphql.json"
        self.timeout = timeout
        self.max_cost = max_cost
        self.session = session or requests.Session()
        self._token = access_token or ""
        # per-call statistics
        self.call_count = 0
        self.cost_spent = 0
        self.last_cost = None
        self.throttle_status = None
        self._throttle_seen_at = None
        self._page_sizes = {}
        # A catch-up reads its next page in a background thread (retail_connector_base
        # read_ahead) while the importer calls Shopify too: the bucket is shared.
        self._lock = threading.Lock()
        self._in_flight = 0
        self._prefetcher = None  # see prefetching()

    def __repr__(self):  # never show the token
        return f"<ShopifyClient {self.shop_domain} {self.api_version}>"

    # ------------------------------------------------------------ documents

    @staticmethod
    def document(name_or_text):
        """Complete document text for a document name or a literal document."""
        if _NAME_RE.match(name_or_text or ""):
            return documents.load(name_or_text)
        return documents.with_fragments(name_or_text)

    def requested_cost(self, name_or_text, variables=None):
        return cost.requested_cost(self.document(name_or_text), variables)

    # ------------------------------------------------------------ throttling

    def available_points(self):
        """Points the bucket holds now by the last throttleStatus (None if unknown)."""
        status = self.throttle_status
        if not status or status.get("currentlyAvailable") is None:
            return None
        elapsed = time.monotonic() - self._throttle_seen_at
        restored = float(status["currentlyAvailable"]) + elapsed * float(status.get("restoreRate") or 0)
        maximum = status.get("maximumAvailable")
        return min(restored, float(maximum)) if maximum is not None else restored

    def _check_bucket(self, requested, operation):
        available = self.available_points()
        if available is not None:
            available -= self._in_flight  # spent by calls not answered yet
        if available is None or available >= requested:
            return
        restore_rate = (self.throttle_status or {}).get("restoreRate") or 0
        wait = throttle_wait(requested, available, restore_rate)
        raise ThrottledError(
            f"Shopify bucket too low for {operation or 'query'}: needs {requested} points, "
            f"{available:.0f} available (retry in {wait:.1f} s)",
            retry_after=wait,
            details={"requestedQueryCost": requested, "throttleStatus": dict(self.throttle_status)},
        )

    @contextmanager
    def _reserve(self, requested, operation):
        """Hold ``requested`` points of the bucket for one call until it is answered."""
        with self._lock:
            self._check_bucket(requested, operation)
            self._in_flight += requested
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= requested

    def _record(self, payload, requested):
        cost_info = ((payload or {}).get("extensions") or {}).get("cost")
        if not isinstance(cost_info, dict):
            return
        self.last_cost = cost_info
        actual = cost_info.get("actualQueryCost")
        if actual is not None:
            self.cost_spent += int(actual)
        status = cost_info.get("throttleStatus")
        if isinstance(status, dict):
            self.throttle_status = dict(status)
            self._throttle_seen_at = time.monotonic()

    def stats(self):
        return {
            "call_count": self.call_count,
            "cost_spent": self.cost_spent,
            "last_cost": self.last_cost,
            "throttle_status": self.throttle_status,
        }

    # ------------------------------------------------------------ calls

    def _scrub(self, error):
        """Make sure the access token never travels in an error message."""
        if self._token and self._token in str(error):
            error.args = tuple(str(arg).replace(self._token, "***") for arg in error.args)
        return error

    def execute(self, name_or_text, variables=None, operation_name=None):
        """Run a query or mutation and return its ``data``."""
        text = self.document(name_or_text)
        variables = dict(variables or {})
        if operation_name is None:
            match = _OPERATION_RE.search(text)
            operation_name = match.group(1) if match else None
        requested = cost.requested_cost(text, variables, operation_name)
        label = operation_name or name_or_text[:40]
        if requested > self.max_cost:
            raise PermanentError(
                f"Shopify query {label} would cost {requested} points (limit {self.max_cost}); "
                "request fewer objects per page"
            )
        with self._reserve(requested, label):
            try:
                _response, payload = transport.request_json(
                    "POST",
                    self.endpoint,
                    session=self.session,
                    timeout=self.timeout,
                    json={"query": text, "variables": variables, "operationName": operation_name},
                    headers={"X-Shopify-Access-Token": self._token, "Accept": "application/json"},
                )
            except ChannelError as error:
                with self._lock:
                    self.call_count += 1
                raise self._scrub(error) from None
            with self._lock:
                self.call_count += 1
                self._record(payload, requested)
        _logger.debug(
            "Shopify %s: requested %s, actual %s points",
            label,
            requested,
            (self.last_cost or {}).get("actualQueryCost"),
        )
        if not isinstance(payload, dict):
            raise PermanentError(f"Shopify answered {label} without a JSON object")
        error = classify_graphql(payload)
        if error:
            raise self._scrub(error)
        data = payload.get("data")
        if data is None:
            raise PermanentError(f"Shopify answered {label} without data")
        return data

    @contextmanager
    def prefetching(self):
        """Within this block, :meth:`prefetch` starts reads in a background thread
        and :meth:`execute_prefetched` takes their answers (see ``Prefetcher``)."""
        self._prefetcher = Prefetcher(workers=PREFETCH_THREADS)
        try:
            yield self
        finally:
            prefetcher, self._prefetcher = self._prefetcher, None
            prefetcher.close()

    def prefetch(self, name, variables=None):
        """Start ``execute(name, variables)`` now, for a later :meth:`execute_prefetched` of the same call."""
        if self._prefetcher is not None:
            self._prefetcher.submit(_call_key(name, variables), self.execute, name, variables)

    def execute_prefetched(self, name, variables=None):
        """``execute(name, variables)``, answered by a :meth:`prefetch` of that call when one was started."""
        if self._prefetcher is None:
            return self.execute(name, variables)
        return self._prefetcher.take(_call_key(name, variables), self.execute, name, variables)

    def mutate(self, name, variables, payload_key):
        """Run a mutation; return its payload, raising ``UserInputError`` on userErrors."""
        data = self.execute(name, variables)
        payload = data.get(payload_key)
        if not isinstance(payload, dict):
            raise PermanentError(f"Shopify mutation {name} returned no {payload_key!r} payload")
        error = classify_user_errors(payload.get("userErrors") or payload.get("orderCancelUserErrors"))
        if error:
            raise error
        return payload

    # ------------------------------------------------------------ pagination

    def page_size(self, name_or_text, variables=None, limit=MAX_PAGE_SIZE):
        """Largest ``first`` ≤ ``limit`` whose requested cost fits ``max_cost``."""
        variables = dict(variables or {})
        key = (name_or_text, json.dumps(variables, sort_keys=True, default=str), limit, self.max_cost)
        if key in self._page_sizes:
            return self._page_sizes[key]
        text = self.document(name_or_text)

        def fits(size):
            return cost.requested_cost(text, {**variables, "first": size}) <= self.max_cost

        low, high = 0, min(limit, MAX_PAGE_SIZE)
        while low < high:  # cost grows with first: binary search
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        if low < 1:
            raise PermanentError(f"Even one object per page of {name_or_text[:40]} exceeds {self.max_cost} points")
        self._page_sizes[key] = low
        return low

    def paginate(self, name, variables=None, path=()):
        """Yield ``(nodes, pageInfo)`` per page of the connection at ``path`` in ``data``.

        ``path`` is a sequence of keys (or a dotted string), e.g. ``("orders",)``
        or ``"location.inventoryLevels"``. A ``first`` in ``variables`` caps the page size.
        """
        keys = path.split(".") if isinstance(path, str) else list(path)
        variables = dict(variables or {})
        size = self.page_size(
            name, {k: v for k, v in variables.items() if k != "after"}, variables.get("first") or MAX_PAGE_SIZE
        )
        variables["first"] = size
        seen = set()
        while True:
            data = self.execute(name, variables)
            connection = data
            for key in keys:
                connection = connection.get(key) if isinstance(connection, dict) else None
                if connection is None:
                    raise PermanentError(f"Shopify returned no {'.'.join(keys)} for {name}")
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [edge.get("node") for edge in connection.get("edges") or []]
            page_info = connection.get("pageInfo") or {}
            yield nodes, page_info
            cursor = page_info.get("endCursor")
            if not page_info.get("hasNextPage") or not cursor:
                return
            if cursor in seen:  # would loop for ever
                raise PermanentError(f"Shopify returned the cursor {cursor!r} twice while paging {name}")
            seen.add(cursor)
            variables["after"] = cursor

    def pages(self, name, variables=None, path=()):
        """``(nodes, cursor of the next page)`` per page, the cursor None on the last
        page, for :func:`retail_connector_base.lib.retry.catch_up`."""
        for nodes, page_info in self.paginate(name, variables, path):
            yield nodes, page_info.get("endCursor") if page_info.get("hasNextPage") else None

    def iter_nodes(self, name, variables=None, path=()):
        """Every node of every page (see :meth:`paginate`)."""
        for nodes, _page_info in self.paginate(name, variables, path):
            yield from nodes


def _call_key(name, variables):
    return name, json.dumps(variables or {}, sort_keys=True, default=str)
