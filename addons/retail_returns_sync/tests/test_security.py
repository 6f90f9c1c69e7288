# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from .common import ReturnsCase


class TestReturnSecurity(ReturnsCase):
    def test_warehouse_user_runs_the_return_up_to_inspection(self):
        rma = self._new_return().with_user(self.stock_user)
        rma.action_approve()
        rma.action_receive()
        self._inspect(rma, self.grades["restock"])
        self.assertEqual(rma.state, "inspected")
        self.assertEqual(self._quantity_in(self.widget, self.stock_location), 20 - 3 + 2)

    def test_warehouse_user_cannot_refund(self):
        rma = self._inspected_return()
        with self.assertRaisesRegex(AccessError, "Only accountants"):
            rma.with_user(self.stock_user).action_refund()
        self.assertEqual(rma.state, "inspected")
        self.assertFalse(rma.account_move_ids)

    def test_accountant_refunds_and_posts(self):
        self.company.retail_return_post_refunds = True
        rma = self._inspected_return()
        rma.with_user(self.accountant).action_refund()
        self.assertEqual(rma.state, "refunded")
        self.assertEqual(rma.account_move_ids.state, "posted")
        self.assertAlmostEqual(rma.account_move_ids.amount_total, 216.0)

    def test_warehouse_user_cannot_change_grades(self):
        with self.assertRaises(AccessError):
            self.env["retail.return.grade"].with_user(self.stock_user).create(
                {"name": "Sneaky", "disposition": "restock"}
            )

    def test_other_company_does_not_see_the_return(self):
        rma = self._new_return()
        other_company = self.env["res.company"].create({"name": "Other Returns Co"})
        outsider = new_test_user(
            self.env,
            login="returns_outsider",
            groups="stock.group_stock_user",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertFalse(self.env["retail.return"].with_user(outsider).search([("id", "=", rma.id)]))
        self.assertTrue(self.env["retail.return"].with_user(self.stock_user).search([("id", "=", rma.id)]))

    def test_accountant_exchanges(self):
        rma = self._inspected_return([(self.gadget_line, 2)])
        rma.line_ids.exchange_product_id = self.deluxe
        rma.with_user(self.accountant).action_exchange()
        self.assertEqual(rma.state, "exchanged")
        self.assertEqual(rma.replacement_order_id.state, "sale")
        self.assertAlmostEqual(rma.account_move_ids.amount_total, 240.0)

    def test_each_role_opens_a_refunded_return(self):
        pure_accountant = new_test_user(
            self.env, login="returns_pure_accountant", groups="account.group_account_invoice"
        )
        rma = self._inspected_return()
        rma.action_refund()
        fields_to_read = ["name", "state", "picking_count", "account_move_count", "amount_refund"]
        for user in (self.stock_user, pure_accountant):
            rma.invalidate_recordset()
            values = rma.with_user(user).read(fields_to_read)[0]
            self.assertEqual(values["picking_count"], 2, user.login)
            self.assertEqual(values["account_move_count"], 1, user.login)
            self.assertAlmostEqual(values["amount_refund"], 216.0)
            rma.with_user(user).get_views([(False, "form")])
