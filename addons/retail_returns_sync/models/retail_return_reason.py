# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RetailReturnReason(models.Model):
    """Why the customer sends goods back (reported per return line)."""

    _name = "retail.return.reason"
    _description = "Return Reason"
    _order = "sequence, name"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share it between companies.")

    _code_company_uniq = models.UniqueIndex("(code, COALESCE(company_id, 0))", "This reason code already exists.")
