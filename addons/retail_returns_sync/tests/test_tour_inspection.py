# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""In a real browser: a warehouse user grades a received return in the inspection wizard."""

import shutil

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ReturnsDataMixin


@tagged("post_install", "-at_install")
class TestInspectionTour(ReturnsDataMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_returns_data()
        cls.warehouse_user = new_test_user(
            cls.env, login="returns_tour_warehouse", groups="base.group_user,stock.group_stock_user"
        )

    def setUp(self):
        super().setUp()
        # Odoo skips a tour silently without a browser or websocket-client: here that is a failure
        self.assertTrue(
            any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
            "a headless Chromium is required for the tours (.ci/run installs Debian's package)",
        )
        __import__("websocket")

    def test_warehouse_user_grades_a_return_in_the_inspection_wizard(self):
        self.assertFalse(self.warehouse_user.has_group("account.group_account_invoice"))
        rma = self._received_return([(self.widget_line, 2), (self.gadget_line, 1)])
        self.assertEqual(rma.state, "received")
        widget_before = self._quantity_in(self.widget, self.stock_location)
        gadget_before = self._quantity_in(self.gadget, self.stock_location)
        self.start_tour(
            f"/odoo/action-retail_returns_sync.action_retail_return/{rma.id}",
            "retail_returns_warehouse_inspection",
            login=self.warehouse_user.login,
        )
        self.assertEqual(rma.state, "inspected")
        widget_line = rma.line_ids.filtered(lambda line: line.product_id == self.widget)
        gadget_line = rma.line_ids.filtered(lambda line: line.product_id == self.gadget)
        self.assertEqual(widget_line.grade_id, self.grades["restock"])
        self.assertEqual(widget_line.disposition, "restock")
        self.assertEqual(gadget_line.grade_id, self.grades["quarantine"])
        # the 2 widgets graded "as new" are back in stock; the gadget waits in quarantine
        self.assertEqual(self._quantity_in(self.widget, self.stock_location), widget_before + 2)
        self.assertEqual(self._quantity_in(self.gadget, self.stock_location), gadget_before)
