# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RetailExceptionIgnoreWizard(models.TransientModel):
    _name = "retail.exception.ignore.wizard"
    _description = "Ignore Retail Exceptions"

    exception_ids = fields.Many2many("retail.exception", string="Exceptions", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.exception_ids._ignore(self.reason)
        return {"type": "ir.actions.act_window_close"}
