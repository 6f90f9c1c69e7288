# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Every order a channel imports looks its customer up by email, then phone.
    # Odoo indexes neither: without these, each lookup reads every contact of
    # the database, and an import slows down as the customer base grows.
    email_normalized = fields.Char(index="btree_not_null")
    phone = fields.Char(index="btree_not_null")

    @api.model
    def _retail_find_customer(self, company, email=None, phone=None):
        """The oldest top-level contact of ``company`` (or shared between companies)
        with this email address (whatever its case or display form), else with this
        phone; archived ones too, so a customer is never created twice."""
        partners = self.with_context(active_test=False)
        domain = [("parent_id", "=", False), ("company_id", "in", (company.id, False))]
        normalized = email and tools.email_normalize(email)
        if normalized:
            partner = partners.search([*domain, ("email_normalized", "=", normalized)], limit=1, order="id")
            if partner:
                return partner
        if phone:
            return partners.search([*domain, ("phone", "=", phone)], limit=1, order="id")
        return partners.browse()
