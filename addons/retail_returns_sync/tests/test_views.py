# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form

from .common import ReturnsCase


class TestReturnForm(ReturnsCase):
    def test_form_fills_the_customer_and_product_from_the_order(self):
        form = Form(self.env["retail.return"])
        form.sale_order_id = self.order
        self.assertEqual(form.partner_id, self.customer)
        with form.line_ids.new() as line:
            line.sale_line_id = self.widget_line
            line.quantity = 1
        rma = form.save()
        self.assertEqual(rma.line_ids.product_id, self.widget)
        self.assertAlmostEqual(rma.amount_refund, 108.0)

    def test_every_view_of_returns_loads(self):
        views = self.env["retail.return"].get_views([(False, kind) for kind in ("form", "list", "kanban", "search")])
        self.assertIn('name="action_approve"', views["views"]["form"]["arch"])
        analysis = self.env["retail.return.line"].get_views([(False, "pivot"), (False, "graph")])
        self.assertIn('name="reason_id"', analysis["views"]["pivot"]["arch"])

    def test_sale_order_counts_its_returns(self):
        self._new_return()
        self.assertEqual(self.order.retail_return_count, 1)
        action = self.order.action_view_retail_returns()
        self.assertEqual(self.env["retail.return"].search(action["domain"]).sale_order_id, self.order)

    def test_smart_buttons_open_the_documents(self):
        rma = self._inspected_return([(self.gadget_line, 2)])
        rma.line_ids.exchange_product_id = self.deluxe
        rma.action_exchange()
        self.assertEqual(rma.picking_count, 2, "the receipt and the restock transfer")
        pickings = self.env["stock.picking"].search(rma.action_view_pickings()["domain"])
        self.assertEqual(pickings, rma.picking_ids)
        self.assertEqual(rma.account_move_count, 1)
        moves = self.env["account.move"].search(rma.action_view_account_moves()["domain"])
        self.assertEqual(moves, rma.account_move_ids)
        self.assertEqual(rma.action_view_replacement_order()["res_id"], rma.replacement_order_id.id)

    def test_settings_write_the_company_return_options(self):
        settings = self.env["res.config.settings"].create(
            {"retail_return_check_days": 7, "retail_return_restocking_fee": 12.5, "retail_return_post_refunds": True}
        )
        settings.execute()
        self.assertEqual(self.company.retail_return_check_days, 7)
        self.assertEqual(self.company.retail_return_restocking_fee, 12.5)
        self.assertTrue(self.company.retail_return_post_refunds)
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="retail_return_check_days"', arch)

    def test_inspection_wizard_and_config_views_load(self):
        rma = self._received_return()
        action = rma.action_inspect()
        wizard_model = self.env[action["res_model"]].with_context(**action["context"])
        form = Form(wizard_model)
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                line.grade_id = self.grades["restock"]
        form.save().action_confirm()
        self.assertEqual(rma.state, "inspected")
        for model in ("retail.return.reason", "retail.return.grade", "retail.return.line"):
            views = self.env[model].get_views([(False, "list"), (False, "form"), (False, "search")])
            self.assertTrue(views["views"]["list"]["arch"], model)
        for xmlid in (
            "retail_returns_sync.menu_retail_return",
            "retail_returns_sync.menu_retail_return_analysis",
            "retail_returns_sync.menu_retail_return_reason",
            "retail_returns_sync.menu_retail_return_grade",
        ):
            menu = self.env.ref(xmlid)
            action = menu.action
            self.assertTrue(action, xmlid)
            modes = [(False, mode if mode != "tree" else "list") for mode in action.view_mode.split(",")]
            self.assertTrue(self.env[action.res_model].get_views(modes)["views"], xmlid)

    def test_return_form_renders_with_form_helper(self):
        rma = self._inspected_return()
        form = Form(rma)
        self.assertEqual(form.state, "inspected")
        self.assertTrue(form.date_requested)
