# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round
from odoo.tools.misc import clean_context

STATES = [
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("declined", "Declined"),
    ("awaiting_receipt", "Awaiting Receipt"),
    ("received", "Received"),
    ("inspected", "Inspected"),
    ("refunded", "Refunded"),
    ("exchanged", "Exchanged"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
#: returns in these states hold quantities of their sale lines
INACTIVE_STATES = ("declined", "cancel")
#: a refund may be made from these states only when refunded before receipt
EARLY_REFUND_STATES = ("approved", "awaiting_receipt")


class RetailReturn(models.Model):
    """A customer's return (RMA): approval, receipt, inspection, then refund or exchange."""

    _name = "retail.return"
    _description = "Customer Return"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(default=lambda self: _("New"), readonly=True, copy=False, index=True)
    state = fields.Selection(
        STATES, default="requested", required=True, readonly=True, copy=False, tracking=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, help="The origin order's currency."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, tracking=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Origin Order",
        tracking=True,
        index=True,
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id), ('state', '=', 'sale')]",
    )
    sale_order_ids = fields.Many2many(
        "sale.order",
        "retail_return_sale_order_rel",
        "return_id",
        "order_id",
        string="Origin Orders",
        compute="_compute_sale_order_ids",
        store=True,
        help="Every order the returned goods were sold on (one return may gather several).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        check_company=True,
    )
    backend_id = fields.Many2one("retail.backend", string="Channel", index=True, ondelete="set null")
    binding_ids = fields.One2many("retail.return.binding", "odoo_id", string="Channel Bindings", copy=False)
    line_ids = fields.One2many("retail.return.line", "return_id", string="Lines", copy=True)
    picking_ids = fields.One2many("stock.picking", "retail_return_id", string="Transfers", copy=False)
    # Counts are computed as superuser: warehouse users see the refund count, accountants the transfer count.
    picking_count = fields.Integer(compute="_compute_counts", compute_sudo=True)
    scrap_ids = fields.One2many("stock.scrap", "retail_return_id", string="Scraps", copy=False)
    account_move_ids = fields.One2many("account.move", "retail_return_id", string="Refunds and Invoices", copy=False)
    account_move_count = fields.Integer(compute="_compute_counts", compute_sudo=True)
    replacement_order_id = fields.Many2one("sale.order", copy=False, readonly=True)
    refund_before_receipt = fields.Boolean(
        tracking=True, help="Refund as soon as the return is approved, without waiting for the goods."
    )
    restocking_fee_percent = fields.Float(
        string="Restocking Fee (%)",
        default=lambda self: self.env.company.retail_return_restocking_fee,
        help="Percentage of the refunded goods (taxes included) kept by the shop.",
    )
    shipping_refund_amount = fields.Monetary(help="Shipping costs paid back to the customer.")
    amount_lines = fields.Monetary(string="Goods Refund", compute="_compute_amounts")
    amount_restocking_fee = fields.Monetary(string="Restocking Fee", compute="_compute_amounts")
    amount_refund = fields.Monetary(string="Total Refund", compute="_compute_amounts")
    date_requested = fields.Datetime(
        string="Requested On", default=fields.Datetime.now, readonly=True, copy=False, index=True
    )
    date_approved = fields.Datetime(readonly=True, copy=False)
    date_received = fields.Datetime(readonly=True, copy=False)
    date_inspected = fields.Datetime(readonly=True, copy=False)
    date_refunded = fields.Datetime(readonly=True, copy=False)
    days_to_refund = fields.Float(
        compute="_compute_days_to_refund",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Days from the request to the refund (credit note or exchange); empty until refunded.",
    )
    note = fields.Html()

    @api.depends("sale_order_id", "line_ids.sale_line_id")
    def _compute_sale_order_ids(self):
        for rma in self:
            rma.sale_order_ids = rma.sale_order_id | rma.line_ids.sale_line_id.order_id

    @api.constrains("sale_order_ids")
    def _check_one_currency(self):
        for rma in self.sudo():
            if len(rma.sale_order_ids.currency_id) > 1:
                raise ValidationError(
                    _("Return %s gathers orders in different currencies: make one return per currency.", rma.name)
                )

    @api.depends("sale_order_id", "company_id")
    def _compute_warehouse_id(self):
        for rma in self:
            rma.warehouse_id = rma.sale_order_id.warehouse_id or self.env["stock.warehouse"].search(
                [("company_id", "=", rma.company_id.id)], limit=1
            )

    @api.depends("sale_order_id.currency_id", "company_id")
    def _compute_currency_id(self):
        for rma in self:
            rma.currency_id = rma.sale_order_id.currency_id or rma.company_id.currency_id

    @api.depends("picking_ids", "account_move_ids")
    def _compute_counts(self):
        for rma in self:
            rma.picking_count = len(rma.picking_ids)
            rma.account_move_count = len(rma.account_move_ids)

    @api.depends("date_requested", "date_refunded")
    def _compute_days_to_refund(self):
        for rma in self:
            start = rma.date_requested or rma.create_date
            if start and rma.date_refunded:
                rma.days_to_refund = round((rma.date_refunded - start).total_seconds() / 86400.0, 2)
            else:
                rma.days_to_refund = 0.0

    @api.depends("line_ids.refund_amount", "restocking_fee_percent", "shipping_refund_amount")
    def _compute_amounts(self):
        for rma in self:
            goods = sum(rma.line_ids.mapped("refund_amount"))
            fee = rma.currency_id.round(goods * rma.restocking_fee_percent / 100.0)
            rma.amount_lines = goods
            rma.amount_restocking_fee = fee
            rma.amount_refund = goods - fee + rma.shipping_refund_amount

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        if self.sale_order_id:
            self.partner_id = self.sale_order_id.partner_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("retail.return") or _("New")
        returns = super().create(vals_list)
        # the orders' side of the relation is not refreshed by the computed field
        returns.flush_recordset(["sale_order_ids"])
        returns.sale_order_ids.invalidate_recordset(["retail_return_ids", "retail_return_count"])
        return returns

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unstarted(self):
        started = self.filtered(lambda r: r.state not in ("requested", "declined", "cancel"))
        if started:
            raise UserError(_("Return %s is under way: cancel it instead of deleting it.", started[0].name))

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------
    def _clean_env(self):
        """An environment without the default_* keys of the calling view or wizard."""
        return self.env(context=clean_context(self.env.context))

    def _check_state(self, allowed, action):
        for rma in self:
            if rma.state not in allowed:
                state_label = dict(STATES)[rma.state]
                raise UserError(
                    _(
                        "%(action)s is not possible: return %(name)s is %(state)s.",
                        action=action,
                        name=rma.name,
                        state=state_label,
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def action_approve(self):
        """Accept the return and prepare the receipt of the goods."""
        self._check_state(("requested",), _("Approving"))
        for rma in self:
            if not rma.line_ids:
                raise UserError(_("Return %s has no lines to approve.", rma.name))
            rma.line_ids._check_returnable_quantity()
            rma.write({"state": "approved", "date_approved": fields.Datetime.now()})
            rma._create_receipt()
        return True

    def action_decline(self):
        self._check_state(("requested",), _("Declining"))
        self.write({"state": "declined"})
        return True

    def action_cancel(self):
        self._check_state(("requested", "approved", "awaiting_receipt", "declined"), _("Cancelling"))
        self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        self.write({"state": "cancel"})
        return True

    def action_reset_to_requested(self):
        self._check_state(("declined", "cancel"), _("Reopening"))
        self.write({"state": "requested"})
        return True

    def _create_receipt(self):
        """Incoming transfers from the customer into the returns input location."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.product_id.is_storable)
        if not lines:
            return self.env["stock.picking"]
        warehouse = self.warehouse_id
        picking_type = warehouse.in_type_id
        customer_location = self.partner_id.property_stock_customer or self.env.ref("stock.stock_location_customers")
        input_location = warehouse._retail_return_location("input")
        # One transfer per origin order: a transfer belongs to one sales order.
        groups = {}
        for line in lines:
            groups.setdefault(line.sale_line_id.order_id, []).append(line)
        pickings = self.env["stock.picking"]
        for group in groups.values():
            pickings |= self._create_receipt_picking(group, picking_type, customer_location, input_location)
        self.state = "awaiting_receipt"
        return pickings

    def _create_receipt_picking(self, lines, picking_type, customer_location, input_location):
        picking = self._clean_env()["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.partner_id.id,
                "origin": self.name,
                "location_id": customer_location.id,
                "location_dest_id": input_location.id,
                "company_id": self.company_id.id,
                "retail_return_id": self.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "product_uom_qty": line.quantity,
                            "product_uom": line.product_uom_id.id,
                            "location_id": customer_location.id,
                            "location_dest_id": input_location.id,
                            "retail_return_line_id": line.id,
                            # Counted as a return of the sale line: its delivered quantity goes down.
                            "sale_line_id": line.sale_line_id.id,
                            "to_refund": bool(line.sale_line_id),
                            "company_id": self.company_id.id,
                        }
                    )
                    for line in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        for move in picking.move_ids:
            lot = move.retail_return_line_id.lot_id
            if lot:
                move.move_line_ids.write({"lot_id": lot.id})
        return picking

    def _receipts(self):
        return self.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def action_receive(self):
        """Validate the receipt with the expected quantities (same as validating the transfer)."""
        self._check_state(("awaiting_receipt", "refunded"), _("Receiving"))
        for rma in self:
            pickings = rma._receipts().filtered(lambda p: p.state not in ("done", "cancel"))
            if not pickings:
                raise UserError(_("Return %s has no receipt waiting to be validated.", rma.name))
            for move in pickings.move_ids:
                if not move.quantity:
                    move.quantity = move.product_uom_qty
                move.picked = True
            result = pickings.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
            if isinstance(result, dict):
                raise UserError(_("The receipt of %s needs details: validate it from the transfer.", rma.name))
        return True

    def _on_receipt_done(self):
        """Called when a receipt of the return is validated (from here or from the transfer)."""
        for rma in self.filtered(lambda r: r.state in ("approved", "awaiting_receipt", "refunded")):
            values = {"date_received": fields.Datetime.now()}
            if rma.state != "refunded":
                values["state"] = "received"
            rma.write(values)
            self.env["retail.exception"]._resolve_key(
                rma._check_key("not_received"), backend=rma.backend_id, note=_("The goods were received.")
            )

    def action_inspect(self):
        self.ensure_one()
        if not self._can_inspect():
            raise UserError(_("Return %s can be inspected once its goods are received.", self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Inspect %s", self.name),
            "res_model": "retail.return.inspect.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_retail_return_id": self.id},
        }

    def _can_inspect(self):
        self.ensure_one()
        return bool(self.date_received and not self.date_inspected and self.state in ("received", "refunded"))

    def _apply_inspection(self, grades):
        """Grade the lines ({line: grade}) and move each item to where its disposition sends it."""
        self.ensure_one()
        if not self._can_inspect():
            raise UserError(_("Return %s can be inspected once its goods are received.", self.name))
        for line, grade in grades.items():
            if line.grade_id != grade:  # keeps a disposition changed by hand for the same grade
                line.grade_id = grade
        missing = self.line_ids.filtered(lambda line: line.received_qty and not line.grade_id)
        if missing:
            raise UserError(_("Grade every received item first: %s.", ", ".join(missing.product_id.mapped("name"))))
        input_location = self.warehouse_id._retail_return_location("input")
        by_destination = {}
        for line in self.line_ids.filtered(lambda line: line.received_qty > 0):
            if line.disposition == "scrap":
                line._scrap(input_location)
                continue
            destination = line._destination()
            if destination != input_location:
                by_destination.setdefault(destination, self.env["retail.return.line"])
                by_destination[destination] |= line
        for destination, lines in by_destination.items():
            self._move_to(lines, input_location, destination)
        values = {"date_inspected": fields.Datetime.now()}
        if self.state == "received":
            values["state"] = "inspected"
        self.write(values)
        return True

    def _move_to(self, lines, source, destination):
        """One internal transfer per destination, validated at once: the items are already there."""
        picking = self._clean_env()["stock.picking"].create(
            {
                "picking_type_id": self.warehouse_id.int_type_id.id,
                "origin": self.name,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
                "retail_return_id": self.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "product_uom_qty": line.received_qty,
                            "product_uom": line.product_uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "retail_return_line_id": line.id,
                            "company_id": self.company_id.id,
                        }
                    )
                    for line in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        for move in picking.move_ids:
            if move.quantity < move.product_uom_qty:
                raise UserError(
                    _(
                        "%(product)s is no longer in %(location)s: it cannot be moved to %(destination)s.",
                        product=move.product_id.display_name,
                        location=source.display_name,
                        destination=destination.display_name,
                    )
                )
            move.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
        return picking

    # ------------------------------------------------------------------
    # Refunds and exchanges
    # ------------------------------------------------------------------
    def _check_accountant(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants (Invoicing users) can refund or invoice returns."))

    def _origin_invoice(self):
        invoices = self.line_ids.sale_line_id.invoice_lines.move_id.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        return invoices.sorted("id")[:1]

    def _document_values(self, move_type):
        self.ensure_one()
        order = self.sale_order_id or self.line_ids.sale_line_id.order_id[:1]
        origin_invoice = self._origin_invoice()
        values = {
            "move_type": move_type,
            "partner_id": (order.partner_invoice_id or self.partner_id).id,
            "company_id": self.company_id.id,
            "currency_id": (order.currency_id or self.currency_id).id,
            "invoice_origin": self.name,
            "ref": self.name,
            "retail_return_id": self.id,
            "invoice_line_ids": [],
        }
        if order.fiscal_position_id:
            values["fiscal_position_id"] = order.fiscal_position_id.id
        if move_type == "out_refund" and origin_invoice:
            values["reversed_entry_id"] = origin_invoice.id
        return values

    def _goods_line_values(self, sign=1):
        """Invoice lines of the returned goods at their sale line's price, discount and taxes."""
        values = []
        for line in self.line_ids.filtered(lambda line: line.refund_qty > 0):
            if line.sale_line_id:
                vals = line.sale_line_id._prepare_invoice_line(quantity=sign * line.refund_qty)
                vals.pop("sequence", None)
            else:
                vals = {
                    "product_id": line.product_id.id,
                    "quantity": sign * line.refund_qty,
                    "product_uom_id": line.product_uom_id.id,
                    "price_unit": line.product_id.lst_price,
                }
            values.append(Command.create(vals))
        return values

    def _fee_and_shipping_line_values(self):
        self.ensure_one()
        values = []
        company = self.company_id
        if self.amount_restocking_fee:
            product = company._retail_return_product("restocking")
            values.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": _("Restocking fee (%s%%)", self.restocking_fee_percent),
                        "quantity": 1,
                        "price_unit": -self.amount_restocking_fee,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        if self.shipping_refund_amount:
            product = company._retail_return_product("shipping")
            values.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": _("Shipping refund"),
                        "quantity": 1,
                        "price_unit": self.shipping_refund_amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return values

    def _finish_document(self, move):
        if self.company_id.retail_return_post_refunds:
            move.action_post()
        return move

    def _pay_refund(self, credit_note):
        """Pay a posted credit note back on the journal that took the customer's
        money. A return of a channel (Shopify) is refunded there: the channel's
        refund transaction comes back as the outbound payment, so none here."""
        self.ensure_one()
        if credit_note.state != "posted" or self.backend_id:
            return self.env["account.payment"]
        original = self._origin_invoice()._get_reconciled_payments()[:1]
        if not original:
            # nothing was paid through Odoo: the accountant registers the refund by hand
            return self.env["account.payment"]
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=credit_note.ids)
            .create({"journal_id": original.journal_id.id, "payment_date": fields.Date.context_today(self)})
        )
        return wizard._create_payments()

    def action_refund(self):
        """Credit the customer for the returned goods (minus fee, plus shipping)."""
        self._check_accountant()
        for rma in self:
            allowed = ("inspected", *EARLY_REFUND_STATES) if rma.refund_before_receipt else ("inspected",)
            rma._check_state(allowed, _("Refunding (the goods must be inspected first)"))
            if rma.account_move_ids.filtered(lambda m: m.state != "cancel"):
                raise UserError(_("Return %s is already refunded.", rma.name))
            if float_compare(rma.amount_refund, 0.0, precision_rounding=rma.currency_id.rounding) <= 0:
                raise UserError(_("Return %s has nothing to refund.", rma.name))
            values = rma._document_values("out_refund")
            values["invoice_line_ids"] = rma._goods_line_values() + rma._fee_and_shipping_line_values()
            credit_note = self._clean_env()["account.move"].create(values)
            rma._finish_document(credit_note)
            rma._pay_refund(credit_note)
            rma.write({"state": "refunded", "date_refunded": fields.Datetime.now()})
            self.env["retail.exception"]._resolve_key(
                rma._check_key("not_refunded"), backend=rma.backend_id, note=_("The customer was refunded.")
            )
        return True

    def action_exchange(self):
        """Ship replacements; the price difference is settled by one invoice or one credit note."""
        self._check_accountant()
        self._check_state(("inspected",), _("Exchanging (the goods must be inspected first)"))
        for rma in self:
            lines = rma.line_ids.filtered(lambda line: line.refund_qty > 0)
            if not lines:
                raise UserError(_("Return %s has no received items to exchange.", rma.name))
            order = rma._create_replacement_order(lines)
            returned_total = sum(lines.mapped("refund_amount"))
            difference = float_round(order.amount_total - returned_total, precision_rounding=rma.currency_id.rounding)
            # The customer owes (or is even): an invoice of the new goods less the returned ones.
            # The shop owes: a credit note of the returned goods less the new ones.
            if difference >= 0:
                move_type, returned_sign, new_sign = "out_invoice", -1, 1
            else:
                move_type, returned_sign, new_sign = "out_refund", 1, -1
            values = rma._document_values(move_type)
            new_lines = [
                Command.create(sol._prepare_invoice_line(quantity=new_sign * sol.product_uom_qty))
                for sol in order.order_line
            ]
            values["invoice_line_ids"] = rma._goods_line_values(sign=returned_sign) + new_lines
            document = self._clean_env()["account.move"].create(values)
            rma._finish_document(document)
            rma.write({"state": "exchanged", "date_refunded": fields.Datetime.now()})
        return True

    def _create_replacement_order(self, lines):
        self.ensure_one()
        origin = self.sale_order_id
        # The return authorises the replacement: accountants need no sales rights for it.
        order = (
            self._clean_env()["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "warehouse_id": self.warehouse_id.id,
                    "origin": self.name,
                    "pricelist_id": origin.pricelist_id.id or False,
                    "retail_return_id": self.id,
                    "order_line": [Command.create(self._replacement_line_values(line)) for line in lines],
                }
            )
        )
        order.action_confirm()
        self.replacement_order_id = order
        return order.with_env(self.env)

    def _replacement_line_values(self, line):
        """Values of the replacement order line shipping what ``line`` brought back."""
        return {"product_id": (line.exchange_product_id or line.product_id).id, "product_uom_qty": line.refund_qty}

    def action_done(self):
        self._check_state(("refunded", "exchanged"), _("Closing"))
        self.write({"state": "done"})
        return True

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_account_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_refund_type")
        action["domain"] = [("id", "in", self.account_move_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_replacement_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.replacement_order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Three-way check (goods, refund, time)
    # ------------------------------------------------------------------
    def _check_key(self, problem):
        self.ensure_one()
        return f"retail-return-{problem}:{self.id}"

    @api.model
    def _cron_three_way_check(self):
        """Report returns refunded without the goods, or with goods but no refund, after N days."""
        reported = self.env["retail.exception"]
        now = fields.Datetime.now()
        for company in self.env["res.company"].search([]):
            exceptions = reported.with_company(company)
            limit = now - timedelta(days=company.retail_return_check_days or 14)
            refunded = self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", ("refunded", "done")),
                    ("refund_before_receipt", "=", True),
                    ("date_refunded", "<=", limit),
                ]
            )
            # Partly received counts too: the refund paid for everything requested.
            for rma in refunded.filtered(lambda r: any(line.received_qty < line.quantity for line in r.line_ids)):
                reported |= exceptions._report(
                    "return_refunded_not_received",
                    key=rma._check_key("not_received"),
                    backend=rma.backend_id or None,
                    record=rma,
                    message=_(
                        "%(name)s was refunded on %(date)s but its goods have not all arrived.",
                        name=rma.name,
                        date=rma.date_refunded,
                    ),
                )
            received = self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", ("received", "inspected")),
                    ("date_received", "<=", limit),
                ]
            )
            for rma in received:
                reported |= exceptions._report(
                    "return_received_not_refunded",
                    key=rma._check_key("not_refunded"),
                    backend=rma.backend_id or None,
                    record=rma,
                    message=_(
                        "%(name)s was received on %(date)s but the customer has not been refunded.",
                        name=rma.name,
                        date=rma.date_received,
                    ),
                )
            inspected = self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "not in", INACTIVE_STATES),
                    ("date_inspected", "<=", limit),
                ]
            )
            for rma in inspected:
                problem = rma._restocked_not_received_problem()
                if not problem:
                    continue
                reported |= exceptions._report(
                    "return_restocked_not_received",
                    key=rma._check_key("restocked_not_received"),
                    backend=rma.backend_id or None,
                    record=rma,
                    message=problem,
                )
        return reported

    def _restocked_not_received_problem(self):
        """Why the goods of this inspected return were put away without being received, or False:
        its receipt is not done, or a line was moved on (restocked...) for more than received."""
        self.ensure_one()
        receipts = self._receipts()
        if not receipts or any(picking.state != "done" for picking in receipts if picking.state != "cancel"):
            return _(
                "%(name)s was inspected on %(date)s but its receipt is not done.",
                name=self.name,
                date=self.date_inspected,
            )
        for line in self.line_ids:
            moved = sum(
                move.product_uom._compute_quantity(move.quantity, line.product_uom_id)
                for move in line.move_ids
                if move.state == "done" and move.picking_code == "internal"
            )
            if float_compare(moved, line.received_qty, precision_rounding=line.product_uom_id.rounding or 0.01) > 0:
                return _(
                    "%(name)s: %(moved)s %(product)s restocked but only %(received)s received.",
                    name=self.name,
                    moved=moved,
                    product=line.product_id.display_name,
                    received=line.received_qty,
                )
        return False
