# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from .common import ReturnsCase


class TestReturnWorkflow(ReturnsCase):
    def test_name_comes_from_the_return_sequence(self):
        rma = self._new_return()
        self.assertRegex(rma.name, rf"^RET/{date.today().year}/\d{{4}}$")
        self.assertEqual(rma.state, "requested")
        self.assertEqual(rma.warehouse_id, self.warehouse, "the warehouse of the origin order")

    def test_approve_creates_the_receipt_into_the_returns_input(self):
        rma = self._new_return()
        rma.action_approve()
        self.assertEqual(rma.state, "awaiting_receipt")
        self.assertTrue(rma.date_approved)
        receipt = rma.picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(receipt.origin, rma.name)
        self.assertEqual(receipt.location_id.usage, "customer")
        self.assertEqual(receipt.location_dest_id, self.warehouse.retail_return_input_location_id)
        self.assertEqual(receipt.location_dest_id.location_id, self.warehouse.view_location_id)
        self.assertEqual(receipt.move_ids.product_uom_qty, 2)
        self.assertEqual(receipt.move_ids.sale_line_id, self.widget_line)

    def test_receive_sets_received_quantities_and_lowers_delivered(self):
        rma = self._received_return()
        self.assertEqual(rma.state, "received")
        self.assertTrue(rma.date_received)
        self.assertEqual(rma.line_ids.received_qty, 2)
        self.assertEqual(rma.picking_ids.state, "done")
        self.assertEqual(self.widget_line.qty_delivered, 1, "3 delivered, 2 came back")
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_return_input_location_id), 2)

    def test_validating_the_transfer_receives_the_return(self):
        rma = self._new_return()
        rma.action_approve()
        receipt = rma.picking_ids
        receipt.move_ids.quantity = 1
        receipt.move_ids.picked = True
        receipt.with_context(cancel_backorder=True, skip_backorder=True).button_validate()
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.received_qty, 1)
        self.assertEqual(rma.line_ids.refund_qty, 1, "only what came back is refunded")
        self.assertAlmostEqual(rma.amount_refund, 108.0)

    def test_decline_then_approve_is_refused(self):
        rma = self._new_return()
        rma.action_decline()
        self.assertEqual(rma.state, "declined")
        with self.assertRaisesRegex(UserError, "Approving is not possible"):
            rma.action_approve()
        self.assertFalse(rma.picking_ids)

    def test_receive_before_approval_is_refused(self):
        rma = self._new_return()
        with self.assertRaisesRegex(UserError, "Receiving is not possible"):
            rma.action_receive()

    def test_refund_before_inspection_is_refused(self):
        rma = self._received_return()
        with self.assertRaisesRegex(UserError, "must be inspected first"):
            rma.action_refund()
        self.assertFalse(rma.account_move_ids)

    def test_inspect_before_receipt_is_refused(self):
        rma = self._new_return()
        rma.action_approve()
        with self.assertRaisesRegex(UserError, "once its goods are received"):
            rma.action_inspect()

    def test_cancel_cancels_the_open_receipt(self):
        rma = self._new_return()
        rma.action_approve()
        rma.action_cancel()
        self.assertEqual(rma.state, "cancel")
        self.assertEqual(rma.picking_ids.state, "cancel")

    def test_cancel_after_receipt_is_refused(self):
        rma = self._received_return()
        with self.assertRaisesRegex(UserError, "Cancelling is not possible"):
            rma.action_cancel()

    def test_close_only_after_refund_or_exchange(self):
        rma = self._inspected_return()
        with self.assertRaisesRegex(UserError, "Closing is not possible"):
            rma.action_done()
        rma.action_refund()
        rma.action_done()
        self.assertEqual(rma.state, "done")

    def test_only_unstarted_returns_can_be_deleted(self):
        started = self._new_return([(self.widget_line, 1)])
        started.action_approve()
        with self.assertRaisesRegex(UserError, "cancel it instead"):
            started.unlink()
        draft = self._new_return([(self.widget_line, 1)])
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_approve_without_lines_is_refused(self):
        rma = self.env["retail.return"].create({"partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "no lines"):
            rma.action_approve()


class TestReturnQuantityGuards(ReturnsCase):
    def test_cannot_return_more_than_delivered(self):
        with self.assertRaisesRegex(ValidationError, "Only 3.0 Widget can be returned"), self.cr.savepoint():
            self._new_return([(self.widget_line, 4)])

    def test_other_returns_reduce_what_can_be_returned(self):
        first = self._new_return([(self.widget_line, 2)])
        with self.assertRaisesRegex(ValidationError, "Only 1.0 Widget can be returned"), self.cr.savepoint():
            self._new_return([(self.widget_line, 2)])
        first.action_cancel()
        second = self._new_return([(self.widget_line, 3)])
        self.assertEqual(second.line_ids.quantity, 3, "a cancelled return frees its quantities")

    def test_received_return_still_counts_against_the_sale_line(self):
        self._received_return([(self.widget_line, 2)])
        with self.assertRaisesRegex(ValidationError, "Only 1.0 Widget"), self.cr.savepoint():
            self._new_return([(self.widget_line, 2)])

    def test_declined_return_does_not_hold_quantities(self):
        self._new_return([(self.widget_line, 3)]).action_decline()
        self.assertEqual(self._new_return([(self.widget_line, 3)]).line_ids.quantity, 3)

    def test_product_must_match_the_sale_line(self):
        rma = self._new_return()
        with self.assertRaisesRegex(ValidationError, "was not sold on the origin order line"), self.cr.savepoint():
            rma.line_ids.product_id = self.gadget

    def test_quantity_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"), self.cr.savepoint():
            self._new_return([(self.widget_line, 0)])

    def test_binding_is_unique_per_backend_and_external_id(self):
        backend = self.env["retail.backend"].create(
            {"name": "Returns Shop", "channel": "shopify", "company_id": self.company.id}
        )
        rma = self._new_return(backend_id=backend.id)
        bindings = self.env["retail.return.binding"]
        bindings.create({"backend_id": backend.id, "external_id": "R-1", "odoo_id": rma.id})
        self.assertEqual(bindings._lookup_record(backend, "R-1"), rma)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            bindings.create({"backend_id": backend.id, "external_id": "R-1", "odoo_id": rma.id})
