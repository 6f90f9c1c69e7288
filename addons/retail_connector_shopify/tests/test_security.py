# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from .common import SANDBOX_TOKEN, ShopifyCase


class TestShopifySecurity(ShopifyCase):
    def test_token_is_for_connector_managers_only(self):
        backend_as_user = self.backend.with_user(self.connector_user)
        self.assertEqual(backend_as_user.name, self.backend.name, "the user sees the backend")
        with self.assertRaises(AccessError):
            backend_as_user.read(["shopify_access_token"])
        with self.assertRaises(AccessError):
            _token = backend_as_user.shopify_access_token
        self.assertEqual(self.backend.with_user(self.manager).shopify_access_token, SANDBOX_TOKEN)

    def test_form_hides_the_token_from_users(self):
        arch_user = self.env["retail.backend"].with_user(self.connector_user).get_views([(False, "form")])
        arch_manager = self.env["retail.backend"].with_user(self.manager).get_views([(False, "form")])
        self.assertNotIn('name="shopify_access_token"', arch_user["views"]["form"]["arch"])
        self.assertIn('name="shopify_access_token"', arch_manager["views"]["form"]["arch"])
        self.assertNotIn("action_shopify_push_stock", arch_user["views"]["form"]["arch"])

    def test_user_can_use_the_client_through_jobs_without_seeing_the_token(self):
        # the client reads the token as superuser: a user-triggered job still works
        client = self.backend.with_user(self.connector_user)._shopify_client()
        self.assertNotIn(SANDBOX_TOKEN, repr(client))

    def test_sale_order_form_links_to_shopify_and_shows_the_binding_to_connector_users(self):
        order = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 1)])
        orders = self.env["shopify.order.binding"]
        binding = orders._import_order(self.backend, orders._fetch_order(self.backend, order["id"]))
        sale = binding.odoo_id
        self.assertFalse(sale.shopify_admin_url, "a sandbox has no admin to open")
        self.backend.shopify_api_base_url = False
        sale.invalidate_recordset(["shopify_admin_url"])
        url = f"https://sandbox-shop.myshopify.com/admin/orders/{order['id']}"
        self.assertEqual(sale.shopify_admin_url, url)
        self.assertEqual(sale.action_open_in_shopify(), {"type": "ir.actions.act_url", "url": url, "target": "new"})
        salesman = new_test_user(self.env, login="shopify_salesman", groups="sales_team.group_sale_salesman_all_leads")
        self.assertEqual(sale.with_user(salesman).shopify_admin_url, url, "the link needs no connector rights")
        arch_salesman = self.env["sale.order"].with_user(salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        arch_user = self.env["sale.order"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn("action_open_in_shopify", arch_salesman)
        self.assertNotIn('name="shopify_bind_ids"', arch_salesman)
        self.assertIn('name="shopify_bind_ids"', arch_user["views"]["form"]["arch"])
