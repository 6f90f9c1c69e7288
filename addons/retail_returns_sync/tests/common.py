# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A delivered, invoiced sale order to return goods from, and helpers to walk a return."""

from odoo import Command
from odoo.tests.common import TransactionCase, new_test_user

#: Widget: 3 sold at 100 with 10% discount and 20% tax -> 108 a unit, taxes included
WIDGET_UNIT_REFUND = 108.0
#: Gadget: 2 sold at 50 with 20% tax -> 60 a unit, taxes included
GADGET_UNIT_REFUND = 60.0


class ReturnsDataMixin:
    """The shared data and helpers, for any class-level test case (``TransactionCase``, ``HttpCase``)."""

    @classmethod
    def _setup_returns_data(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.company.tax_calculation_rounding_method = "round_per_line"
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.tax = cls.env["account.tax"].create(
            {"name": "VAT 20% (returns tests)", "amount": 20.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        product_values = {"type": "consu", "is_storable": True, "invoice_policy": "delivery", "taxes_id": [cls.tax.id]}
        cls.widget = cls.env["product.product"].create(
            {**product_values, "name": "Widget", "list_price": 100.0, "standard_price": 40.0, "barcode": "RET-W-1"}
        )
        cls.gadget = cls.env["product.product"].create(
            {**product_values, "name": "Gadget", "list_price": 50.0, "standard_price": 20.0}
        )
        cls.deluxe = cls.env["product.product"].create(
            {**product_values, "name": "Widget Deluxe", "list_price": 150.0, "standard_price": 60.0}
        )
        cls.basic = cls.env["product.product"].create(
            {**product_values, "name": "Widget Basic", "list_price": 75.0, "standard_price": 30.0}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Return Customer", "email": "customer@example.com"})
        quants = cls.env["stock.quant"]
        for product in (cls.widget, cls.gadget, cls.deluxe, cls.basic):
            quants._update_available_quantity(product, cls.stock_location, 20.0)
        cls.order = cls._sell([(cls.widget, 3, 100.0, 10.0), (cls.gadget, 2, 50.0, 0.0)])
        cls.widget_line = cls.order.order_line.filtered(lambda sol: sol.product_id == cls.widget)
        cls.gadget_line = cls.order.order_line.filtered(lambda sol: sol.product_id == cls.gadget)
        cls.invoice = cls.order.invoice_ids
        cls.grades = {
            key: cls.env.ref(f"retail_returns_sync.return_grade_{xmlid}")
            for key, xmlid in (
                ("restock", "as_new"),
                ("quarantine", "to_check"),
                ("repair", "repairable"),
                ("vendor", "vendor_defect"),
                ("scrap", "destroyed"),
            )
        }
        cls.reason = cls.env.ref("retail_returns_sync.return_reason_defective")
        cls.stock_user = new_test_user(cls.env, login="returns_stock_user", groups="stock.group_stock_user")
        # No connector rights: accountants post credit notes of Shopify orders too.
        cls.accountant = new_test_user(
            cls.env, login="returns_accountant", groups="account.group_account_invoice,stock.group_stock_user"
        )

    @classmethod
    def _sell(cls, lines):
        """Confirm, deliver and invoice (posted) an order of (product, qty, price, discount)."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "discount": discount,
                            "tax_ids": [Command.set(cls.tax.ids)],
                        }
                    )
                    for product, qty, price, discount in lines
                ],
            }
        )
        order.action_confirm()
        for picking in order.picking_ids:
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.button_validate()
        invoice = order._create_invoices()
        invoice.action_post()
        return order

    # ------------------------------------------------------------------
    def _new_return(self, lines=None, **values):
        """A requested return of (sale line, qty) pairs, by default 2 widgets."""
        lines = lines or [(self.widget_line, 2)]
        return self.env["retail.return"].create(
            {
                "partner_id": self.customer.id,
                "sale_order_id": self.order.id,
                "line_ids": [
                    Command.create({"sale_line_id": sale_line.id, "quantity": qty, "reason_id": self.reason.id})
                    for sale_line, qty in lines
                ],
                **values,
            }
        )

    def _received_return(self, lines=None, **values):
        rma = self._new_return(lines, **values)
        rma.action_approve()
        rma.action_receive()
        return rma

    def _inspect(self, rma, grades):
        """Inspect through the wizard; ``grades`` is a grade or {product: grade}."""
        wizard = self.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=rma.id).create({})
        for wizard_line in wizard.line_ids:
            wizard_line.grade_id = grades[wizard_line.product_id] if isinstance(grades, dict) else grades
        wizard.action_confirm()
        return rma

    def _inspected_return(self, lines=None, grade=None, **values):
        rma = self._received_return(lines, **values)
        return self._inspect(rma, grade or self.grades["restock"])

    def _quantity_in(self, product, location):
        return sum(
            self.env["stock.quant"]
            .search([("product_id", "=", product.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )


class ReturnsCase(ReturnsDataMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_returns_data()
