# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""In a real browser: an admin connects a Shopify shop from the backend form."""

import shutil

from odoo.tests import HttpCase, tagged

from ..sandbox import Sandbox, generate_store

#: the tour types this URL in the form (tours are static): the sandbox listens there
TOUR_SANDBOX_PORT = 18769
TOUR_TOKEN = "shpat_tour_token"


@tagged("post_install", "-at_install")
class TestAdminTour(HttpCase):
    def setUp(self):
        super().setUp()
        # Odoo skips a tour silently without a browser or websocket-client: here that is a failure
        self.assertTrue(
            any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
            "a headless Chromium is required for the tours (.ci/run installs Debian's package)",
        )
        __import__("websocket")

    def test_admin_creates_a_shopify_backend_tests_it_and_registers_webhooks(self):
        sandbox = Sandbox(
            generate_store(orders=2, products=2, seed=1), access_token=TOUR_TOKEN, port=TOUR_SANDBOX_PORT
        ).start()
        self.addCleanup(sandbox.stop)
        self.start_tour(
            "/odoo/action-retail_connector_base.action_retail_backend/new",
            "retail_shopify_admin_backend",
            login="admin",
        )
        backend = self.env["retail.backend"].search([("name", "=", "Tour Shop")])
        self.assertEqual(backend.channel, "shopify")
        self.assertEqual(backend.shopify_shop_currency, "USD")
        self.assertFalse(backend.shopify_missing_scopes)
        subscriptions = sandbox.state["webhook_subscriptions"]
        self.assertEqual(len(subscriptions), len(backend._shopify_webhook_topics()))
        self.assertTrue(all(sub["callback_url"] == backend.webhook_url for sub in subscriptions))
