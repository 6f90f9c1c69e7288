# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RetailReturnInspectWizardLine(models.TransientModel):
    _name = "retail.return.inspect.wizard.line"
    _description = "Inspect Returned Item"

    wizard_id = fields.Many2one("retail.return.inspect.wizard", required=True, ondelete="cascade")
    return_line_id = fields.Many2one("retail.return.line", required=True, readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit")
    grade_id = fields.Many2one("retail.return.grade")
