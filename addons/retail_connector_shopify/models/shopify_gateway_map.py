# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ShopifyGatewayMap(models.Model):
    """A Shopify payment gateway and the journal its payments are booked on."""

    _name = "shopify.gateway.map"
    _description = "Shopify Payment Gateway Mapping"
    _order = "backend_id, gateway"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    gateway = fields.Char(required=True, help="As Shopify names it: shopify_payments, paypal, manual, ...")
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
        help="Use the provider's clearing (money in transit) journal: settlements move it to the bank.",
    )

    _backend_gateway_uniq = models.Constraint("UNIQUE(backend_id, gateway)", "This gateway is already mapped.")

    @api.model
    def _find(self, backend, gateway):
        mapping = backend.shopify_gateway_map_ids.filtered(lambda m: m.gateway == (gateway or ""))[:1]
        return mapping.journal_id
