"""Webhook deliveries the way Shopify makes them (headers, HMAC, retries' ids).

A delivery is POSTed with ``requests``: the raw JSON body signed with the
shop's webhook secret (base64 HMAC-SHA256, the base's ``compute_signature``).
A duplicate emission reuses X-Shopify-Webhook-Id (Shopify keeps it across
retries of one delivery); X-Shopify-Event-Id is the same for every delivery of
one event. Delayed and asynchronous sends run on one background thread, in
order, and :meth:`Webhooks.flush` waits for them (bounded).
"""

import json
import queue
import random
import threading
import time
import uuid
from datetime import datetime, timezone

import requests

from odoo.addons.retail_connector_base.lib.signature import compute_signature

MAX_DELAY = 30.0
MAX_PENDING = 1000
SEND_TIMEOUT = 10


class Webhooks:
    def __init__(self, shop_domain, api_version="2026-07", seed=0):
        self.shop_domain = shop_domain
        self.api_version = api_version
        self.url = None
        self.secret = None
        self.deliveries = []
        self._rng = random.Random(seed)
        self._queue = queue.Queue()
        self._pending = 0
        self._pending_lock = threading.Condition()
        self._thread = None
        self._stopped = False

    def target(self, url, secret):
        self.url, self.secret = url, secret

    # ------------------------------------------------------------------
    def prepare(self, topic, body):
        """One delivery (not sent yet): its raw body and headers."""
        raw = json.dumps(body, separators=(",", ":"), default=str).encode()
        return {
            "topic": topic,
            "body": body,
            "raw": raw,
            "webhook_id": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "triggered_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }

    def headers(self, delivery):
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": delivery["topic"],
            "X-Shopify-Hmac-Sha256": compute_signature(self.secret or "", delivery["raw"]),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Webhook-Id": delivery["webhook_id"],
            "X-Shopify-Event-Id": delivery["event_id"],
            "X-Shopify-Triggered-At": delivery["triggered_at"],
            "X-Shopify-API-Version": self.api_version,
        }

    def send(self, delivery):
        """POST one delivery now; returns a record of what happened."""
        record = {
            "topic": delivery["topic"],
            "webhook_id": delivery["webhook_id"],
            "event_id": delivery["event_id"],
            "body": delivery["body"],
            "status_code": None,
            "error": None,
        }
        if not self.url:
            record["error"] = "no webhook target"
        else:
            try:
                response = requests.post(
                    self.url, data=delivery["raw"], headers=self.headers(delivery), timeout=SEND_TIMEOUT
                )
                record["status_code"] = response.status_code
            except requests.RequestException as error:
                record["error"] = str(error)
        self.deliveries.append(record)
        return record

    def emit(self, events, duplicate=0, reorder=False, delay=0):
        """Deliver [(topic, body)]: each ``1 + duplicate`` times, optionally shuffled and/or later.

        Returns the records of what was sent now (an empty list when delayed).
        """
        batch = []
        for topic, body in events:
            delivery = self.prepare(topic, body)
            batch.extend([delivery] * (1 + max(int(duplicate), 0)))
        if reorder:
            self._rng.shuffle(batch)
        if delay:
            self.later(batch, min(float(delay), MAX_DELAY))
            return []
        return [self.send(delivery) for delivery in batch]

    # ------------------------------------------------------------------ background
    def later(self, batch, delay=0.0):
        """Send ``batch`` from the background thread after ``delay`` seconds."""
        if not batch:
            return
        with self._pending_lock:
            if self._pending >= MAX_PENDING:
                return  # bounded: a runaway producer drops deliveries, like an unreachable endpoint
            self._pending += 1
        self._ensure_thread()
        self._queue.put((time.monotonic() + delay, batch))

    def _ensure_thread(self):
        if self._thread is None or not self._thread.is_alive():
            self._stopped = False
            self._thread = threading.Thread(target=self._run, name="shopify-sandbox-webhooks", daemon=True)
            self._thread.start()

    def _run(self):
        while not self._stopped:
            try:
                due, batch = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, MAX_DELAY))
            try:
                for delivery in batch:
                    self.send(delivery)
            finally:
                with self._pending_lock:
                    self._pending -= 1
                    self._pending_lock.notify_all()

    def flush(self, timeout=10.0):
        """Wait until every delayed/asynchronous delivery went out; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._pending_lock:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._pending_lock.wait(left)
        return True

    def stop(self):
        self.flush(timeout=2.0)
        self._stopped = True
