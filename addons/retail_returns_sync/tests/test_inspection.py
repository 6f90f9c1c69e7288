# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from .common import ReturnsCase


class TestInspection(ReturnsCase):
    def _check_disposition(self, disposition, location):
        before = self._quantity_in(self.widget, location)
        rma = self._inspected_return(grade=self.grades[disposition])
        self.assertEqual(rma.state, "inspected")
        self.assertEqual(rma.line_ids.disposition, disposition)
        self.assertEqual(self._quantity_in(self.widget, location) - before, 2)
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_return_input_location_id), 0)
        return rma

    def test_restock_puts_the_goods_back_in_stock(self):
        rma = self._check_disposition("restock", self.stock_location)
        internal = rma.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertEqual(internal.state, "done")
        self.assertEqual(internal.location_dest_id, self.stock_location)

    def test_quarantine_moves_to_the_quarantine_location(self):
        location = self.warehouse._retail_return_location("quarantine")
        self._check_disposition("quarantine", location)
        self.assertEqual(location.name, "Quarantine")

    def test_repair_moves_to_the_repair_location(self):
        self._check_disposition("repair", self.warehouse._retail_return_location("repair"))

    def test_vendor_moves_to_the_vendor_returns_location(self):
        self._check_disposition("vendor", self.warehouse._retail_return_location("vendor"))

    def test_scrap_is_valued_at_cost(self):
        rma = self._inspected_return(grade=self.grades["scrap"])
        scrap = rma.scrap_ids
        self.assertEqual(len(scrap), 1)
        self.assertEqual(scrap.state, "done")
        self.assertEqual(scrap.scrap_qty, 2)
        self.assertEqual(self._quantity_in(self.widget, scrap.scrap_location_id), 2)
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_return_input_location_id), 0)
        self.assertAlmostEqual(scrap.move_ids.value, 80.0, msg="2 widgets at a cost of 40")
        self.assertFalse(rma.picking_ids.filtered(lambda p: p.picking_type_code == "internal"))

    def test_one_transfer_per_destination(self):
        rma = self._received_return([(self.widget_line, 2), (self.gadget_line, 2)])
        self._inspect(rma, {self.widget: self.grades["restock"], self.gadget: self.grades["quarantine"]})
        internal = rma.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertEqual(len(internal), 2)
        self.assertEqual(
            set(internal.mapped("location_dest_id").ids),
            {self.stock_location.id, self.warehouse.retail_quarantine_location_id.id},
        )
        self.assertEqual(self._quantity_in(self.gadget, self.warehouse.retail_quarantine_location_id), 2)

    def test_grade_destination_overrides_the_warehouse_location(self):
        shelf = self.env["stock.location"].create(
            {"name": "Outlet shelf", "usage": "internal", "location_id": self.stock_location.id}
        )
        grade = self.env["retail.return.grade"].create(
            {"name": "Outlet", "disposition": "restock", "location_dest_id": shelf.id}
        )
        self._inspected_return(grade=grade)
        self.assertEqual(self._quantity_in(self.widget, shelf), 2)

    def test_disposition_can_be_overridden_on_the_line(self):
        rma = self._received_return()
        rma.line_ids.grade_id = self.grades["restock"]
        rma.line_ids.disposition = "repair"
        rma._apply_inspection({})
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_repair_location_id), 2)

    def test_disposition_changed_by_hand_survives_the_wizard(self):
        rma = self._received_return()
        rma.line_ids.grade_id = self.grades["restock"]
        rma.line_ids.disposition = "vendor"
        self._inspect(rma, self.grades["restock"])
        self.assertEqual(rma.line_ids.disposition, "vendor")
        self.assertEqual(self._quantity_in(self.widget, self.warehouse.retail_vendor_return_location_id), 2)

    def test_every_item_needs_a_grade(self):
        rma = self._received_return()
        wizard = self.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=rma.id).create({})
        self.assertEqual(wizard.line_ids.quantity, 2)
        with self.assertRaisesRegex(UserError, "Grade every item first"):
            wizard.action_confirm()
        self.assertEqual(rma.state, "received")

    def test_barcode_grades_the_scanned_item(self):
        rma = self._received_return()
        wizard = self.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=rma.id).create({})
        wizard.default_grade_id = self.grades["quarantine"]
        wizard.barcode = "RET-W-1"
        wizard._onchange_barcode()
        self.assertEqual(wizard.line_ids.grade_id, self.grades["quarantine"])
        self.assertFalse(wizard.barcode)

    def test_inspection_happens_once(self):
        rma = self._inspected_return()
        with self.assertRaisesRegex(UserError, "once its goods are received"):
            rma._apply_inspection({})


class TestReturnLots(ReturnsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tracked = cls.env["product.product"].create(
            {
                "name": "Tracked Kettle",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "invoice_policy": "delivery",
                "list_price": 80.0,
                "standard_price": 30.0,
                "taxes_id": [cls.tax.id],
            }
        )
        cls.lot = cls.env["stock.lot"].create({"name": "LOT-RET-1", "product_id": cls.tracked.id})
        cls.env["stock.quant"]._update_available_quantity(cls.tracked, cls.stock_location, 5.0, lot_id=cls.lot)
        cls.tracked_order = cls._sell([(cls.tracked, 2, 80.0, 0.0)])

    def test_receipt_and_restock_keep_the_lot(self):
        rma = self._new_return([(self.tracked_order.order_line, 1)], sale_order_id=self.tracked_order.id)
        rma.line_ids.lot_id = self.lot
        rma.action_approve()
        self.assertEqual(rma.picking_ids.move_line_ids.lot_id, self.lot)
        rma.action_receive()
        self.assertEqual(rma.line_ids.received_qty, 1)
        self._inspect(rma, self.grades["restock"])
        quant = self.env["stock.quant"].search(
            [("product_id", "=", self.tracked.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(quant.lot_id, self.lot)
        self.assertEqual(quant.quantity, 5 - 2 + 1)
