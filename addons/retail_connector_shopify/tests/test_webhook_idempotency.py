# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random

from .common import ShopifyCase
from .test_order_import import OrderImportMixin


class TestWebhookIdempotency(OrderImportMixin, ShopifyCase):
    def test_triple_shuffled_webhooks_and_catch_up(self):
        orders = [o for o in self.canonical_orders() if not self.problem_of(o)]
        events = []
        for order in orders:
            rest = self.sandbox.rest_order(order["id"])
            topics = ["orders/create", "orders/updated"] + (["orders/cancelled"] if order["cancelled_at"] else [])
            events += [("order", topic, rest) for topic in topics]
            events += [("refund", "refunds/create", body) for body in rest.get("refunds") or []]
        deliveries = events * 3
        random.Random(3).shuffle(deliveries)
        for index, (kind, topic, body) in enumerate(deliveries):
            event = self.env["retail.webhook.event"].create(
                {"backend_id": self.backend.id, "topic": topic, "delivery_id": f"d{index}", "payload": body}
            )
            if kind == "order":
                self.env["shopify.order.binding"]._import_order_webhook(self.backend, event)
            else:
                self.env["shopify.refund.binding"]._import_refund_webhook(self.backend, event)
        self.env["shopify.order.binding"]._catch_up_orders(self.backend, None)
        bindings = self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])
        self.assertTrue(bindings)
        self.assertEqual(len(bindings.odoo_id), len(bindings))
        self.assertEqual(self.env["sale.order"].search_count([]), len(bindings))
        payment_bindings = self.env["shopify.payment.binding"].search([])
        self.assertEqual(len(payment_bindings), len(set(payment_bindings.mapped("external_id"))))
        self.assertEqual(self.env["account.payment"].search_count([]), len(payment_bindings))
        refund_bindings = self.env["shopify.refund.binding"].search([])
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]), len(refund_bindings)
        )
        expected_refunds = {rid for o in orders if self.binding_of(o) for rid in o["refund_ids"]}
        messages = "\n".join(self.env["retail.exception"].search([]).mapped("message"))
        self.assertEqual(set(refund_bindings.mapped("external_id")), expected_refunds, messages)
