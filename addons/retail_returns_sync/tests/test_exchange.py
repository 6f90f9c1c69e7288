# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from .common import ReturnsCase


class TestExchange(ReturnsCase):
    def _exchange(self, sale_line, product):
        rma = self._inspected_return([(sale_line, 2)])
        rma.line_ids.exchange_product_id = product
        rma.action_exchange()
        self.assertEqual(rma.state, "exchanged")
        self.assertEqual(len(rma.account_move_ids), 1, "the difference is settled by one document")
        return rma, rma.account_move_ids

    def test_replacement_order_is_confirmed_and_shipped(self):
        rma, _document = self._exchange(self.gadget_line, self.gadget)
        order = rma.replacement_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.retail_return_id, rma)
        self.assertEqual(order.origin, rma.name)
        self.assertEqual(order.order_line.product_id, self.gadget)
        self.assertEqual(order.order_line.product_uom_qty, 2)
        delivery = order.picking_ids
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertEqual(delivery.move_ids.product_uom_qty, 2)

    def test_even_exchange_is_a_zero_invoice(self):
        _rma, document = self._exchange(self.gadget_line, self.gadget)
        self.assertEqual(document.move_type, "out_invoice")
        self.assertAlmostEqual(document.amount_total, 0.0)
        self.assertEqual(len(document.invoice_line_ids), 2)

    def test_exchange_up_invoices_the_difference(self):
        # 2 gadgets back (120 with taxes) for 2 deluxe widgets (360 with taxes)
        rma, document = self._exchange(self.gadget_line, self.deluxe)
        self.assertEqual(document.move_type, "out_invoice")
        self.assertAlmostEqual(document.amount_total, 240.0)
        self.assertEqual(
            document.invoice_line_ids.sale_line_ids, self.gadget_line | rma.replacement_order_id.order_line
        )
        self.assertEqual(self.gadget_line.qty_invoiced, 0, "the returned gadgets are taken off")

    def test_exchange_down_credits_the_difference(self):
        # 2 widgets back (216 with discount and taxes) for 2 gadgets (120 with taxes)
        rma, document = self._exchange(self.widget_line, self.gadget)
        self.assertEqual(document.move_type, "out_refund")
        self.assertEqual(document.reversed_entry_id, self.invoice)
        self.assertAlmostEqual(document.amount_total, 96.0)
        self.assertEqual(rma.replacement_order_id.order_line.qty_invoiced, 2)

    def test_exchange_before_inspection_is_refused(self):
        rma = self._received_return()
        with self.assertRaisesRegex(UserError, "Exchanging"):
            rma.action_exchange()
        self.assertFalse(rma.replacement_order_id)
