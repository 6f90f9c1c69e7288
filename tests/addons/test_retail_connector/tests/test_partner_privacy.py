# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests.common import TransactionCase, new_test_user


class TestPartnerPrivacy(TransactionCase):
    """The base's part of a customer's erasure: what blocks it and what it erases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.country = cls.env.ref("base.be")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Lena Martens",
                "email": "lena@example.org",
                "phone": "+32 470 12 34 56",
                "street": "Rue Haute 12",
                "zip": "1000",
                "city": "Brussels",
                "country_id": cls.country.id,
                "vat": "BE0477472701",
            }
        )
        cls.delivery = cls.env["res.partner"].create(
            {
                "name": "Lena Martens",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "Avenue Louise 5",
                "city": "Brussels",
                "country_id": cls.country.id,
            }
        )

    def test_personal_data_lists_the_contact_and_its_addresses(self):
        data = self.customer._retail_personal_data()
        self.assertEqual([contact["odoo_id"] for contact in data["contacts"]], [self.customer.id, self.delivery.id])
        self.assertEqual(data["contacts"][0]["email"], "lena@example.org")
        self.assertEqual(data["contacts"][1]["street"], "Avenue Louise 5")

    def test_anonymise_overwrites_personal_data_and_keeps_the_country(self):
        self.assertEqual(self.customer._retail_anonymize_blockers(), [])
        contacts = self.customer._retail_anonymize()
        self.assertEqual(contacts, self.customer | self.delivery)
        self.assertEqual(self.customer.name, f"Anonymised customer {self.customer.id}")
        self.assertEqual(self.delivery.name, f"Anonymised address {self.delivery.id}")
        for field in ("email", "phone", "street", "zip", "city", "vat"):
            self.assertFalse(self.customer[field], field)
        self.assertFalse(self.delivery.street)
        self.assertEqual((self.customer.country_id, self.delivery.country_id), (self.country, self.country))
        self.assertFalse(self.env["res.partner"].search_count([("email", "=", "lena@example.org")]))

    def test_users_and_companies_are_left_to_a_person(self):
        user = new_test_user(self.env, login="lena", groups="base.group_portal")
        self.assertIn("it is the contact of user lena", user.partner_id._retail_anonymize_blockers())
        self.customer.is_company = True
        self.assertIn("it is a company", self.customer._retail_anonymize_blockers())
        self.assertIn("it is a company of this database", self.env.company.partner_id._retail_anonymize_blockers())
