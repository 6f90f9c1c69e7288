# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dev Dashboard apps: the access token is obtained with the client credentials
(a real POST to the sandbox's /admin/oauth/access_token) and renewed before it expires."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from ..lib import auth
from .common import ShopifyCase

CLIENT_ID, CLIENT_SECRET = "dev-dashboard-client", "shpss_dev_dashboard_secret"


class TestAppToken(ShopifyCase):
    def setUp(self):
        super().setUp()
        self.sandbox.app_credentials = (CLIENT_ID, CLIENT_SECRET)
        self.sandbox.issued_tokens.clear()
        self.addCleanup(setattr, self.sandbox, "app_credentials", None)
        self.backend.write(
            {"shopify_client_id": CLIENT_ID, "shopify_client_secret": CLIENT_SECRET, "shopify_access_token": False}
        )

    def _stored(self):
        """The token stored for the backend (its own row: renewals never write the backend's)."""
        return self.env["shopify.app.token"].sudo()._read_row(self.env.cr, self.backend.id)[0]

    def _set_expiry(self, moment):
        self.env.cr.execute(
            "UPDATE shopify_app_token SET expires_at = %s WHERE backend_id = %s", (moment, self.backend.id)
        )
        self.backend.invalidate_recordset(["shopify_token_expires_at"])

    def test_token_obtained_once_then_renewed_before_it_expires(self):
        before = fields.Datetime.now()
        self.backend.action_test_connection()
        self.assertEqual(self.backend.shopify_shop_name, self.store["shop"]["name"])
        first = self._stored()
        self.assertTrue(first.startswith("shpat_"))
        self.assertFalse(self.backend.shopify_access_token, "the backend's own field is for admin-made apps")
        self.assertEqual(list(self.sandbox.issued_tokens), [first])
        lifetime = self.backend.shopify_token_expires_at - before
        self.assertAlmostEqual(lifetime.total_seconds(), self.sandbox.token_lifetime, delta=5)

        # other jobs use it: no new token
        self.backend._shopify_client().execute("shop")
        self.env["shopify.product.binding"]._catch_up_products(self.backend, None)
        self.assertEqual(len(self.sandbox.issued_tokens), 1)

        # a few minutes before it expires, the next client gets a new one
        self._set_expiry(fields.Datetime.now() + timedelta(minutes=3))
        self.backend._shopify_client().execute("shop")
        self.assertEqual(len(self.sandbox.issued_tokens), 2)
        second = self._stored()
        self.assertNotEqual(second, first)
        self.backend.invalidate_recordset(["shopify_token_expires_at"])
        self.assertGreater(self.backend.shopify_token_expires_at, fields.Datetime.now() + timedelta(hours=23))

        # a day later Shopify refuses it; stored as expired, it is renewed
        self.sandbox.expire_tokens()
        self._set_expiry(fields.Datetime.now() - timedelta(minutes=1))
        self.assertEqual(self.backend._shopify_client().execute("shop")["shop"]["name"], self.store["shop"]["name"])
        self.assertEqual(len(self.sandbox.issued_tokens), 3)

    def test_wrong_secret_is_a_clear_error_that_never_shows_it(self):
        self.backend.shopify_client_secret = "shpss_wrong_secret"
        with self.assertRaises(UserError) as caught:
            self.backend.action_test_connection()
        message = str(caught.exception)
        self.assertIn("refused the app credentials", message)
        self.assertIn(CLIENT_ID, message)
        self.assertNotIn("shpss_wrong_secret", message)
        self.assertFalse(self._stored())
        self.assertFalse(self.sandbox.issued_tokens)

    def test_another_app_forgets_the_token_and_its_secret_signs_webhooks(self):
        self.backend._shopify_client()
        self.assertTrue(self.backend.shopify_token_expires_at)
        self.sandbox.app_credentials = ("another-app", CLIENT_SECRET)
        self.backend.shopify_client_id = "another-app"
        self.assertFalse(self.backend.shopify_token_expires_at, "the old app's token is not this app's")
        self.backend._shopify_client().execute("shop")
        self.assertEqual(len(self.sandbox.issued_tokens), 2, "a token of the old app is never sent for the new one")
        self.backend.invalidate_recordset(["shopify_token_expires_at"])
        self.assertTrue(self.backend.shopify_token_expires_at)

        backend = self.env["retail.backend"].create(
            {
                "name": "Dev Dashboard shop",
                "channel": "shopify",
                "company_id": self.company.id,
                "shopify_shop_domain": "dev-shop.myshopify.com",
                "shopify_client_id": CLIENT_ID,
                "shopify_client_secret": CLIENT_SECRET,
            }
        )
        self.assertEqual(backend.webhook_secret, CLIENT_SECRET, "Shopify signs the app's webhooks with it")
        backend.shopify_client_secret = "shpss_rotated"
        self.assertEqual(backend.webhook_secret, "shpss_rotated")
        backend.webhook_secret = "own-secret"
        backend.shopify_client_secret = "shpss_rotated_again"
        self.assertEqual(backend.webhook_secret, "own-secret", "a secret set on purpose stays")

    def test_credentials_are_for_connector_managers_only(self):
        backend_as_user = self.backend.with_user(self.connector_user)
        for name in ("shopify_client_id", "shopify_client_secret", "shopify_token_expires_at"):
            with self.assertRaises(AccessError):
                backend_as_user.read([name])
        self.assertEqual(self.backend.with_user(self.manager).shopify_client_secret, CLIENT_SECRET)
        # a user's job still reaches Shopify: the token is read as superuser
        self.assertTrue(backend_as_user._shopify_client().execute("shop")["shop"]["name"])

    def test_freshness_margin(self):
        now = datetime(2026, 12, 2, 12, 0)
        self.assertTrue(auth.token_is_fresh(now + timedelta(minutes=6), now))
        self.assertFalse(auth.token_is_fresh(now + timedelta(minutes=4), now))
        self.assertFalse(auth.token_is_fresh(False, now))
        self.assertEqual(auth.token_url("a.myshopify.com"), "https://a.myshopify.com/admin/oauth/access_token")
