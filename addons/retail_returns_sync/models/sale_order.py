# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    retail_return_id = fields.Many2one(
        "retail.return",
        string="Exchange of Return",
        index="btree_not_null",
        copy=False,
        help="The return this order replaces goods for.",
    )
    # the inverse of retail.return's origin orders (same relation table)
    retail_return_ids = fields.Many2many(
        "retail.return", "retail_return_sale_order_rel", "order_id", "return_id", string="Customer Returns", copy=False
    )
    retail_return_count = fields.Integer(compute="_compute_retail_return_count")

    @api.depends("retail_return_ids")
    def _compute_retail_return_count(self):
        for order in self:
            order.retail_return_count = len(order.retail_return_ids)

    def _shopify_deliveries(self):
        # the replacements of exchanges ship exchange items, line items of this order in Shopify
        replacements = self.retail_return_ids.replacement_order_id.picking_ids
        return super()._shopify_deliveries() | replacements.filtered(lambda p: p.picking_type_code == "outgoing")

    def action_view_retail_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("retail_returns_sync.action_retail_return")
        action["domain"] = [("sale_order_ids", "in", self.id)]
        action["context"] = {"default_sale_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action
