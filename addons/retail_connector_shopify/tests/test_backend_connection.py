# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ShopifyCase

WEBHOOK_TOPIC_ENUMS = {
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "REFUNDS_CREATE",
    "FULFILLMENTS_CREATE",
    "INVENTORY_LEVELS_UPDATE",
    "APP_UNINSTALLED",
}


class TestBackendConnection(ShopifyCase):
    """Test connection, webhook registration and the form's buttons, against the sandbox."""

    def _subscriptions(self):
        with self.sandbox.lock:
            return [dict(sub) for sub in self.sandbox.state["webhook_subscriptions"]]

    def _callback(self, subscription):
        return subscription.get("callback_url") or subscription.get("callbackUrl") or subscription.get("address")

    def test_connection_stores_shop_and_scopes(self):
        action = self.backend.action_test_connection()
        self.assertEqual(self.backend.shopify_shop_name, self.store["shop"]["name"])
        self.assertEqual(self.backend.shopify_shop_currency, self.store["shop"]["currency"])
        self.assertIn("write_inventory", self.backend.shopify_granted_scopes)
        self.assertFalse(self.backend.shopify_missing_scopes)
        self.assertIn(self.store["shop"]["name"], action["params"]["message"])

    def test_connection_lists_missing_scopes(self):
        with self.sandbox.lock:
            scopes = self.sandbox.state["shop"]["scopes"]
            self.addCleanup(scopes.__setitem__, slice(None), list(scopes))  # the sandbox lives for the class
            scopes[:] = [scope for scope in scopes if scope not in ("write_inventory", "read_locations")]
        action = self.backend.action_test_connection()
        self.assertEqual(self.backend.shopify_missing_scopes, "write_inventory, read_locations")
        self.assertNotIn("write_inventory", self.backend.shopify_granted_scopes)
        self.assertIn("Missing scopes: write_inventory, read_locations", action["params"]["message"])

    def test_connection_with_wrong_token_is_a_clear_error(self):
        self.backend.shopify_access_token = "shpat_wrong"
        with self.assertRaises(UserError) as caught:
            self.backend.action_test_connection()
        message = str(caught.exception)
        self.assertIn("refused the access token", message)
        self.assertIn("401", message)
        self.assertNotIn("shpat_wrong", message)

    def test_register_webhooks_creates_then_nothing_then_repairs(self):
        subscriptions = self.sandbox.state["webhook_subscriptions"]
        self.addCleanup(subscriptions.clear)
        # the connector's own topics, plus those of installed modules (e.g. returns)
        wanted = {topic.upper().replace("/", "_") for topic in self.backend._shopify_webhook_topics()}
        self.assertLessEqual(WEBHOOK_TOPIC_ENUMS, wanted)
        topics = len(wanted)
        action = self.backend.action_shopify_register_webhooks()
        self.assertEqual(action["params"]["message"], f"{topics} created, 0 repaired.")
        subscriptions = self._subscriptions()
        self.assertEqual({sub["topic"] for sub in subscriptions}, wanted)
        self.assertEqual({self._callback(sub) for sub in subscriptions}, {self.backend.webhook_url})

        action = self.backend.action_shopify_register_webhooks()
        self.assertEqual(action["params"]["message"], "0 created, 0 repaired.")
        self.assertEqual(len(self._subscriptions()), topics, "a second run creates nothing")

        # someone pointed one subscription elsewhere: the next run repairs it
        with self.sandbox.lock:
            moved = self.sandbox.state["webhook_subscriptions"][0]
            key = next(k for k in ("callback_url", "callbackUrl", "address") if k in moved)
            moved[key] = "https://old-odoo.example.com/retail/webhook/shopify/1"
        action = self.backend.action_shopify_register_webhooks()
        self.assertEqual(action["params"]["message"], "0 created, 1 repaired.")
        subscriptions = self._subscriptions()
        self.assertEqual(len(subscriptions), topics)
        self.assertEqual({self._callback(sub) for sub in subscriptions}, {self.backend.webhook_url})

    def test_hourly_check_sets_again_what_shopify_dropped_and_says_so(self):
        subscriptions = self.sandbox.state["webhook_subscriptions"]
        self.addCleanup(subscriptions.clear)
        self.backend.action_shopify_register_webhooks()
        topics = len(self._subscriptions())
        with trap_jobs() as trap:
            self.env["retail.backend"]._cron_shopify_webhook_health()
            trap.assert_jobs_count(1, only=self.backend._shopify_webhook_health_job)
            trap.perform_enqueued_jobs()
        self.assertFalse(self._repaired_exception(), "all in place: nothing to say")
        log = self.env["retail.sync.log"].search([("entity", "=", "webhook_subscriptions")], limit=1)
        self.assertEqual(log.result, "skipped")

        # Shopify dropped one after failed deliveries; another points at an old server
        with self.sandbox.lock:
            dropped = subscriptions.pop(0)
            subscriptions[0]["callback_url"] = "https://old-odoo.example.com/retail/webhook/shopify/1"
            moved = subscriptions[0]["topic"]
        self.assertEqual(self.backend._shopify_webhook_health_job(), "done")
        current = self._subscriptions()
        self.assertEqual(len(current), topics)
        self.assertEqual({self._callback(sub) for sub in current}, {self.backend.webhook_url})
        exception = self._repaired_exception()
        self.assertEqual(len(exception), 1)
        for enum in (dropped["topic"], moved):
            self.assertIn(enum.lower().replace("_", "/", 1), exception.message)
        self.assertTrue(self.backend.shopify_webhooks_checked_at)
        self.assertEqual(self.backend._shopify_webhook_health_job(), "skipped")
        self.assertEqual(exception.occurrence_count, 1)

    def _repaired_exception(self):
        return self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_webhooks_repaired")]
        )

    def test_import_now_queues_one_catch_up(self):
        with trap_jobs() as trap:
            self.backend.action_shopify_import_now()
            self.backend.action_shopify_import_now()
            jobs = [job for job in trap.enqueued_jobs if job.method_name == "_catch_up_job"]
            self.assertEqual(len(jobs), 1)
            self.assertEqual(jobs[0].recordset, self.backend)
            # products first (orders need them); modules may add entities after orders
            self.assertEqual(self.backend._channel_catch_up_entities()[:2], ["products", "orders"])

    def test_push_stock_now_queues_a_forced_export(self):
        with trap_jobs() as trap:
            self.backend.action_shopify_push_stock()
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual((job.method_name, job.channel), ("_shopify_push_stock_job", "root.retail.export"))

    def test_backfill_opens_the_wizard(self):
        action = self.backend.action_shopify_backfill()
        self.assertEqual(action["res_model"], "shopify.backfill.wizard")
        self.assertEqual(action["context"], {"default_backend_id": self.backend.id})
