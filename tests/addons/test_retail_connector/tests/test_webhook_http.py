# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import datetime

from odoo.tests.common import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CURRENT_SECRET, PREVIOUS_SECRET, customer_payload, make_backend, signed_headers


@tagged("post_install", "-at_install")
class TestWebhookEndpoint(HttpCase):
    """The inbox endpoint over real HTTP: verify, limit, deduplicate, enqueue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = make_backend(cls.env)
        cls.events = cls.env["retail.webhook.event"]

    def post(self, body, headers, backend=None):
        backend = backend or self.backend
        return self.url_open(f"/retail/webhook/{backend.channel}/{backend.id}", data=body, headers=headers)

    def body(self, **values):
        return json.dumps(customer_payload(**values)).encode()

    def event_count(self):
        return self.events.search_count([("backend_id", "=", self.backend.id)])

    def test_good_signature_stores_event_and_enqueues_one_job(self):
        body = self.body()
        headers = signed_headers(body, delivery="del-good")
        headers["X-Test-Triggered-At"] = "2026-11-22T10:15:00.123456789+02:00"
        with trap_jobs() as trap:
            response = self.post(body, headers)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["status"], "accepted")
            trap.assert_jobs_count(1)
        event = self.events.search([("delivery_id", "=", "del-good")])
        job = trap.enqueued_jobs[0]
        self.assertEqual((job.method_name, job.args), ("_dispatch_inbox_job", (self.backend,)))
        self.assertEqual(job.channel, "root.retail.webhook")
        self.assertEqual(event.topic, "partners/update")
        self.assertEqual(event.payload["email"], "jane.roe@example.com")
        self.assertEqual(event.payload_size, len(body))
        self.assertEqual(event.triggered_at, datetime(2026, 11, 22, 8, 15, 0))
        self.assertEqual(event.state, "queued")

    def test_bad_signature_is_rejected_and_counted(self):
        body = self.body()
        headers = signed_headers(body, secret="not-the-secret", delivery="del-bad")
        before = self.backend.webhook_rejected_count
        with trap_jobs() as trap, self.assertLogs("odoo.addons.retail_connector_base", "WARNING") as logs:
            response = self.post(body, headers)
            trap.assert_jobs_count(0)
        self.assertIn("bad or missing signature", logs.output[0])
        self.assertNotIn(CURRENT_SECRET, "\n".join(logs.output))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.event_count(), 0)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.webhook_rejected_count, before + 1)

    def test_tampered_body_is_rejected(self):
        body = self.body()
        headers = signed_headers(body, delivery="del-tampered")
        response = self.post(body.replace(b"Jane", b"John"), headers)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.event_count(), 0)

    def test_previous_secret_is_accepted_during_rotation(self):
        body = self.body()
        response = self.post(body, signed_headers(body, secret=PREVIOUS_SECRET, delivery="del-prev"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.event_count(), 1)

    def test_lowercase_header_style_is_accepted(self):
        body = self.body()
        response = self.post(body, signed_headers(body, delivery="del-lower", style="lower"))
        self.assertEqual(response.status_code, 200)
        event = self.events.search([("backend_id", "=", self.backend.id)])
        self.assertEqual((event.delivery_id, event.topic), ("del-lower", "partners/update"))

    def test_hostile_signature_header_is_rejected_not_crashed(self):
        body = self.body()
        headers = signed_headers(body, secret=None, delivery="del-hostile")
        headers["X-Test-Hmac-Sha256"] = "caf\xe9=="
        response = self.post(body, headers)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.event_count(), 0)

    def test_signed_body_that_is_not_json_is_kept_and_reported(self):
        body = b"<xml>not json</xml>"
        with trap_jobs() as trap:
            response = self.post(body, signed_headers(body, delivery="del-notjson"))
            trap.assert_jobs_count(0)
        self.assertEqual(response.status_code, 200)
        event = self.events.search([("delivery_id", "=", "del-notjson")])
        self.assertEqual(event.state, "failed")
        self.assertIn("not valid JSON", event.error_message)
        self.assertEqual(event.payload, {"_raw": "<xml>not json</xml>"})
        self.assertEqual(event.exception_id.type_code, "webhook_failed")
        self.assertIn("cannot be processed", event.exception_id.message)

    def test_missing_signature_header_is_rejected(self):
        body = self.body()
        response = self.post(body, signed_headers(body, secret=None, delivery="del-nosig"))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.event_count(), 0)

    def test_oversized_body_answers_413(self):
        self.env["ir.config_parameter"].sudo().set_param("retail_connector_base.webhook_max_bytes", "1024")
        body = self.body(name="X" * 2000)
        response = self.post(body, signed_headers(body, delivery="del-big"))
        self.assertEqual(response.status_code, 413)
        self.assertEqual(self.event_count(), 0)

    def test_duplicate_delivery_creates_nothing(self):
        body = self.body()
        headers = signed_headers(body, delivery="del-dup")
        with trap_jobs() as trap:
            first = self.post(body, headers)
            second = self.post(body, headers)
            third = self.post(body, headers)
            trap.assert_jobs_count(1)
        self.assertEqual([r.status_code for r in (first, second, third)], [200, 200, 200])
        self.assertEqual([r.json()["status"] for r in (first, second, third)], ["accepted", "duplicate", "duplicate"])
        self.assertEqual(self.event_count(), 1)

    def test_unknown_backend_or_wrong_channel_answers_404(self):
        body = self.body()
        headers = signed_headers(body, delivery="del-404")
        response = self.url_open(f"/retail/webhook/test/{self.backend.id + 100000}", data=body, headers=headers)
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f"/retail/webhook/othershop/{self.backend.id}", data=body, headers=headers)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.event_count(), 0)

    def test_paused_backend_stores_and_waits_for_resume(self):
        self.backend.action_pause()
        body = self.body()
        with trap_jobs() as trap:
            response = self.post(body, signed_headers(body, delivery="del-paused"))
            self.assertEqual(response.status_code, 200)
            trap.assert_jobs_count(0)
            event = self.events.search([("delivery_id", "=", "del-paused")])
            self.assertEqual(event.state, "received")
            self.backend.action_resume()
            trap.assert_jobs_count(1, only=event._process_job)
        self.assertEqual(event.state, "queued")
        self.assertEqual(self.backend.state, "active")

    def test_backend_changes_reach_the_cached_inbox_settings_at_once(self):
        """Each worker keeps what the inbox reads of a backend: a change must still apply to the next delivery."""
        body = self.body()
        with trap_jobs():
            first = self.post(body, signed_headers(body, delivery="cache-1"))
            self.assertEqual(first.json()["status"], "accepted")
            self.backend.action_pause()
            paused = self.post(body, signed_headers(body, delivery="cache-2"))
            self.assertEqual(self.events.browse(paused.json()["event_id"]).state, "received")
            self.backend.action_resume()
            # the secret is rotated: the old one still works as the previous one, an older one no more
            self.backend.write({"webhook_secret": "rotated-secret", "webhook_secret_previous": CURRENT_SECRET})
            self.assertEqual(self.post(body, signed_headers(body, delivery="cache-3")).status_code, 200)
            rotated = self.post(body, signed_headers(body, secret="rotated-secret", delivery="cache-4"))
            self.assertEqual(rotated.status_code, 200)
            stale = self.post(body, signed_headers(body, secret=PREVIOUS_SECRET, delivery="cache-5"))
            self.assertEqual(stale.status_code, 401)
            self.backend.action_archive()
            self.assertEqual(self.post(body, signed_headers(body, delivery="cache-6")).status_code, 404)
        self.assertEqual(
            self.events.search([("delivery_id", "like", "cache-")]).mapped("delivery_id"),
            ["cache-4", "cache-3", "cache-2", "cache-1"],
        )
