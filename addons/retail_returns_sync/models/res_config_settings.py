# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_return_restocking_fee = fields.Float(related="company_id.retail_return_restocking_fee", readonly=False)
    retail_return_restocking_product_id = fields.Many2one(
        related="company_id.retail_return_restocking_product_id", readonly=False
    )
    retail_return_shipping_product_id = fields.Many2one(
        related="company_id.retail_return_shipping_product_id", readonly=False
    )
    retail_return_post_refunds = fields.Boolean(related="company_id.retail_return_post_refunds", readonly=False)
    retail_return_check_days = fields.Integer(related="company_id.retail_return_check_days", readonly=False)
