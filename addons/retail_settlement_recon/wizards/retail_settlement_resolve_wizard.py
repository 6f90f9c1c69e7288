# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class RetailSettlementResolveWizard(models.TransientModel):
    """Write a small difference off to an account, or ignore lines, with a reason."""

    _name = "retail.settlement.resolve.wizard"
    _description = "Write Off or Ignore Settlement Lines"

    line_ids = fields.Many2many("retail.settlement.line", required=True)
    action = fields.Selection([("write_off", "Write Off"), ("ignore", "Ignore")], required=True, default="write_off")
    account_id = fields.Many2one("account.account", string="Write-off Account")
    payment_id = fields.Many2one("account.payment", help="Defaults to the closest payment found.")
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.action == "ignore":
            self.line_ids._ignore(self.reason)
        else:
            if not self.account_id:
                raise UserError(self.env._("Choose the write-off account."))
            for line in self.line_ids:
                line._write_off(self.account_id, self.reason, payment=self.payment_id or None)
        return {"type": "ir.actions.act_window_close"}
