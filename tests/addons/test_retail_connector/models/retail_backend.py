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

    def _channel_catch_up_entities(self):
        if self.channel != "test":
            return super()._channel_catch_up_entities()
        return ["customers"]

    def _channel_catch_up(self, entity, since, cursor=None):
        if self.channel != "test":
            return super()._channel_catch_up(entity, since, cursor=cursor)
        params = {"updated_at_min": fields.Datetime.to_string(since)} if since else {}
        __, payload = request_json("GET", f"{self.test_api_url}/customers", params=params, timeout=5)
        binding_model = self.env["retail.test.partner.binding"]
        newest = None
        for customer in payload["customers"]:
            binding_model._import_partner(self, customer)
            updated_at = fields.Datetime.to_datetime(customer["updated_at"])
            newest = max(newest, updated_at) if newest else updated_at
        return newest

    def _channel_export(self, entity):
        if self.channel != "test":
            return super()._channel_export(entity)
        partners = self.env["retail.test.partner.binding"].search([("backend_id", "=", self.id)])
        body = {"entity": entity, "items": [{"id": b.external_id, "name": b.odoo_id.name} for b in partners]}
        __, answer = request_json("POST", f"{self.test_api_url}/export", json=body, timeout=5)
        return f"sent {answer['received']} {entity}"

    def _test_fetch_job(self, path, entity="orders"):
        """A job that reads one remote resource under the base retry policy."""
        with self.env["retail.sync.log"]._track(self, "import", entity, external_id=path) as run:
            __, payload = request_json("GET", f"{self.test_api_url}{path}", timeout=5)
            run.message = f"read {len(payload or {})} keys"
        return run.result
