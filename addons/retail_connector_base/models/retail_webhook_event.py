# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

import psycopg2.extras

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

WEBHOOK_CHANNEL = "root.retail.webhook"
RETENTION_PARAM = "retail_connector_base.webhook_event_retention_days"
DEFAULT_RETENTION_DAYS = 90


class RetailWebhookEvent(models.Model):
    """The webhook inbox: every verified delivery, stored once, processed by a job."""

    _name = "retail.webhook.event"
    _inherit = ["retail.backend.job.mixin"]
    _description = "Retail Webhook Event"
    _order = "id desc"
    _rec_name = "topic"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    topic = fields.Char(required=True, index=True, readonly=True)
    delivery_id = fields.Char(
        string="Delivery ID", required=True, readonly=True, help="The channel's id of this delivery."
    )
    event_id = fields.Char(
        string="Event ID", readonly=True, index=True, help="The channel's id of the event (shared by retries)."
    )
    triggered_at = fields.Datetime(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True, required=True)
    processed_at = fields.Datetime(readonly=True)
    # Raw channel data (personal data included): connector managers only.
    payload = fields.Json(
        string="Payload (JSON)", readonly=True, groups="retail_connector_base.group_retail_connector_manager"
    )
    payload_text = fields.Text(
        string="Payload", compute="_compute_payload_text", groups="retail_connector_base.group_retail_connector_manager"
    )
    payload_size = fields.Integer(string="Size (bytes)", readonly=True)
    state = fields.Selection(
        [("received", "Received"), ("queued", "Queued"), ("done", "Done"), ("failed", "Failed")],
        default="received",
        required=True,
        index=True,
        readonly=True,
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    job_uuid = fields.Char(string="Last Job UUID", readonly=True)
    error_message = fields.Text(readonly=True)
    exception_id = fields.Many2one("retail.exception", readonly=True, ondelete="set null")

    _backend_delivery_uniq = models.Constraint("UNIQUE(backend_id, delivery_id)", "This delivery was already received.")

    @api.depends("payload")
    def _compute_payload_text(self):
        for event in self:
            event.payload_text = json.dumps(event.payload, indent=2, sort_keys=True, ensure_ascii=False)

    @api.model
    def _receive(
        self, backend, topic, delivery_id, payload, payload_size, event_id=None, triggered_at=None, invalid_reason=None
    ):
        """Store a verified delivery once and queue its processing.

        Returns ``(event, created)``; a repeated delivery returns the stored
        event and ``False``. The unique key makes duplicates impossible even
        when two identical deliveries race. A signed but unreadable body
        (``invalid_reason``) is kept, marked failed and reported, never processed.
        """
        queue = not invalid_reason and backend.state == "active"
        # The hot path of every delivery (Shopify gives up after 5 s): one INSERT
        # that the unique key makes idempotent, rather than a search, a savepoint
        # and an ORM create. Stored related fields are written from the backend.
        self.env.cr.execute(
            SQL(
                """INSERT INTO retail_webhook_event (backend_id, company_id, channel, topic, delivery_id, event_id,
                       triggered_at, received_at, payload, payload_size, state, create_uid, create_date, write_uid,
                       write_date)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                           now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC')
                   ON CONFLICT (backend_id, delivery_id) DO NOTHING
                   RETURNING id""",
                backend.id,
                backend.company_id.id or None,
                backend.channel,
                topic,
                delivery_id,
                event_id,
                triggered_at,
                fields.Datetime.now(),
                psycopg2.extras.Json(payload),
                payload_size,
                "queued" if queue else "received",
                self.env.uid,
                self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        model = self.sudo()
        if not row:
            existing = model.search([("backend_id", "=", backend.id), ("delivery_id", "=", delivery_id)], limit=1)
            return existing, False
        event = model.browse(row[0])
        if invalid_reason:
            event._reject(invalid_reason)
        elif queue:
            job = event.with_context(retail_job_backend_id=backend.id)._delay_processing(
                backend.company_id, topic, delivery_id
            )
            self.env.cr.execute(
                SQL("UPDATE retail_webhook_event SET job_uuid = %s WHERE id = %s", job.uuid if job else None, event.id)
            )
        return event, True

    def _reject(self, reason):
        exception = self.env["retail.exception"]._report(
            "webhook_failed",
            key=f"webhook:{self.topic}:{self.delivery_id}",
            backend=self.backend_id,
            message=f"Webhook {self.topic} ({self.delivery_id}) cannot be processed: {reason}",
            origin=self,
            payload=self.payload,
        )
        self.write({"state": "failed", "error_message": reason, "exception_id": exception.id})

    def _enqueue_processing(self):
        for event in self:
            job = event._delay_processing(event.company_id, event.topic, event.delivery_id)
            event.write({"state": "queued", "job_uuid": job.uuid if job else False})

    def _delay_processing(self, company, topic, delivery_id):
        """The job that processes this event (the pending one if there is one, so that a
        replay never runs an event twice at once).
        Topic and delivery id are passed in so that the webhook's hot path reads nothing back."""
        self.ensure_one()
        # Jobs run as the superuser in the backend's company: webhooks come
        # from a public route, and the job's user must be able to write. No
        # chatter on the job: the inbox answers in milliseconds.
        return (
            self.with_user(SUPERUSER_ID)
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                retail_job_backend_id=self.env.context.get("retail_job_backend_id"),
            )
            .with_company(company)
            .with_delay(
                channel=WEBHOOK_CHANNEL,
                description=f"Process webhook {topic} ({delivery_id})",
                identity_key=f"retail-webhook-event-{self.id}",
            )
            ._process_job()
        )

    def _process_job(self):
        """queue_job entry point: apply the event through its channel."""
        self.ensure_one()
        backend = self.backend_id
        if backend.state != "active":
            self.write({"state": "received"})
            return _("Backend %s is not active: the event waits for Resume.", backend.name)
        log = self.env["retail.sync.log"]
        with log._track(
            backend,
            "webhook",
            self.topic,
            external_id=self.delivery_id,
            correlation_id=self.event_id or self.delivery_id,
            origin=self,
            exception_type="webhook_failed",
            payload=self.payload,
        ) as run:
            run.record = self
            backend._process_webhook_event(self)
        values = {
            "attempt_count": self.attempt_count + 1,
            "processed_at": fields.Datetime.now(),
            "state": "failed" if run.result == "failed" else "done",
            "error_message": run.message if run.result == "failed" else False,
            "exception_id": run.exception.id if run.exception else self.exception_id.id,
        }
        self.write(values)
        return f"{run.result}: {run.message}" if run.message else run.result

    def _retail_retry(self):
        """Retry from the exception workbench: replay the event."""
        self.action_replay()

    @api.model
    def _gc_old_events(self):
        """Forget processed events after the retention period (failed ones stay)."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, DEFAULT_RETENTION_DAYS))
        old = self.sudo().search(
            [("state", "=", "done"), ("received_at", "<", fields.Datetime.now() - timedelta(days=days))]
        )
        count = len(old)
        old.unlink()
        _logger.info("Removed %s processed webhook events older than %s days", count, days)
        return count

    def action_replay(self):
        inactive = self.filtered(lambda e: e.backend_id.state != "active")
        if inactive:
            raise UserError(_("Resume backend %s before replaying its events.", inactive[0].backend_id.name))
        self._enqueue_processing()
        return True
