# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    retail_return_id = fields.Many2one("retail.return", string="Customer Return", index="btree_not_null", copy=False)
