# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from .retail_return import INACTIVE_STATES
from .retail_return_grade import DISPOSITIONS


class RetailReturnLine(models.Model):
    _name = "retail.return.line"
    _description = "Customer Return Line"
    _order = "return_id, sequence, id"
    _check_company_auto = True

    return_id = fields.Many2one("retail.return", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    state = fields.Selection(related="return_id.state", store=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="return_id.currency_id")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Origin Order Line",
        index=True,
        check_company=True,
        domain="[('order_id.partner_id', 'child_of', parent.partner_id), ('product_id', '!=', False)]",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit")
    reason_id = fields.Many2one("retail.return.reason", index=True)
    customer_note = fields.Text()
    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", domain="[('product_id', '=', product_id)]", check_company=True
    )
    move_ids = fields.One2many("stock.move", "retail_return_line_id", string="Stock Moves")
    received_qty = fields.Float(compute="_compute_received_qty", store=True, digits="Product Unit")
    refund_qty = fields.Float(
        compute="_compute_refund_amount",
        store=True,
        digits="Product Unit",
        help="What is refunded: the received quantity once the goods are in, the requested one before "
        "(always the requested one when refunded before receipt).",
    )
    grade_id = fields.Many2one("retail.return.grade", index=True)
    disposition = fields.Selection(
        DISPOSITIONS,
        compute="_compute_disposition",
        store=True,
        readonly=False,
        help="Set by the grade; can be changed.",
    )
    exchange_product_id = fields.Many2one(
        "product.product", string="Exchange For", help="Replacement shipped on an exchange (default: same product)."
    )
    refund_amount = fields.Monetary(compute="_compute_refund_amount", store=True)
    days_to_refund = fields.Float(
        related="return_id.days_to_refund", store=True, aggregator="avg", string="Days to Refund"
    )

    @api.depends("sale_line_id")
    def _compute_product_id(self):
        for line in self:
            if line.sale_line_id:
                line.product_id = line.sale_line_id.product_id

    @api.depends("move_ids.state", "move_ids.quantity", "move_ids.picking_code")
    def _compute_received_qty(self):
        for line in self:
            moves = line.move_ids.filtered(lambda m: m.state == "done" and m.picking_code == "incoming")
            line.received_qty = sum(m.product_uom._compute_quantity(m.quantity, line.product_uom_id) for m in moves)

    @api.depends("grade_id")
    def _compute_disposition(self):
        for line in self:
            line.disposition = line.grade_id.disposition or line.disposition

    @api.depends(
        "quantity",
        "received_qty",
        "return_id.date_received",
        "return_id.refund_before_receipt",
        "sale_line_id.price_total",
        "sale_line_id.product_uom_qty",
    )
    def _compute_refund_amount(self):
        for line in self:
            rma = line.return_id
            # A refund made before the receipt paid the requested quantity: it stays the reference.
            qty = line.received_qty if rma.date_received and not rma.refund_before_receipt else line.quantity
            line.refund_qty = qty
            sale_line = line.sale_line_id
            if sale_line and sale_line.product_uom_qty:
                # price_total carries the discount and the taxes of the sale.
                amount = sale_line.price_total / sale_line.product_uom_qty * qty
            else:
                amount = line.product_id.lst_price * qty
            line.refund_amount = line.currency_id.round(amount) if line.currency_id else amount

    def _destination(self):
        self.ensure_one()
        warehouse = self.return_id.warehouse_id
        if self.grade_id and self.grade_id.disposition == self.disposition:
            return self.grade_id._destination(warehouse)
        return warehouse._retail_return_location(self.disposition)

    def _scrap(self, source):
        self.ensure_one()
        scrap = self.return_id._clean_env()["stock.scrap"].create(
            {
                "product_id": self.product_id.id,
                "product_uom_id": self.product_uom_id.id,
                "scrap_qty": self.received_qty,
                "lot_id": self.lot_id.id,
                "location_id": source.id,
                "origin": self.return_id.name,
                "company_id": self.company_id.id,
                "retail_return_id": self.return_id.id,
            }
        )
        scrap.do_scrap()
        return scrap

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------
    @api.constrains("quantity")
    def _check_quantity_positive(self):
        for line in self:
            if float_compare(line.quantity, 0.0, precision_digits=6) <= 0:
                raise ValidationError(_("The quantity to return of %s must be positive.", line.product_id.name))

    @api.constrains("sale_line_id", "product_id")
    def _check_sale_line(self):
        # sudo: a warehouse user may not read the sales order it checks against
        for line in self.sudo().filtered("sale_line_id"):
            if line.sale_line_id.product_id != line.product_id:
                raise ValidationError(_("%s was not sold on the origin order line.", line.product_id.name))
            # one return may gather goods of several orders, all of the same customer
            customer = line.return_id.partner_id.commercial_partner_id
            order = line.sale_line_id.order_id
            if customer and order.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "%(product)s comes from %(order)s, an order of another customer than %(customer)s.",
                        product=line.product_id.name,
                        order=order.name,
                        customer=customer.name,
                    )
                )

    @api.constrains("quantity", "sale_line_id", "state")
    def _check_returnable_quantity(self):
        lines = self.sudo().filtered(lambda line: line.sale_line_id and line.state not in INACTIVE_STATES)
        lines._lock_sale_lines()
        for line in lines:
            returnable = line._returnable_qty()
            if float_compare(line.quantity, returnable, precision_rounding=line.product_uom_id.rounding or 0.01) > 0:
                raise ValidationError(
                    _(
                        "Only %(returnable)s %(product)s can be returned from %(order)s "
                        "(delivered minus already returned), not %(quantity)s.",
                        returnable=returnable,
                        product=line.product_id.name,
                        order=line.sale_line_id.order_id.name,
                        quantity=line.quantity,
                    )
                )

    def _lock_sale_lines(self):
        """Serialise returns of the same sale lines.

        A no-op update (not a mere row lock) makes a concurrent transaction
        checking the same line fail to serialise and retry, so two returns
        approved at once cannot both take the last units.
        """
        sale_lines = self.sale_line_id
        if sale_lines:
            self.env.cr.execute(
                "UPDATE sale_order_line SET write_date = write_date WHERE id IN %s", (tuple(sale_lines.ids),)
            )

    def _returnable_qty(self):
        """Delivered on the sale line minus what other open returns already take back."""
        self.ensure_one()
        sale_line = self.sale_line_id
        outgoing, _incoming = sale_line._get_outgoing_incoming_moves()
        delivered = sum(
            move.product_uom._compute_quantity(move.quantity, sale_line.product_uom_id)
            for move in outgoing.filtered(lambda m: m.state == "done")
        )
        others = self.sudo().search(
            [
                ("sale_line_id", "=", sale_line.id),
                ("id", "!=", self.id),
                ("state", "not in", INACTIVE_STATES),
            ]
        )
        return delivered - sum(others.mapped("quantity"))
