# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from .common import ShopifyCase
from .test_order_import import OrderImportMixin, money


class TestRefundImport(OrderImportMixin, ShopifyCase):
    def paid_order(self, taxes_included=False):
        for order in self.canonical_orders():
            if (
                order["financial_status"] == "paid"
                and order["risk"] not in ("investigate", "cancel")
                and not order["refund_ids"]
                and not self.problem_of(order)
                and order["taxes_included"] == taxes_included
                and any(line["current_quantity"] >= 1 for line in order["lines"])
            ):
                return order
        self.skipTest("no paid order")

    def test_refund_becomes_credit_note(self):
        self.backend.shopify_refund_move_state = "posted"
        order = self.paid_order()
        binding = self.env["shopify.order.binding"]._import_order(self.backend, order)
        invoice = binding.odoo_id.invoice_ids
        self.assertEqual(invoice.state, "posted")
        line = next(li for li in order["lines"] if li["current_quantity"] >= 1)
        self.sandbox.create_refund(order["id"], lines=[(line["id"], 1)], full_shipping=True)
        fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
        self.env["shopify.order.binding"]._import_order(self.backend, fresh)
        refund_binding = binding.refund_binding_ids
        self.assertEqual(len(refund_binding), 1)
        refund = self.env["shopify.refund.binding"]._fetch_refund(self.backend, refund_binding.external_id)
        credit_note = refund_binding.odoo_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(money(credit_note.amount_total), refund["total"])
        product_line = credit_note.invoice_line_ids.filtered(lambda ml: ml.sale_line_ids)
        self.assertEqual(product_line.sale_line_ids.shopify_line_id, line["id"])
        self.assertEqual(product_line.quantity, 1)
        # invoice - credit note = Shopify's current total; the refund transaction is an outbound payment
        self.assertEqual(money(invoice.amount_total) - money(credit_note.amount_total), fresh["total"])
        outbound = binding.payment_binding_ids.filtered(lambda p: p.kind == "refund")
        self.assertEqual(len(outbound), 1)
        self.assertEqual(money(outbound.odoo_id.amount), refund["total"])
        self.assertEqual(outbound.odoo_id.payment_type, "outbound")
        # the refunds/create webhook (REST body) after the order import books nothing more
        rest = self.sandbox.rest_order(order["id"])
        event = self.env["retail.webhook.event"].create(
            {
                "backend_id": self.backend.id,
                "topic": "refunds/create",
                "delivery_id": "refund-delivery-1",
                "payload": rest["refunds"][0],
            }
        )
        self.env["shopify.refund.binding"]._import_refund_webhook(self.backend, event)
        self.assertEqual(len(binding.refund_binding_ids), 1)
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)

    def test_refund_webhook_imports_unknown_order(self):
        order = self.paid_order()
        line = order["lines"][0]
        self.sandbox.create_refund(order["id"], lines=[(line["id"], 1)])
        rest = self.sandbox.rest_order(order["id"])
        event = self.env["retail.webhook.event"].create(
            {
                "backend_id": self.backend.id,
                "topic": "refunds/create",
                "delivery_id": "refund-delivery-2",
                "payload": rest["refunds"][-1],
            }
        )
        self.env["shopify.refund.binding"]._import_refund_webhook(self.backend, event)
        binding = self.binding_of(order)
        self.assertTrue(binding)
        self.assertEqual(len(binding.refund_binding_ids), 1)
        credit_note = binding.refund_binding_ids.odoo_id
        self.assertEqual(credit_note.state, "draft")
        total = sum((tx["amount"] for tx in (binding.refund_binding_ids and []) or []), Decimal(0))
        del total
        self.assertEqual(
            money(binding.odoo_id.amount_total) - money(credit_note.amount_total),
            self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])["total"],
        )
