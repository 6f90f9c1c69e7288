# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Privacy requests sent by the sandbox shop to Odoo's real webhook endpoint, signed
as Shopify signs them, while the backend is paused (the app was uninstalled)."""

from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestPrivacyOverHttp(ShopifyHttpCase):
    store_orders = 2

    def deliver(self, topic, body):
        """The sandbox's signed delivery, POSTed to Odoo's endpoint with the test's session
        (HttpCase serves the test's requests only)."""
        delivery = self.sandbox.webhooks.prepare(topic, body)
        url = f"{self.base_url()}/retail/webhook/shopify/{self.backend.id}"
        response = self.opener.post(
            url, data=delivery["raw"], headers=self.sandbox.webhooks.headers(delivery), timeout=30
        )
        return response.status_code

    def test_erasure_reaches_a_paused_backend_and_is_processed(self):
        created = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 1)], email="mia@example.org")
        orders = self.env["shopify.order.binding"]
        sale = orders._import_order(self.backend, orders._fetch_order(self.backend, created["id"])).odoo_id
        partner = sale.partner_id
        self.backend.action_pause()
        redact = self.sandbox.privacy_request("customers/redact", created["customer"]["id"], emit=False)
        self.assertEqual(self.deliver("orders/updated", self.sandbox.rest_order(created["id"])), 200)
        self.assertEqual(self.deliver("customers/redact", redact), 200)
        events = self.env["retail.webhook.event"].search([("backend_id", "=", self.backend.id)])
        by_topic = {event.topic: event for event in events}
        self.assertEqual(set(by_topic), {"orders/updated", "customers/redact"}, "both verified and stored")
        self.assertEqual(by_topic["orders/updated"].state, "received", "waits for Resume")
        self.assertEqual(by_topic["customers/redact"].state, "queued", "processed although paused")
        # the runner's part, in the test's transaction: the inbox job, then the event's job
        inbox = self.env["queue.job"].search([("identity_key", "=", f"retail-webhook-inbox-{self.backend.id}")])
        self.assertEqual(len(inbox), 1)
        Job.load(self.env, inbox.uuid).perform()
        Job.load(self.env, by_topic["customers/redact"].job_uuid).perform()
        self.assertEqual(by_topic["customers/redact"].state, "done", by_topic["customers/redact"].error_message)
        self.assertEqual(by_topic["orders/updated"].state, "received")
        self.assertTrue(partner.name.startswith("Anonymised customer"))
        self.assertFalse(partner.email)
        self.assertEqual(by_topic["orders/updated"].sudo().payload, {"redacted": True}, "it carried the customer")
