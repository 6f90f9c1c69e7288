# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError

from .common import GADGET_UNIT_REFUND, WIDGET_UNIT_REFUND, ReturnsCase


class TestRefund(ReturnsCase):
    def test_refund_amount_includes_discount_and_taxes(self):
        rma = self._new_return([(self.widget_line, 2), (self.gadget_line, 1)])
        self.assertAlmostEqual(rma.line_ids.filtered(lambda line: line.product_id == self.widget).refund_amount, 216.0)
        self.assertAlmostEqual(rma.amount_refund, 2 * WIDGET_UNIT_REFUND + GADGET_UNIT_REFUND)

    def test_credit_note_reverses_the_origin_invoice(self):
        rma = self._inspected_return()
        rma.action_refund()
        self.assertEqual(rma.state, "refunded")
        credit_note = rma.account_move_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft", "draft unless the company posts refunds")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.invoice_line_ids.sale_line_ids, self.widget_line)
        self.assertEqual(credit_note.invoice_line_ids.discount, 10.0)
        self.assertAlmostEqual(credit_note.amount_untaxed, 180.0)
        self.assertAlmostEqual(credit_note.amount_total, 216.0)

    def test_posted_credit_note_lowers_the_invoiced_quantity(self):
        self.company.retail_return_post_refunds = True
        rma = self._inspected_return()
        rma.action_refund()
        self.assertEqual(rma.account_move_ids.state, "posted")
        self.assertEqual(self.widget_line.qty_invoiced, 1)
        self.assertEqual(self.widget_line.qty_delivered, 1)
        self.assertEqual(self.widget_line.qty_to_invoice, 0, "delivered and invoiced agree again")

    def test_restocking_fee_is_kept(self):
        rma = self._inspected_return(restocking_fee_percent=10.0)
        self.assertAlmostEqual(rma.amount_restocking_fee, 21.6)
        rma.action_refund()
        credit_note = rma.account_move_ids
        fee_line = credit_note.invoice_line_ids.filtered(
            lambda line: line.product_id == self.env.ref("retail_returns_sync.product_restocking_fee")
        )
        self.assertAlmostEqual(fee_line.price_subtotal, -21.6)
        self.assertAlmostEqual(credit_note.amount_total, 194.4)

    def test_shipping_is_refunded(self):
        rma = self._inspected_return(shipping_refund_amount=5.9)
        rma.action_refund()
        self.assertAlmostEqual(rma.account_move_ids.amount_total, 221.9)

    def test_fee_and_shipping_on_several_lines(self):
        self.company.retail_return_restocking_fee = 15.0
        rma = self._inspected_return([(self.widget_line, 3), (self.gadget_line, 2)], shipping_refund_amount=4.95)
        self.assertEqual(rma.restocking_fee_percent, 15.0, "the company default")
        # goods 324 + 120 = 444; fee 15% = 66.60; + shipping 4.95
        self.assertAlmostEqual(rma.amount_lines, 3 * WIDGET_UNIT_REFUND + 2 * GADGET_UNIT_REFUND)
        rma.action_refund()
        credit_note = rma.account_move_ids
        self.assertAlmostEqual(credit_note.amount_total, 382.35)
        self.assertAlmostEqual(credit_note.amount_tax, 74.0)
        self.assertEqual(len(credit_note.invoice_line_ids), 4)

    def test_refund_twice_is_refused(self):
        rma = self._inspected_return()
        rma.action_refund()
        with self.assertRaisesRegex(UserError, "Refunding"):
            rma.action_refund()
        self.assertEqual(len(rma.account_move_ids), 1)

    def test_refund_before_receipt_when_allowed(self):
        rma = self._new_return(refund_before_receipt=True)
        rma.action_approve()
        rma.action_refund()
        self.assertEqual(rma.state, "refunded")
        self.assertAlmostEqual(rma.account_move_ids.amount_total, 216.0, msg="the requested quantity")
        rma.action_receive()
        self.assertEqual(rma.state, "refunded", "receiving later does not go back")
        self.assertTrue(rma.date_received)
        self._inspect(rma, self.grades["restock"])
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_return_input_location_id), 0)

    def test_refund_before_receipt_needs_the_option(self):
        rma = self._new_return()
        rma.action_approve()
        with self.assertRaisesRegex(UserError, "must be inspected first"):
            rma.action_refund()

    def test_refund_is_paid_back_on_the_journal_that_took_the_money(self):
        self.company.retail_return_post_refunds = True
        bank = self.env["account.journal"].create({"name": "Card Payments", "code": "RCARD", "type": "bank"})
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"journal_id": bank.id})._create_payments()
        self.assertEqual(self.invoice.payment_state, "paid")
        rma = self._inspected_return()
        rma.action_refund()
        credit_note = rma.account_move_ids
        refund = credit_note._get_reconciled_payments()
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.journal_id, bank)
        self.assertEqual(refund.payment_type, "outbound")
        self.assertAlmostEqual(refund.amount, 216.0)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))

    def test_unpaid_invoice_is_offset_by_the_credit_note_no_money_goes_out(self):
        self.company.retail_return_post_refunds = True
        rma = self._inspected_return()
        rma.action_refund()
        self.assertFalse(rma.account_move_ids._get_reconciled_payments())
        self.assertFalse(self.env["account.payment"].search([("payment_type", "=", "outbound")]))
        # the customer owes 216.00 less on the invoice instead
        self.assertAlmostEqual(self.invoice.amount_residual, self.invoice.amount_total - 216.0)

    def test_one_return_gathers_goods_of_two_orders_of_the_customer(self):
        self.company.retail_return_post_refunds = True
        second = self._sell([(self.basic, 2, 75.0, 0.0)])
        basic_line = second.order_line
        rma = self._inspected_return([(self.widget_line, 1), (basic_line, 1)])
        self.assertEqual(rma.sale_order_ids, self.order | second)
        self.assertEqual(self.order.retail_return_count, 1)
        self.assertEqual(second.retail_return_count, 1)
        rma.action_refund()
        credit_note = rma.account_move_ids
        # widget 100 - 10 % = 90, basic 75, both + 20 % tax
        self.assertAlmostEqual(credit_note.amount_total, (90.0 + 75.0) * 1.2)
        self.assertEqual(credit_note.invoice_line_ids.sale_line_ids, self.widget_line | basic_line)
        self.assertEqual(self.widget_line.qty_invoiced, 2)
        self.assertEqual(basic_line.qty_invoiced, 1)

    def test_goods_of_another_customer_cannot_join_the_return(self):
        other = self.env["res.partner"].create({"name": "Someone Else"})
        foreign = self._sell([(self.basic, 1, 75.0, 0.0)])
        foreign.partner_id = other
        with self.assertRaisesRegex(ValidationError, "another customer"):
            self._new_return([(self.widget_line, 1), (foreign.order_line, 1)])
