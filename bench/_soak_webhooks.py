"""The soak benchmark's webhook sender: the sandbox's deliveries sent the way Shopify sends them
when things go wrong (duplicated, reordered, delayed, retried until acknowledged).

Not a benchmark itself (the leading underscore keeps it apart).

:class:`SoakWebhooks` replaces a running sandbox's ``webhooks`` object: the sandbox's own code
(``create_order``, ``update_order``, ``set_inventory``, the echo of ``inventorySetQuantities``) keeps
calling ``emit`` / ``later``, and every delivery goes through one scheduler served by a few sender
threads, like Shopify's concurrent senders:

- a delivery is repeated (same ``X-Shopify-Webhook-Id``, same bytes) with ``duplicate_ratio``;
- it is held back a little with ``reorder_ratio`` (later events overtake it) and a lot with
  ``delay_ratio`` (up to ``max_delay`` seconds);
- anything but an HTTP 200 within ``timeout`` seconds (Shopify: 5 s) is retried with a growing
  delay, up to ``max_attempts`` times, with the same webhook id, as Shopify does.

Every delivery prepared is remembered by webhook id with its outcome, so the benchmark can
compare what Shopify sent with what Odoo's inbox holds.
"""

import heapq
import itertools
import random
import threading
import time
from collections import Counter

import requests

from odoo.addons.retail_connector_shopify.sandbox.webhooks import Webhooks

#: seconds between attempts of one delivery: 1, 2, 4, 8, then every 15 s
RETRY_DELAYS = (1, 2, 4, 8, 15)


class SoakWebhooks(Webhooks):
    def __init__(
        self,
        shop_domain,
        api_version,
        seed=0,
        duplicate_ratio=0.0,
        reorder_ratio=0.0,
        delay_ratio=0.0,
        max_delay=20.0,
        senders=4,
        timeout=5.0,
        max_attempts=20,
    ):
        super().__init__(shop_domain, api_version, seed)
        self.duplicate_ratio = duplicate_ratio
        self.reorder_ratio = reorder_ratio
        self.delay_ratio = delay_ratio
        self.max_delay = max_delay
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.rng = random.Random(f"soak-webhooks-{seed}")
        #: webhook id -> {"topic", "attempts", "acked", "statuses", "gave_up"}
        self.sent = {}
        self.copies = 0
        self.retries = 0
        self._heap = []
        self._order = itertools.count()
        self._busy = 0
        self._condition = threading.Condition()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"soak-webhook-sender-{index}", daemon=True)
            for index in range(senders)
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ what the sandbox calls
    def prepare(self, topic, body):
        delivery = super().prepare(topic, body)
        with self._condition:
            self.sent[delivery["webhook_id"]] = {
                "topic": topic,
                "attempts": 0,
                "acked": False,
                "statuses": [],
                "gave_up": False,
            }
        return delivery

    def emit(self, events, duplicate=0, reorder=False, delay=0):
        self._dispatch([self.prepare(topic, body) for topic, body in events])
        return []  # asynchronous, like Shopify

    def later(self, batch, delay=0.0):
        self._dispatch(batch, delay)

    def flush(self, timeout=10.0):
        """Wait until every delivery was acknowledged or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._heap or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 1.0))
        return True

    def stop(self):
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 1)

    # ------------------------------------------------------------------ figures
    def pending(self):
        with self._condition:
            return len(self._heap) + self._busy

    def summary(self):
        with self._condition:
            records = list(self.sent.values())
        failures = Counter(status for record in records for status in record["statuses"] if status != 200)
        return {
            "webhooks_sent": len(records),
            "webhook_posts": sum(record["attempts"] for record in records),
            "webhook_copies": self.copies,
            "webhook_retries": self.retries,
            "webhooks_unacked": sum(1 for record in records if not record["acked"]),
            # why Odoo did not answer 200: too slow (Shopify waits 5 s), down, or an HTTP error
            "webhook_timeouts": failures.pop("ReadTimeout", 0),
            "webhook_refused": failures.pop("ConnectionError", 0),
            "webhook_other_failures": sum(failures.values()),
        }

    # ------------------------------------------------------------------ scheduling
    def _dispatch(self, deliveries, delay=0.0):
        now = time.monotonic()
        with self._condition:
            for delivery in deliveries:
                copies = 1
                if self.rng.random() < self.duplicate_ratio:
                    copies += 1 if self.rng.random() < 0.8 else 2
                self.copies += copies - 1
                for _copy in range(copies):
                    roll = self.rng.random()
                    if roll < self.delay_ratio:
                        extra = self.rng.uniform(2.0, self.max_delay)
                    elif roll < self.delay_ratio + self.reorder_ratio:
                        extra = self.rng.uniform(0.2, 2.0)
                    else:
                        extra = 0.0
                    self._push(now + delay + extra, delivery)

    def _push(self, due, delivery):
        heapq.heappush(self._heap, (due, next(self._order), delivery))
        self._condition.notify()

    def _serve(self):
        session = requests.Session()
        while True:
            with self._condition:
                while not self._stopping:
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        break
                    wait = self._heap[0][0] - time.monotonic() if self._heap else 0.5
                    self._condition.wait(max(0.01, min(wait, 0.5)))
                if self._stopping:
                    return
                __, __, delivery = heapq.heappop(self._heap)
                self._busy += 1
            try:
                self._attempt(session, delivery)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._condition.notify_all()

    def _attempt(self, session, delivery):
        status = None
        try:
            response = session.post(
                self.url,
                data=delivery["raw"],
                headers={**self.headers(delivery), "Connection": "close"},
                timeout=self.timeout,
            )
            status = response.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        with self._condition:
            record = self.sent[delivery["webhook_id"]]
            record["attempts"] += 1
            record["statuses"].append(status)
            if status == 200:
                record["acked"] = True
                return
            if record["acked"]:
                return  # a duplicate copy failed; the delivery itself went in
            if record["attempts"] >= self.max_attempts:
                record["gave_up"] = True
                return
            retry_in = RETRY_DELAYS[min(record["attempts"], len(RETRY_DELAYS)) - 1]
            self.retries += 1
            self._push(time.monotonic() + retry_in, delivery)
