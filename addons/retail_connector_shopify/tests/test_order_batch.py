# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A page of new orders is created in one batch: the outcome must be the one of
importing them one by one, and a bad order must not sink (nor half-write) the page."""

import copy
import logging

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib.digest import advisory_lock_key

from .common import ShopifyCase
from .test_order_import import OrderImportMixin, money

# logging.INFO, not "INFO": Odoo names its level 25 "INFO" too
IMPORTER_LOGGER = "odoo.addons.retail_connector_shopify.models.shopify_order_binding"


class TestOrderBatch(OrderImportMixin, ShopifyCase):
    store_orders = 20

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orders = cls.canonical_orders()

    def clean_orders(self, count=None):
        """``count`` (default: all) paid, clean orders of the store, each with its own customer email."""
        clean = [
            copy.deepcopy(o)
            for o in self.orders
            if o["financial_status"] == "paid"
            and o["risk"] not in ("investigate", "cancel")
            and not o["cancelled_at"]
            and not o["refund_ids"]
            and not self.problem_of(o)
        ]
        count = len(clean) if count is None else count
        if len(clean) < count:
            self.skipTest("not enough clean orders in the generated store")
        for index, order in enumerate(clean[:count]):
            email = f"batch.customer{index}@example.com"
            order["email"] = email
            order["customer"] = dict(order["customer"] or {}, email=email, phone=None)
        return clean[:count]

    def logs_of(self, order):
        return self.env["retail.sync.log"].search(
            [("backend_id", "=", self.backend.id), ("entity", "=", "order"), ("external_id", "=", order["id"])]
        )

    def assert_imported_like_shopify(self, order):
        binding = self.binding_of(order)
        self.assertEqual(len(binding), 1, order["name"])
        sale = binding.odoo_id
        self.assertEqual(money(sale.amount_total), money(order["total"]), order["name"])
        self.assertEqual(sale.state, "sale", order["name"])
        self.assertEqual(sale.partner_id.email, order["email"])
        self.assertEqual(sale.partner_shipping_id.parent_id, sale.partner_id)
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(money(invoice.amount_total), money(order["total"]), order["name"])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), order["name"])
        self.assertEqual(self.logs_of(order).mapped("result"), ["done"], order["name"])
        self.assertEqual(self.logs_of(order).res_id, sale.id)

    def test_a_page_of_the_store_imports_as_one_by_one(self):
        with self.assertNoLogs(IMPORTER_LOGGER, logging.INFO):  # the batch did not fall back
            bindings = self.env["shopify.order.binding"]._import_orders(self.backend, self.orders)
        self.assertEqual(len(bindings), len(self.orders))
        statuses = self.backend._shopify_import_statuses()
        for order, binding in zip(self.orders, bindings, strict=True):
            problem = self.problem_of(order)
            if order["financial_status"] not in statuses:
                self.assertFalse(binding, order["name"])
                self.assertEqual(self.logs_of(order).mapped("result"), ["skipped"], order["name"])
            elif problem:
                # reported alone, nothing of it written
                self.assertFalse(binding, order["name"])
                self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", order["name"])]))
                self.assertEqual(len(self.open_exceptions(problem, order["id"])), 1, order["name"])
                self.assertEqual(self.logs_of(order).mapped("result"), ["failed"], order["name"])
            else:
                self.assertEqual(binding, self.binding_of(order), order["name"])
                self.assertEqual(binding.shopify_name, order["name"])
                if not order["refund_ids"]:  # else the order keeps what refunds took back
                    self.assertEqual(money(binding.odoo_id.amount_total), money(order["total"]), order["name"])
                self.assertEqual(self.logs_of(order).mapped("result"), ["done"], order["name"])
        self.assertTrue(any(self.problem_of(o) for o in self.orders), "the page holds planted problems")

        # the same page again: every imported order unchanged, nothing created twice
        sales_before = self.env["sale.order"].search_count([])
        again = self.env["shopify.order.binding"]._import_orders(self.backend, self.orders)
        self.assertEqual(self.env["sale.order"].search_count([]), sales_before)
        self.assertEqual([b.id for b in again if b], [b.id for b in bindings if b])

    def test_a_wrong_total_rolls_the_batch_back_and_imports_one_by_one(self):
        first, bad, last = self.clean_orders(3)
        bad["total"] += money("1.00")  # Shopify says one more than its lines add up to
        with self.assertLogs(IMPORTER_LOGGER, logging.INFO) as logs:
            self.env["shopify.order.binding"]._import_orders(self.backend, [first, bad, last])
        self.assertIn("Creating 3 orders at once failed", logs.output[0])

        self.assert_imported_like_shopify(first)
        self.assert_imported_like_shopify(last)
        self.assertFalse(self.binding_of(bad))
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", bad["name"])]))
        # nothing half-written: not even the new customer's contact
        self.assertFalse(self.env["res.partner"].search([("email", "=", bad["email"])]))
        problem = self.open_exceptions("shopify_order_total_mismatch", bad["id"])
        self.assertEqual(len(problem), 1)
        self.assertIn("by -1.00", problem.message)
        self.assertEqual(self.logs_of(bad).mapped("result"), ["failed"])

    def test_new_orders_of_one_customer_share_their_contacts(self):
        orders = self.clean_orders(3)
        orders[2]["email"] = orders[0]["email"]
        orders[2]["customer"] = dict(orders[2]["customer"], email=orders[0]["email"])
        orders[2]["billing_address"] = orders[0]["billing_address"]
        orders[2]["shipping_address"] = orders[0]["shipping_address"]
        with self.assertNoLogs(IMPORTER_LOGGER, logging.INFO):
            self.env["shopify.order.binding"]._import_orders(self.backend, orders)

        for order in orders:
            self.assert_imported_like_shopify(order)
        first, third = self.binding_of(orders[0]).odoo_id, self.binding_of(orders[2]).odoo_id
        self.assertEqual(third.partner_id, first.partner_id)
        self.assertEqual(third.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", orders[0]["email"])]), 1)

    def test_a_new_customer_is_found_by_phone_within_the_batch(self):
        orders = self.clean_orders(3)
        known = self.env["res.partner"].create({"name": "Known", "email": orders[1]["email"].upper()})
        orders[0]["customer"] = dict(orders[0]["customer"], phone="+1 502-555-0142")
        # no email on the third order: its phone is the first order's (new) customer's
        orders[2]["email"] = None
        orders[2]["customer"] = dict(orders[2]["customer"], email=None, phone="+1 502-555-0142")
        with self.assertNoLogs(IMPORTER_LOGGER, logging.INFO):
            self.env["shopify.order.binding"]._import_orders(self.backend, orders)

        first, second, third = (self.binding_of(order).odoo_id for order in orders)
        self.assertEqual(second.partner_id, known)
        self.assertEqual(third.partner_id, first.partner_id)
        self.assertEqual(first.partner_id.phone, "+1 502-555-0142")
        self.assertEqual(self.env["res.partner"].search_count([("phone", "=", "+1 502-555-0142")]), 1)
        for sale, order in zip((first, second, third), orders, strict=True):
            self.assertEqual(money(sale.amount_total), money(order["total"]), order["name"])
            self.assertEqual(sale.partner_invoice_id.parent_id, sale.partner_id)

    def test_an_order_locked_by_another_job_makes_the_page_wait_whole(self):
        orders = self.clean_orders(3)
        key = advisory_lock_key(self.backend.id, "shopify.order.binding", str(orders[1]["id"]))
        sales_before = self.env["sale.order"].search_count([])
        # a webhook job of another worker is importing the second order
        with self.registry.cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                with self.assertRaises(RetryableJobError):
                    self.env["shopify.order.binding"]._import_orders(self.backend, orders)
            finally:
                other.execute("SELECT pg_advisory_unlock(%s)", (key,))
        # nothing of the page written: its job is retried, as a whole
        self.assertEqual(self.env["sale.order"].search_count([]), sales_before)
        self.assertFalse(any(self.binding_of(order) for order in orders))
        self.assertFalse(self.env["res.partner"].search([("email", "in", [o["email"] for o in orders])]))

        self.env["shopify.order.binding"]._import_orders(self.backend, orders)
        for order in orders:
            self.assert_imported_like_shopify(order)
        self.assertEqual(self.env["sale.order"].search_count([]), sales_before + 3)

    def test_an_order_seen_twice_in_a_batch_is_imported_once_as_last_seen(self):
        # A catch-up creates several pages of orders together: an order updated while
        # it paged comes twice, the later copy newer (here: a line's quantity added).
        first, second = self.clean_orders(2)
        older = copy.deepcopy(first)
        older["email"] = "old.address@example.com"
        older["customer"] = dict(older["customer"], email="old.address@example.com")
        with self.assertNoLogs(IMPORTER_LOGGER, logging.INFO):  # the batch did not fall back
            bindings = self.env["shopify.order.binding"]._import_orders(self.backend, [older, second, first])
        self.assertEqual(bindings[0], bindings[2])
        self.assertEqual(len(self.env["shopify.order.binding"].search([("external_id", "=", first["id"])])), 1)
        self.assertEqual(len(self.env["sale.order"].search([("client_order_ref", "=", first["name"])])), 1)
        self.assert_imported_like_shopify(first)  # the customer of the last copy
        self.assert_imported_like_shopify(second)
        self.assertFalse(self.env["res.partner"].search([("email", "=", "old.address@example.com")]))

    def test_a_product_bound_again_between_two_batches_is_used_by_the_second(self):
        # A batch reads each SKU's product once; the next batch must read it afresh.
        orders = self.clean_orders()
        first_batch, second_batch = orders[:2], orders[2:]
        shared = {line["sku"] for o in first_batch for line in o["lines"]} & {
            line["sku"] for o in second_batch for line in o["lines"]
        }
        if not shared:
            self.skipTest("no SKU common to both batches in the generated store")
        sku = sorted(shared)[0]
        second_batch = [o for o in second_batch if sku in {line["sku"] for line in o["lines"]}][:2]
        self.env["shopify.order.binding"]._import_orders(self.backend, first_batch)
        binding = self.env["shopify.product.binding"].search([("backend_id", "=", self.backend.id), ("sku", "=", sku)])
        replacement = self.env["product.product"].create({"name": "Replacement", "default_code": f"{sku}-NEW"})
        binding.odoo_id = replacement

        self.env["shopify.order.binding"]._import_orders(self.backend, second_batch)
        for order in second_batch:
            self.assert_imported_like_shopify(order)
            line_ids = {line["id"] for line in order["lines"] if line["sku"] == sku}
            products = {line.shopify_line_id: line.product_id for line in self.binding_of(order).odoo_id.order_line}
            self.assertEqual({products[line_id] for line_id in line_ids}, {replacement}, order["name"])
        for order in first_batch:
            self.assertNotIn(replacement, self.binding_of(order).odoo_id.order_line.product_id)
