# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]


class RetailExceptionType(models.Model):
    """Kinds of problems the workbench knows. Modules add their own as data."""

    _name = "retail.exception.type"
    _description = "Retail Exception Type"
    _order = "category, name"

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    category = fields.Selection(
        [("technical", "Technical"), ("data", "Data"), ("finance", "Finance")],
        required=True,
        default="technical",
    )
    default_severity = fields.Selection(SEVERITIES, required=True, default="medium")
    suggested_fix = fields.Text(translate=True)
    purge_attachments_on_close = fields.Boolean(
        string="Delete Files When Closed",
        help="Its exceptions carry personal data in their files (a customer's data export, say): "
        "the files are deleted when the exception is resolved or ignored.",
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()

    _code_uniq = models.Constraint("UNIQUE(code)", "The exception type code must be unique.")
