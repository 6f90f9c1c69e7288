# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class RetailReturnBinding(models.Model):
    """A channel's return (e.g. a Shopify return request) bound to its Odoo return."""

    _name = "retail.return.binding"
    _inherit = "retail.binding.mixin"
    _description = "Retail Return Binding"

    odoo_id = fields.Many2one("retail.return", string="Return", required=True, ondelete="cascade", index=True)
