# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ShopifyProductBinding(models.Model):
    """A Shopify product variant bound to an Odoo product."""

    _name = "shopify.product.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Product Variant Binding"

    odoo_id = fields.Many2one("product.product", string="Product", required=True, ondelete="cascade", index=True)
    shopify_product_id = fields.Char(string="Shopify Product ID", index=True)
    inventory_item_id = fields.Char(string="Inventory Item ID", index=True)
    sku = fields.Char(string="SKU", index=True)
    stock_dirty = fields.Boolean(
        string="Stock To Push", index=True, help="Odoo's stock changed since it was last sent to Shopify."
    )
