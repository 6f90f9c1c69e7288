# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.lib.retry import PermanentError
from odoo.addons.retail_connector_base.lib.transport import request_json
from odoo.addons.retail_connector_base.models.retail_backend import WebhookSpec

TEST_WEBHOOK_SPEC = WebhookSpec(
    signature_headers=("X-Test-Hmac-Sha256", "test-hmac-sha256"),
    delivery_id_headers=("X-Test-Webhook-Id", "test-webhook-id"),
    event_id_headers=("X-Test-Event-Id", "test-event-id"),
    topic_headers=("X-Test-Topic", "test-topic"),
    triggered_at_headers=("X-Test-Triggered-At", "test-triggered-at"),
)


class RetailBackend(models.Model):
    _inherit = "retail.backend"

    channel = fields.Selection(selection_add=[("test", "Test Channel")], ondelete={"test": "cascade"})
    test_api_url = fields.Char()

    def _channel_test_connection(self):
        if self.channel != "test":
            return super()._channel_test_connection()
        __, payload = request_json("GET", f"{self.test_api_url}/shop", timeout=5)
        return _("Shop %s answered.", payload.get("name"))

    def _webhook_spec(self):
        if self.channel != "test":
            return super()._webhook_spec()
        return TEST_WEBHOOK_SPEC

    def _process_webhook_event(self, event):
        if self.channel != "test":
            return super()._process_webhook_event(event)
        payload = event.payload or {}
        if event.topic == "partners/update":
            return self.env["retail.test.partner.binding"]._import_partner(self, payload)
        if event.topic == "fail/permanent":
            raise PermanentError(payload.get("message", "The channel refused the request"))
        raise UserError(_("Unknown topic %s", event.topic))

    def _test_fetch_job(self, path, entity="orders"):
        """A job that reads one remote resource under the base retry policy."""
        with self.env["retail.sync.log"]._track(self, "import", entity, external_id=path) as run:
            __, payload = request_json("GET", f"{self.test_api_url}{path}", timeout=5)
            run.message = f"read {len(payload or {})} keys"
        return run.result
