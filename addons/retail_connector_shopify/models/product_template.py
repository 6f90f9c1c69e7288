# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    shopify_binding_ids = fields.Many2many(
        "shopify.product.binding",
        string="Shopify Variants",
        compute="_compute_shopify_binding_ids",
        help="The Shopify variants bound to this product's variants (deleted ones included).",
    )

    def _compute_shopify_binding_ids(self):
        bindings = self.env["shopify.product.binding"].with_context(active_test=False)
        for template in self:
            template.shopify_binding_ids = bindings.search([("odoo_id", "in", template.product_variant_ids.ids)])
