# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ShopifyCarrierMap(models.Model):
    """A Shopify shipping method (code or title) and the Odoo carrier, both ways:
    imported orders get the carrier, pushed fulfilments the tracking company."""

    _name = "shopify.carrier.map"
    _description = "Shopify Carrier Mapping"
    _order = "backend_id, shipping_code"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    shipping_code = fields.Char(
        string="Shopify Shipping Code or Title", required=True, help="The shipping line's code, or its title."
    )
    carrier_id = fields.Many2one("delivery.carrier", string="Odoo Carrier", required=True, ondelete="cascade")
    tracking_company = fields.Char(
        help="Carrier name sent with fulfilments (Shopify knows e.g. UPS, DHL Express, USPS)."
    )

    _backend_code_uniq = models.Constraint("UNIQUE(backend_id, shipping_code)", "This shipping method is mapped.")

    @api.model
    def _find_carrier(self, backend, code, title):
        for key in (code, title):
            mapping = backend.shopify_carrier_map_ids.filtered(lambda m, k=key: k and m.shipping_code == k)[:1]
            if mapping:
                return mapping.carrier_id
        return self.env["delivery.carrier"]

    @api.model
    def _tracking_company(self, backend, carrier):
        mapping = backend.shopify_carrier_map_ids.filtered(lambda m: m.carrier_id == carrier)[:1]
        return mapping.tracking_company or carrier.name or None
