# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

#: two rates are the same tax when they differ by less than this (Shopify sends floats)
RATE_TOLERANCE = 0.00005


class ShopifyTaxMap(models.Model):
    """A Shopify tax line (title and rate) and the Odoo tax that books it."""

    _name = "shopify.tax.map"
    _description = "Shopify Tax Mapping"
    _order = "backend_id, tax_title, rate"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    tax_title = fields.Char(string="Shopify Tax Title", required=True, help="e.g. VAT, State Tax")
    rate = fields.Float(digits=(12, 6), required=True, help="As Shopify sends it: 0.2 for 20 %.")
    tax_id = fields.Many2one(
        "account.tax", string="Odoo Tax", required=True, domain="[('type_tax_use', '=', 'sale')]", ondelete="restrict"
    )

    _backend_title_rate_uniq = models.Constraint(
        "UNIQUE(backend_id, tax_title, rate)", "This Shopify tax is already mapped."
    )

    @api.model
    def _find(self, backend, title, rate):
        """The Odoo tax for a Shopify tax line, or an empty recordset."""
        rate = float(rate or 0.0)
        for mapping in backend.shopify_tax_map_ids:
            if (mapping.tax_title or "").strip().lower() == (title or "").strip().lower() and abs(
                mapping.rate - rate
            ) < RATE_TOLERANCE:
                return mapping.tax_id
        return self.env["account.tax"]
