# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The catch-up books the accounting of its orders in batches: the outcome must
be the one of importing them one by one, and a bad order must not sink the batch."""

from .common import ShopifyCase
from .test_order_import import OrderImportMixin, money

PAID = ("paid", "partially_refunded")


class TestOrderBooking(OrderImportMixin, ShopifyCase):
    store_orders = 24

    def money_in(self, order):
        return sum(
            (
                tx["amount"]
                for tx in order["transactions"]
                if tx["kind"] in ("sale", "capture") and tx["status"] == "success"
            ),
            money(0),
        )

    def test_catch_up_books_every_order_as_one_by_one(self):
        self.env["shopify.order.binding"]._catch_up_orders(self.backend, None)
        checked = 0
        for order in self.canonical_orders():
            binding = self.binding_of(order)
            if not binding or order["cancelled_at"] or order["risk"] in ("investigate", "cancel"):
                continue
            sale = binding.odoo_id
            inbound = binding.payment_binding_ids.odoo_id.filtered(lambda p: p.payment_type == "inbound")
            self.assertEqual(money(sum(inbound.mapped("amount"))), self.money_in(order), order["name"])
            self.assertTrue(all(p.state in ("in_process", "paid") for p in inbound), order["name"])
            if order["financial_status"] == "paid":
                self.assertEqual(sale.state, "sale", order["name"])
                invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
                self.assertEqual(len(invoice), 1, order["name"])
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(money(invoice.amount_total), money(order["total"]), order["name"])
                self.assertIn(invoice.payment_state, ("paid", "in_payment"), order["name"])
                checked += 1
        self.assertGreaterEqual(checked, 5)

    def test_a_failing_order_is_booked_alone_and_imported_again(self):
        orders = [
            o
            for o in self.canonical_orders()
            if o["financial_status"] == "paid"
            and not o["cancelled_at"]
            and o["risk"] not in ("investigate", "cancel")
            and not self.problem_of(o)
            and o["transactions"]
        ]
        by_gateway = {}
        for order in orders:
            by_gateway.setdefault(order["transactions"][0]["gateway"], order)
        self.assertGreaterEqual(len(by_gateway), 2, "the generated shop pays through several gateways")
        (bad_gateway, bad), (__, good) = list(by_gateway.items())[:2]
        model = self.env["shopify.order.binding"]
        deferred = []
        for order in (good, bad):
            model._import_order(self.backend, order, deferred=deferred)
        self.assertEqual(len(deferred), 2)
        # the gateway loses its journal between the import and the booking
        mapping = self.env["shopify.gateway.map"].search(
            [("backend_id", "=", self.backend.id), ("gateway", "=", bad_gateway)]
        )
        journal = mapping.journal_id
        mapping.unlink()
        model._book_deferred(self.backend, deferred)

        good_sale = self.binding_of(good).odoo_id
        self.assertEqual(good_sale.state, "sale")
        self.assertIn(good_sale.invoice_ids.payment_state, ("paid", "in_payment"))
        bad_binding = self.binding_of(bad)
        self.assertFalse(bad_binding.payment_binding_ids)
        self.assertFalse(bad_binding.odoo_id.invoice_ids)
        problem = self.open_exceptions("mapping_missing", bad["id"])
        self.assertEqual(len(problem), 1)
        self.assertIn(bad_gateway, problem.message)

        # mapped again: the next import books it (it is not skipped as unchanged)
        self.env["shopify.gateway.map"].create(
            {"backend_id": self.backend.id, "gateway": bad_gateway, "journal_id": journal.id}
        )
        model._import_order(self.backend, bad)
        self.assertEqual(bad_binding.odoo_id.state, "sale")
        self.assertEqual(money(bad_binding.odoo_id.invoice_ids.amount_total), money(bad["total"]))
        self.assertIn(bad_binding.odoo_id.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertFalse(self.open_exceptions("mapping_missing", bad["id"]))

    # ------------------------------------------------------------------
    # Refunds of a batch: booked together, or one by one when one is bad
    # ------------------------------------------------------------------
    def refunded_orders(self, count):
        orders = [
            o
            for o in self.canonical_orders()
            if o["refund_ids"] and not o["cancelled_at"] and not self.problem_of(o) and o["transactions"]
        ]
        self.assertGreaterEqual(len(orders), count, "the generated shop has refunded orders")
        return orders[:count]

    def refund_log(self, refund_id):
        return self.env["retail.sync.log"].search(
            [("backend_id", "=", self.backend.id), ("entity", "=", "refund"), ("external_id", "=", refund_id)]
        )

    def import_deferred(self, orders):
        model = self.env["shopify.order.binding"]
        deferred = []
        for order in orders:
            model._import_order(self.backend, order, deferred=deferred)
        refunds = [refund for __, __, new_refunds, __ in deferred for refund in new_refunds]
        self.assertGreaterEqual(len(refunds), len(orders))
        return model, deferred, refunds

    def test_refunds_of_a_batch_are_booked_together_as_one_by_one(self):
        model, deferred, refunds = self.import_deferred(self.refunded_orders(3))
        model._book_deferred(self.backend, deferred)
        refund_bindings = self.env["shopify.refund.binding"]
        for refund in refunds:
            binding = refund_bindings._lookup(self.backend, refund["id"])
            self.assertEqual(len(binding), 1, refund["id"])
            self.assertEqual(binding.odoo_id.move_type, "out_refund")
            # the credit note is what the customer got back, to the cent
            self.assertEqual(money(binding.odoo_id.amount_total), money(refund["total"]), refund["id"])
            outbound = binding.order_binding_id.payment_binding_ids.filtered(lambda p: p.kind == "refund")
            refunded = sum(
                (tx["amount"] for tx in refund["transactions"] if tx["kind"] == "refund" and tx["status"] == "success"),
                money(0),
            )
            self.assertGreaterEqual(money(sum(outbound.mapped("amount"))), refunded, refund["id"])
            log = self.refund_log(refund["id"])
            self.assertEqual(log.mapped("result"), ["done"], refund["id"])
            self.assertEqual(log.res_id, binding.odoo_id.id)
        # booking the same refunds again books nothing twice
        refund_bindings._import_refunds(self.backend, refunds)
        self.assertEqual(
            refund_bindings.search_count([("backend_id", "=", self.backend.id)]),
            len({refund["id"] for refund in refunds}),
        )

    def test_a_failing_refund_is_booked_alone(self):
        model, deferred, refunds = self.import_deferred(self.refunded_orders(2))
        bad, good = refunds[0], refunds[-1]
        self.assertNotEqual(bad["order_id"], good["order_id"])
        # the refund takes back a line the order never had, of an unknown SKU
        bad["lines"] = [dict(bad["lines"][0], line_id="999999", sku="NO-SUCH-SKU")] if bad["lines"] else []
        if not bad["lines"]:
            self.skipTest("the first refund has no line")
        model._book_deferred(self.backend, deferred)

        refund_bindings = self.env["shopify.refund.binding"]
        self.assertFalse(refund_bindings._lookup(self.backend, bad["id"]))
        self.assertEqual(self.refund_log(bad["id"]).mapped("result"), ["failed"])
        self.assertEqual(len(self.open_exceptions("shopify_unknown_sku", bad["id"])), 1)
        good_binding = refund_bindings._lookup(self.backend, good["id"])
        self.assertEqual(money(good_binding.odoo_id.amount_total), money(good["total"]))
        self.assertEqual(self.refund_log(good["id"]).mapped("result"), ["done"])
        # the orders themselves were booked
        for binding, *__ in deferred:
            self.assertTrue(binding.payment_binding_ids.filtered(lambda p: p.kind in ("sale", "capture")))
