# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import http
from odoo.http import request

from ..lib.digest import payload_digest
from ..lib.payload import decode_json_body, raw_excerpt
from ..lib.signature import first_header, verify_signature
from ..lib.timestamps import parse_timestamp

_logger = logging.getLogger(__name__)

MAX_BYTES_PARAM = "retail_connector_base.webhook_max_bytes"
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


class RetailWebhookController(http.Controller):
    """Webhook inbox: verify, deduplicate, store, enqueue, answer at once."""

    @http.route(
        "/retail/webhook/<string:channel>/<int:backend_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, channel, backend_id, **_kwargs):
        env = request.env(su=True)
        # Cached per worker: the backend is not read on every delivery.
        settings = env["retail.backend"]._webhook_inbox_settings(backend_id)
        if settings is None or settings.channel != channel:
            return self._answer(404, "unknown backend")
        max_bytes = int(env["ir.config_parameter"].get_param(MAX_BYTES_PARAM, DEFAULT_MAX_BYTES))
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > max_bytes:
            return self._answer(413, "payload too large")
        # werkzeug stops reading past the limit, even for a chunked body.
        httprequest.max_content_length = max_bytes
        try:
            body = httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return self._answer(413, "payload too large")
        spec = settings.spec
        if spec is None:
            return self._answer(404, "this channel receives no webhooks")
        backend = env["retail.backend"].browse(backend_id)
        headers = httprequest.headers
        signature = first_header(headers, spec.signature_headers)
        if verify_signature(body, signature, settings.secrets) is None:
            backend._record_rejected_webhook()
            _logger.warning("Rejected webhook for backend %s: bad or missing signature", backend.id)
            return self._answer(401, "invalid signature")
        payload, invalid_reason = decode_json_body(body)
        payload_text = None
        if invalid_reason is None:
            try:
                payload_text = body.decode("utf-8")  # stored as it came: not encoded again
            except UnicodeDecodeError:
                payload_text = None  # UTF-16 or UTF-32 JSON: stored from the decoded payload
        topic = first_header(headers, spec.topic_headers) or "unknown"
        delivery_id = first_header(headers, spec.delivery_id_headers) or payload_digest(
            {"topic": topic, "body": body.decode("utf-8", "replace")}
        )
        event, created = env["retail.webhook.event"]._receive(
            backend,
            topic=topic[:128],
            delivery_id=delivery_id[:128],
            payload=payload if invalid_reason is None else {"_raw": raw_excerpt(body)},
            payload_text=payload_text,
            payload_size=len(body),
            event_id=(first_header(headers, spec.event_id_headers) or "")[:128] or None,
            triggered_at=parse_timestamp(first_header(headers, spec.triggered_at_headers)),
            invalid_reason=invalid_reason,
        )
        return self._answer(200, "accepted" if created else "duplicate", event_id=event.id)

    @staticmethod
    def _answer(status, message, **extra):
        body = json.dumps(dict(status=message, **extra))
        return request.make_response(body, headers=[("Content-Type", "application/json")], status=status)
