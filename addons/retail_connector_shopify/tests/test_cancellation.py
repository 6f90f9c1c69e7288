# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
from datetime import timedelta

from odoo.addons.queue_job.tests.common import trap_jobs

from .test_refund_import import TestRefundImport


class TestCancellation(TestRefundImport):
    test_refund_becomes_credit_note = None
    test_refund_webhook_imports_unknown_order = None

    def test_cancel_in_odoo_cancels_in_shopify_once(self):
        self.backend.shopify_push_cancellations = True
        order = self.paid_order()
        sale = self.env["shopify.order.binding"]._import_order(self.backend, order).odoo_id
        with trap_jobs() as trap:
            sale._action_cancel()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(sale.state, "cancel")
        fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
        self.assertTrue(fresh["cancelled_at"])
        self.assertEqual(len(self.calls_of("OrderCancel")), 1)
        # running the job again does not cancel again
        sale.shopify_bind_ids.cancelled_at = False
        sale.shopify_bind_ids._shopify_export_cancel()
        self.assertEqual(len(self.calls_of("OrderCancel")), 1)

    def test_cancel_not_pushed_when_disabled(self):
        order = self.paid_order()
        sale = self.env["shopify.order.binding"]._import_order(self.backend, order).odoo_id
        with trap_jobs() as trap:
            sale._action_cancel()
            trap.assert_jobs_count(0)

    def test_cancelled_in_shopify_cancels_quotation_or_confirmed_order(self):
        self.backend.shopify_push_cancellations = True
        # a new order, nothing shipped yet (a delivered order is not cancelled)
        created = self.sandbox.create_order(lines=[(line["sku"], 1) for line in self.paid_order()["lines"][:1]])
        order = self.env["shopify.order.binding"]._fetch_order(self.backend, created["id"])
        sale = self.env["shopify.order.binding"]._import_order(self.backend, order).odoo_id
        self.assertEqual(sale.state, "sale")
        cancelled = copy.deepcopy(order)
        cancelled.update(cancelled_at=order["updated_at"], updated_at=order["updated_at"] + timedelta(hours=1))
        with trap_jobs() as trap:
            self.env["shopify.order.binding"]._import_order(self.backend, cancelled)
            trap.assert_jobs_count(0)  # not echoed back to Shopify
        self.assertEqual(sale.state, "cancel")

    def test_cancelled_after_delivery_reports(self):
        order = self.paid_order()
        sale = self.env["shopify.order.binding"]._import_order(self.backend, order).odoo_id
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(picking.state, "done")
        cancelled = copy.deepcopy(order)
        cancelled.update(cancelled_at=order["updated_at"], updated_at=order["updated_at"] + timedelta(hours=1))
        binding = self.env["shopify.order.binding"]._import_order(self.backend, cancelled)
        self.assertTrue(binding)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(len(self.open_exceptions("shopify_cancel_after_delivery", order["id"])), 1)

    def test_order_deleted_in_shopify(self):
        self.backend.shopify_push_cancellations = True
        sku = self.paid_order()["lines"][0]["sku"]
        orders = self.env["shopify.order.binding"]
        unpaid = self.sandbox.create_order(lines=[(sku, 1)], financial_status="PENDING")
        quotation = orders._import_order(self.backend, orders._fetch_order(self.backend, unpaid["id"])).odoo_id
        paid = self.sandbox.create_order(lines=[(sku, 1)])
        confirmed = orders._import_order(self.backend, orders._fetch_order(self.backend, paid["id"])).odoo_id
        self.assertEqual((quotation.state, confirmed.state), ("draft", "sale"))
        with trap_jobs() as trap:
            event = self.deliver_webhook("orders/delete", self.sandbox.delete_order(unpaid["id"], emit=False))
            # nothing to cancel in Shopify: the order is gone
            trap.assert_jobs_count(0, only=quotation.shopify_bind_ids._shopify_export_cancel)
        self.assertEqual((event.state, quotation.state), ("done", "cancel"))
        self.deliver_webhook("orders/delete", self.sandbox.delete_order(paid["id"], emit=False))
        self.assertEqual(confirmed.state, "sale", "a confirmed order is a person's decision")
        exception = self.env["retail.exception"].search([("type_code", "=", "shopify_order_deleted")])
        self.assertEqual((len(exception), exception.res_id), (1, confirmed.id))
        # an order never imported: logged, nothing else
        ghost = self.deliver_webhook("orders/delete", {"id": 987654321})
        self.assertEqual(ghost.state, "done")
        self.assertEqual(len(self.env["retail.exception"].search([("type_code", "=", "shopify_order_deleted")])), 1)
