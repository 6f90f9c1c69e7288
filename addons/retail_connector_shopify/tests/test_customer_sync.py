# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Shopify customer stays one Odoo contact: found by its Shopify id first, kept up
to date by customers/update."""

from .common import ShopifyCase


class TestCustomerSync(ShopifyCase):
    def _import(self, order):
        orders = self.env["shopify.order.binding"]
        return orders._import_order(self.backend, orders._fetch_order(self.backend, order["id"])).odoo_id

    def _order_of(self, customer, email):
        sku = sorted(self.products_by_sku)[0]
        return self.sandbox.create_order(lines=[(sku, 1)], email=email, customer=dict(customer, email=email))

    def test_a_customer_with_a_new_email_is_still_one_contact(self):
        first = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 1)], email="ada@example.org")
        partner = self._import(first).partner_id
        binding = self.env["shopify.customer.binding"]._lookup(self.backend, first["customer"]["id"])
        self.assertEqual(binding.odoo_id, partner)
        # the customer changed their email in Shopify, then ordered again
        second = self._order_of(first["customer"], "ada.lovelace@example.org")
        self.assertEqual(self._import(second).partner_id, partner, "found by the Shopify customer, no duplicate")
        emails = ("ada@example.org", "ada.lovelace@example.org")
        self.assertEqual(self.env["res.partner"].search_count([("email", "in", emails)]), 1)

    def test_orders_of_one_new_customer_in_one_page_make_one_contact(self):
        first = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 1)], email="bob@example.org")
        second = self._order_of(first["customer"], "robert@example.org")
        orders = self.env["shopify.order.binding"]
        nodes = [orders._fetch_order(self.backend, order["id"]) for order in (first, second)]
        bindings = orders.union(*orders._import_orders(self.backend, nodes))
        self.assertEqual(len(bindings), 2, "both created together")
        self.assertEqual(len(bindings.odoo_id.partner_id), 1)
        self.assertEqual(
            self.env["shopify.customer.binding"]._lookup(self.backend, first["customer"]["id"]).odoo_id,
            bindings[0].odoo_id.partner_id,
        )

    def test_customer_edited_in_shopify_updates_the_contact(self):
        order = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 1)], email="cy@example.org")
        partner = self._import(order).partner_id
        older = self.sandbox.update_customer(order["customer"]["id"], emit=False, phone="+1 555 0100")
        newer = self.sandbox.update_customer(
            order["customer"]["id"], emit=False, email="cy.new@example.org", first_name="Cyrus", last_name="Smith"
        )
        event = self.deliver_webhook("customers/update", newer)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(
            (partner.name, partner.email, partner.phone), ("Cyrus Smith", "cy.new@example.org", "+1 555 0100")
        )
        partner.phone = "+1 555 0199"  # edited in Odoo since
        self.deliver_webhook("customers/update", older)  # late: changes nothing
        self.assertEqual(partner.phone, "+1 555 0199")
        log = self.env["retail.sync.log"].search(
            [("entity", "=", "customer"), ("external_id", "=", order["customer"]["id"])], limit=1
        )
        self.assertEqual(log.result, "skipped")

        # a company keeps its name; a customer who never ordered makes no contact
        partner.is_company = True
        self.deliver_webhook(
            "customers/update", self.sandbox.update_customer(order["customer"]["id"], emit=False, first_name="Cy")
        )
        self.assertEqual(partner.name, "Cyrus Smith")
        contacts = self.env["res.partner"].search_count([])
        event = self.deliver_webhook("customers/update", {"id": 987654321, "email": "nobody@example.org"})
        self.assertEqual(event.state, "done")
        self.assertEqual(self.env["res.partner"].search_count([]), contacts)

    def test_topic_is_registered(self):
        self.assertIn("customers/update", self.backend._shopify_webhook_topics())
