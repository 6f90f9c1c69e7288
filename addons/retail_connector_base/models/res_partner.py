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
        by_email, by_phone = self._retail_find_customers(company, emails=[email] if email else [])
        normalized = email and tools.email_normalize(email)
        if normalized and normalized in by_email:
            return by_email[normalized]
        if phone:
            return self._retail_find_customers(company, phones=[phone])[1].get(phone, self.browse())
        return self.browse()

    @api.model
    def _retail_find_customers(self, company, emails=(), phones=()):
        """:meth:`_retail_find_customer` for a batch, in a query for the emails and
        one for the phones: ``({normalized email: contact}, {phone: contact})``."""
        partners = self.with_context(active_test=False)
        domain = [("parent_id", "=", False), ("company_id", "in", (company.id, False))]
        by_email, by_phone = {}, {}
        normalized = {tools.email_normalize(email) for email in emails if email} - {False, None}
        if normalized:
            for partner in partners.search([*domain, ("email_normalized", "in", list(normalized))], order="id"):
                by_email.setdefault(partner.email_normalized, partner)
        phones = {phone for phone in phones if phone}
        if phones:
            for partner in partners.search([*domain, ("phone", "in", list(phones))], order="id"):
                by_phone.setdefault(partner.phone, partner)
        return by_email, by_phone

    # ------------------------------------------------------------------
    # Privacy requests (a channel's customer asks for their data or its erasure)
    # ------------------------------------------------------------------
    def _retail_personal_data(self):
        """What Odoo holds about this contact and its addresses, as a JSON-ready
        dict (channels add the orders, invoices and payments)."""
        self.ensure_one()
        contacts = self.with_context(active_test=False).search([("id", "child_of", self.id)], order="id")
        return {
            "contacts": [
                {
                    "odoo_id": contact.id,
                    "type": contact.type,
                    "name": contact.name,
                    "email": contact.email or None,
                    "phone": contact.phone or None,
                    "street": contact.street or None,
                    "street2": contact.street2 or None,
                    "zip": contact.zip or None,
                    "city": contact.city or None,
                    "state": contact.state_id.name or None,
                    "country": contact.country_id.code or None,
                    "vat": contact.vat or None,
                    "language": contact.lang or None,
                    "created": fields.Datetime.to_string(contact.create_date),
                }
                for contact in contacts
            ]
        }

    def _retail_anonymize_blockers(self):
        """Why this contact must not be anonymised automatically (empty: it may be).
        A contact Odoo uses for more than a channel's customer (a user, a company,
        a supplier) is left to a person; channels add their own reasons."""
        self.ensure_one()
        partner = self.with_context(active_test=False)
        reasons = []
        if partner.is_company:
            reasons.append(self.env._("it is a company"))
        users = self.env["res.users"].with_context(active_test=False).sudo().search([("partner_id", "=", partner.id)])
        if users:
            reasons.append(self.env._("it is the contact of user %s", users[0].login))
        if self.env["res.company"].sudo().search_count([("partner_id", "=", partner.id)]):
            reasons.append(self.env._("it is a company of this database"))
        return reasons

    def _retail_anonymize(self):
        """Replace the personal data of this contact and its addresses by placeholders.

        The records stay (orders, invoices and payments keep pointing at them,
        as accounting retention requires); the country stays for tax reporting.
        The data is overwritten, not archived: nothing can bring it back."""
        contacts = self.with_context(active_test=False).search([("id", "child_of", self.ids)])
        erased = {
            "email": False,
            "phone": False,
            "street": False,
            "street2": False,
            "zip": False,
            "city": False,
            "state_id": False,
            "vat": False,
            "website": False,
            "comment": False,
            "function": False,
            "ref": False,
            "image_1920": False,
            "partner_latitude": False,
            "partner_longitude": False,
        }
        erased = {name: value for name, value in erased.items() if name in self._fields}
        for contact in contacts:
            placeholder = (
                self.env._("Anonymised customer %s", contact.id)
                if contact in self
                else self.env._("Anonymised address %s", contact.id)
            )
            contact.write({**erased, "name": placeholder})
        return contacts
