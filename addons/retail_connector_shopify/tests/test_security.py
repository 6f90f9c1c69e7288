# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError

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
