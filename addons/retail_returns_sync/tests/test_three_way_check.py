# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from .common import ReturnsCase

START = datetime(2026, 3, 2, 9, 0)


class TestThreeWayCheck(ReturnsCase):
    def _exceptions(self, rma):
        return self.env["retail.exception"].search([("res_model", "=", "retail.return"), ("res_id", "=", rma.id)])

    def _check_at(self, moment):
        with freeze_time(moment):
            return self.env["retail.return"]._cron_three_way_check()

    def test_received_but_not_refunded_after_the_delay(self):
        with freeze_time(START):
            rma = self._inspected_return()
        self._check_at(START + timedelta(days=13))
        self.assertFalse(self._exceptions(rma), "not yet late")
        self._check_at(START + timedelta(days=15))
        exception = self._exceptions(rma)
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.type_code, "return_received_not_refunded")
        self.assertEqual(exception.category, "finance")
        self.assertIn(rma.name, exception.message)
        self.assertEqual(exception.company_id, rma.company_id)

    def test_refund_resolves_the_exception(self):
        with freeze_time(START):
            rma = self._inspected_return()
        self._check_at(START + timedelta(days=15))
        with freeze_time(START + timedelta(days=16)):
            rma.action_refund()
        self.assertEqual(self._exceptions(rma).state, "resolved")

    def test_refunded_but_not_received_after_the_delay(self):
        with freeze_time(START):
            rma = self._new_return(refund_before_receipt=True)
            rma.action_approve()
            rma.action_refund()
        self._check_at(START + timedelta(days=15))
        exception = self._exceptions(rma)
        self.assertEqual(exception.type_code, "return_refunded_not_received")
        self.assertEqual(exception.severity, "high")
        with freeze_time(START + timedelta(days=16)):
            rma.action_receive()
        self.assertEqual(exception.state, "resolved", "the goods arrived")

    def test_refunded_but_partly_received_is_reported(self):
        with freeze_time(START):
            rma = self._new_return(refund_before_receipt=True)
            rma.action_approve()
            rma.action_refund()
        with freeze_time(START + timedelta(days=2)):
            receipt = rma.picking_ids
            receipt.move_ids.quantity = 1
            receipt.move_ids.picked = True
            receipt.with_context(cancel_backorder=True, skip_backorder=True).button_validate()
        self.assertEqual(rma.line_ids.refund_qty, 2, "the refund paid for 2")
        self._check_at(START + timedelta(days=15))
        self.assertEqual(self._exceptions(rma).type_code, "return_refunded_not_received")

    def test_company_delay_is_used(self):
        self.company.retail_return_check_days = 3
        with freeze_time(START):
            rma = self._received_return()
        self._check_at(START + timedelta(days=4))
        self.assertEqual(len(self._exceptions(rma)), 1)

    def test_running_twice_updates_the_same_exception(self):
        with freeze_time(START):
            rma = self._received_return()
        self._check_at(START + timedelta(days=15))
        self._check_at(START + timedelta(days=16))
        exception = self._exceptions(rma)
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.occurrence_count, 2)

    def test_refunded_and_received_is_fine(self):
        with freeze_time(START):
            rma = self._inspected_return()
            rma.action_refund()
        self._check_at(START + timedelta(days=30))
        self.assertFalse(self._exceptions(rma))

    # ------------------------------------------------------------------ restocked but not received
    def test_restocked_more_than_received_after_the_delay(self):
        with freeze_time(START):
            rma = self._inspected_return()
            # a second restock of the same items: more put away than ever arrived
            input_location = rma.warehouse_id._retail_return_location("input")
            self.env["stock.quant"]._update_available_quantity(self.widget, input_location, 2.0)
            rma._move_to(rma.line_ids, input_location, rma.line_ids._destination())
            rma.action_refund()
        self._check_at(START + timedelta(days=13))
        self.assertFalse(self._exceptions(rma), "not yet late")
        self._check_at(START + timedelta(days=15))
        exception = self._exceptions(rma)
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.type_code, "return_restocked_not_received")
        self.assertEqual((exception.res_model, exception.res_id), ("retail.return", rma.id))
        self.assertIn("4", exception.message)
        self.assertIn(rma.name, exception.message)
        self._check_at(START + timedelta(days=16))
        self.assertEqual(self._exceptions(rma).occurrence_count, 2, "one exception, updated")

    def test_inspected_without_a_done_receipt_is_reported(self):
        with freeze_time(START):
            rma = self._new_return()
            rma.action_approve()
            # marked inspected by hand (or by a channel) while the parcel is still on its way
            rma.write({"state": "inspected", "date_inspected": START})
        self._check_at(START + timedelta(days=15))
        exception = self._exceptions(rma).filtered(lambda e: e.type_code == "return_restocked_not_received")
        self.assertEqual(len(exception), 1)
        self.assertIn("receipt is not done", exception.message)

    def test_inspected_and_restocked_as_received_is_fine(self):
        with freeze_time(START):
            rma = self._inspected_return()
            rma.action_refund()
        self._check_at(START + timedelta(days=30))
        self.assertFalse(self._exceptions(rma))
