# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class RetailReturnInspectWizard(models.TransientModel):
    """Grade every received item of a return; confirming moves each one to its destination."""

    _name = "retail.return.inspect.wizard"
    _description = "Inspect Returned Items"

    retail_return_id = fields.Many2one("retail.return", required=True, readonly=True)
    line_ids = fields.One2many("retail.return.inspect.wizard.line", "wizard_id", string="Items")
    barcode = fields.Char(help="Scan an item, then pick the grade of the scanned line.")
    default_grade_id = fields.Many2one(
        "retail.return.grade", string="Grade for Scanned Items", help="Given to each item scanned in Barcode."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        rma = self.env["retail.return"].browse(
            values.get("retail_return_id") or self.env.context.get("default_retail_return_id")
        )
        if rma and "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create(
                    {
                        "return_line_id": line.id,
                        "product_id": line.product_id.id,
                        "quantity": line.received_qty,
                        "grade_id": line.grade_id.id,
                    }
                )
                for line in rma.line_ids.filtered(lambda line: line.received_qty > 0)
            ]
        return values

    @api.onchange("barcode")
    def _onchange_barcode(self):
        if not self.barcode:
            return
        line = self.line_ids.filtered(
            lambda wl: self.barcode in (wl.product_id.barcode, wl.product_id.default_code) and not wl.grade_id
        )[:1]
        if not line:
            self.barcode = False
            return {"warning": {"title": _("Not found"), "message": _("No ungraded item matches this barcode.")}}
        if self.default_grade_id:
            line.grade_id = self.default_grade_id
        self.barcode = False
        return None

    def action_confirm(self):
        self.ensure_one()
        ungraded = self.line_ids.filtered(lambda wl: not wl.grade_id)
        if ungraded:
            raise UserError(_("Grade every item first: %s.", ", ".join(ungraded.product_id.mapped("name"))))
        self.retail_return_id._apply_inspection({wl.return_line_id: wl.grade_id for wl in self.line_ids})
        return {"type": "ir.actions.act_window_close"}
