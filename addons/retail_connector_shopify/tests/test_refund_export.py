# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests.common import new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs

from .test_order_import import money
from .test_refund_import import TestRefundImport


class TestRefundExport(TestRefundImport):
    test_refund_becomes_credit_note = None
    test_refund_webhook_imports_unknown_order = None

    def test_odoo_credit_note_refunds_in_shopify_once(self):
        self.backend.shopify_push_refunds = True
        order = self.paid_order()
        binding = self.env["shopify.order.binding"]._import_order(self.backend, order)
        sale = binding.odoo_id
        invoice = sale.invoice_ids
        sale_line = sale.order_line.filtered(lambda sl: sl.shopify_line_id and not sl.is_delivery)[:1]
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "reversed_entry_id": invoice.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": sale_line.product_id.id,
                            "quantity": 1,
                            "price_unit": sale_line.price_unit,
                            "discount": sale_line.discount,
                            "tax_ids": [(6, 0, sale_line.tax_ids.ids)],
                            "sale_line_ids": [(6, 0, sale_line.ids)],
                        },
                    )
                ],
            }
        )
        # an accountant without connector rights posts it
        accountant = new_test_user(self.env, login="refund_accountant", groups="account.group_account_invoice")
        with trap_jobs() as trap:
            credit_note.with_user(accountant).action_post()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        # a second run of the same job sends nothing
        self.env["shopify.refund.binding"]._shopify_export_refund(credit_note)
        self.assertEqual(len(self.calls_of("RefundCreate")), 1)
        refund_binding = credit_note.shopify_refund_bind_ids
        self.assertEqual(len(refund_binding), 1)
        refund = self.env["shopify.refund.binding"]._fetch_refund(self.backend, refund_binding.external_id)
        self.assertEqual(refund["total"], money(credit_note.amount_total))
        self.assertEqual([line["line_id"] for line in refund["lines"]], [sale_line.shopify_line_id])
        # the echo (re-import of the order, or the refunds/create webhook) books no second credit note
        fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
        self.env["shopify.order.binding"]._import_order(self.backend, fresh)
        self.env["shopify.refund.binding"]._import_refund(self.backend, refund)
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)

    def test_shopify_refund_not_pushed_back(self):
        self.backend.shopify_push_refunds = True
        self.backend.shopify_refund_move_state = "posted"
        order = self.paid_order()
        self.env["shopify.order.binding"]._import_order(self.backend, order)
        self.sandbox.create_refund(order["id"], lines=[(order["lines"][0]["id"], 1)])
        fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
        with trap_jobs() as trap:
            self.env["shopify.order.binding"]._import_order(self.backend, fresh)
            trap.assert_jobs_count(0)
