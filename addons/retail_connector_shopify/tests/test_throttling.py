# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify's leaky bucket, as the sandbox enforces it: a throttled job is
retried later with the right delay, never by sleeping in the worker, and a
throttled catch-up keeps what it imported and resumes from its page cursor."""

import math
import time
import uuid

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..lib import cost, documents, normalize
from .common import ShopifyCase
from .test_order_import import OrderImportMixin


class TestThrottling(OrderImportMixin, ShopifyCase):
    def set_bucket(self, available, rate):
        bucket = self.sandbox.bucket
        with self.sandbox.lock:
            bucket.available = float(available)
            bucket.rate = float(rate)
            bucket.stamp = time.monotonic()

    def order_bindings(self):
        return self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])

    def importable(self):
        statuses = self.backend._shopify_import_statuses()
        return [
            order
            for order in self.orders_by_name.values()
            if order["financial_status"] in statuses and not self.problem_of(order)
        ]

    def test_throttled_webhook_job_is_retried_with_the_bucket_delay_without_sleeping(self):
        order = self.importable()[0]
        requested = cost.requested_cost(documents.load("order"), {"id": normalize.to_gid("Order", order["id"])})
        self.set_bucket(available=0, rate=10)
        event, __ = self.env["retail.webhook.event"]._receive(
            self.backend, "orders/create", str(uuid.uuid4()), {"id": int(order["id"])}, 20, event_id=str(uuid.uuid4())
        )
        started = time.monotonic()
        with self.assertRaises(RetryableJobError) as caught:
            event._process_job()
        self.assertLess(time.monotonic() - started, 2.0, "the worker waited for the bucket")
        # the bucket holds 0 points and restores 10/s: the query fits again in requested/10 s
        self.assertEqual(caught.exception.seconds, math.ceil(requested / 10))
        self.assertFalse(self.order_bindings())
        self.assertEqual(self.sandbox.calls[-1]["status"], "throttled")

    def test_throttled_catch_up_keeps_its_progress_and_resumes_from_the_cursor(self):
        client = self.backend._shopify_client()
        page = client.page_size("orders", {"query": None})
        page_cost = cost.requested_cost(documents.load("orders"), {"query": None, "first": page})
        # one page can be paid for, the second cannot (the first used some points)
        self.set_bucket(available=page_cost + 1, rate=1)
        resume = {"entity": "orders", "since": None, "cursor": None, "newest": None}
        with trap_jobs() as trap:
            message = self.backend._catch_up_job(resume=resume)
            self.assertIn("orders paused", message)
            first_page = self.order_bindings()
            importable_in_page = [o for o in self.importable() if o["id"] in first_page.mapped("external_id")]
            self.assertEqual(len(first_page), len(importable_in_page))
            self.assertTrue(0 < len(first_page) <= page)
            resumed = [job for job in trap.enqueued_jobs if job.method_name == "_catch_up_job"]
            self.assertEqual(len(resumed), 1)
            self.assertTrue(resumed[0].kwargs["resume"]["cursor"], "resumes after the imported page")
            self.assertTrue(resumed[0].eta, "later, when the bucket has refilled")
            self.assertFalse(self.backend._get_watermark("orders").last_external_updated_at)

            self.set_bucket(available=self.sandbox.bucket.size, rate=10000)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.order_bindings()), len(self.importable()))
        self.assertEqual(
            self.backend._get_watermark("orders").last_external_updated_at,
            max(order["updated_at"] for order in self.orders_by_name.values()),
        )
