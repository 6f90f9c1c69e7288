# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A catch-up imports a share of records per job, then a new job goes on from
the page cursor: every order ends up imported once, and the watermark moves
only when the whole period is in."""

import json
from collections import Counter
from unittest.mock import patch

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.lib.digest import advisory_lock_key
from odoo.addons.retail_connector_base.tests.common import perform_jobs_until_done

from ..lib import normalize
from ..models import shopify_order_binding as order_binding_module
from .common import ShopifyCase
from .test_order_import import OrderImportMixin


class TestCatchUpShares(OrderImportMixin, ShopifyCase):
    store_orders = 24

    def order_bindings(self):
        return self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])

    def test_each_job_imports_its_share_and_a_new_job_goes_on_from_the_cursor(self):
        statuses = self.backend._shopify_import_statuses()
        importable = [
            o for o in self.orders_by_name.values() if o["financial_status"] in statuses and not self.problem_of(o)
        ]
        page = self.backend._shopify_client().page_size("orders", {"query": None})
        self.assertLess(page, self.store_orders, "the shop has several pages of orders")
        self.backend.catch_up_batch_size = 1  # one page per job
        resume = {"entity": "orders", "since": None, "cursor": None, "newest": None}
        with trap_jobs() as trap:
            message = self.backend._catch_up_job(resume=resume)
            self.assertIn(f"orders: {page} records imported, the rest continues in a new job", message)
            first_page = self.order_bindings()
            self.assertTrue(0 < len(first_page) <= page)
            continued = [job for job in trap.enqueued_jobs if job.method_name == "_catch_up_job"]
            self.assertEqual(len(continued), 1)
            self.assertTrue(continued[0].kwargs["resume"]["cursor"], "goes on after the imported page")
            self.assertFalse(continued[0].eta, "at once: nothing to wait for")
            self.assertFalse(self.backend._get_watermark("orders").last_external_updated_at)

            perform_jobs_until_done(trap)
        bindings = self.order_bindings()
        self.assertEqual(len(bindings), len(importable))
        self.assertEqual(len(bindings.odoo_id), len(importable), "no order imported twice")
        self.assertEqual(sorted(bindings.mapped("shopify_total")), sorted(float(o["total"]) for o in importable))
        self.assertEqual(
            self.backend._get_watermark("orders").last_external_updated_at,
            max(order["updated_at"] for order in self.orders_by_name.values()),
        )

    def test_refunds_and_fulfilments_read_ahead_are_read_once(self):
        self.backend.catch_up_batch_size = 0
        self.sandbox.calls.clear()
        self.env["shopify.order.binding"]._catch_up_orders(self.backend, None)
        reads = Counter(
            (call["operation"], json.dumps(call["variables"], sort_keys=True))
            for call in self.sandbox.calls
            if call["operation"] in ("Refund", "OrderFulfillments")
        )
        self.assertTrue(reads, "the shop has refunds and shipped orders")
        self.assertEqual(max(reads.values()), 1, "no read made twice")
        refunds = self.env["shopify.refund.binding"].search([("backend_id", "=", self.backend.id)])
        fulfillments = self.env["shopify.fulfillment.binding"].search([("backend_id", "=", self.backend.id)])
        self.assertTrue(refunds)
        self.assertTrue(fulfillments)
        # every refund read was booked, every fulfilment read applied
        refund_reads = {json.loads(variables)["id"] for (operation, variables) in reads if operation == "Refund"}
        self.assertLessEqual(refund_reads, {normalize.to_gid("Refund", r) for r in refunds.mapped("external_id")})

    def test_a_batch_of_several_pages_whose_import_must_wait_is_read_again(self):
        # New orders are created in batches of several pages. When a batch cannot be
        # imported now (an order of it is locked by another job), the catch-up pauses
        # before the batch's first page: none of its orders may be skipped.
        client = self.backend._shopify_client()
        page = client.page_size("orders", {"query": None})
        paged = [normalize.legacy_id(node["id"]) for node in client.iter_nodes("orders", {"query": None}, ("orders",))]
        statuses = self.backend._shopify_import_statuses()
        importable = {
            order["id"]
            for order in self.orders_by_name.values()
            if order["financial_status"] in statuses and not self.problem_of(order)
        }
        second_batch_first_page = [o for o in paged[2 * page : 3 * page] if o in importable]
        locked = next((o for o in paged[3 * page : 4 * page] if o in importable), None)
        if not second_batch_first_page or not locked:
            self.skipTest("the generated store has no importable order where this test needs one")
        self.backend.catch_up_batch_size = 0
        key = advisory_lock_key(self.backend.id, "shopify.order.binding", str(locked))
        resume = {"entity": "orders", "since": None, "cursor": None, "newest": None}
        with patch.object(order_binding_module, "CREATE_BATCH", 2 * page), trap_jobs() as trap:
            with self.registry.cursor() as other:
                other.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    message = self.backend._catch_up_job(resume=resume)
                finally:
                    other.execute("SELECT pg_advisory_unlock(%s)", (key,))
            self.assertIn("orders paused", message)
            imported = set(self.order_bindings().mapped("external_id"))
            self.assertEqual(imported, {o for o in paged[: 2 * page] if o in importable}, "the first batch stands")
            continued = [job for job in trap.enqueued_jobs if job.method_name == "_catch_up_job"]
            self.assertEqual(len(continued), 1)

            perform_jobs_until_done(trap)
        bindings = self.order_bindings()
        self.assertEqual(set(bindings.mapped("external_id")), importable)
        self.assertEqual(len(bindings.odoo_id), len(importable), "no order imported twice")
        self.assertEqual(
            self.backend._get_watermark("orders").last_external_updated_at,
            max(order["updated_at"] for order in self.orders_by_name.values()),
        )
