# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

import psycopg2.errors
import psycopg2.extras

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

WEBHOOK_CHANNEL = "root.retail.webhook"
RETENTION_PARAM = "retail_connector_base.webhook_event_retention_days"
DEFAULT_RETENTION_DAYS = 90
INBOX_BATCH = 500  # events queued per inbox job
WAITING_MINUTES = 5


def inbox_job_key(backend_id):
    return f"retail-webhook-inbox-{backend_id}"


class RetailWebhookEvent(models.Model):
    """The webhook inbox: every verified delivery, stored once, processed by a job."""

    _name = "retail.webhook.event"
    _inherit = ["retail.backend.job.mixin"]
    _description = "Retail Webhook Event"
    _order = "id desc"
    _rec_name = "topic"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True, precompute=True)
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
        self,
        backend,
        topic,
        delivery_id,
        payload,
        payload_size,
        event_id=None,
        triggered_at=None,
        invalid_reason=None,
        payload_text=None,
    ):
        """Store a verified delivery once and make sure the backend's inbox job will process it.

        Returns ``(event, created)``; a repeated delivery returns the stored
        event and ``False``. The unique key makes duplicates impossible even
        when two identical deliveries race. A signed but unreadable body
        (``invalid_reason``) is kept, marked failed and reported, never processed.
        ``payload_text``, when given, is ``payload`` as JSON text (the body as received).
        """
        # cached per worker (an archived backend has none: read it then)
        settings = self.env["retail.backend"]._webhook_inbox_settings(backend.id)
        state, company_id, channel = (
            (settings.state, settings.company_id, settings.channel)
            if settings
            else (backend.state, backend.company_id.id or None, backend.channel)
        )
        queue = not invalid_reason and (
            state == "active" or topic in backend.sudo()._webhook_topics_processed_when_paused()
        )
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
                company_id,
                channel,
                topic,
                delivery_id,
                event_id,
                triggered_at,
                fields.Datetime.now(),
                payload_text if payload_text is not None else psycopg2.extras.Json(payload),
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
            model._ensure_inbox_job(backend)
        return event, True

    @api.model
    def _ensure_inbox_job(self, backend):
        """Make sure an inbox job of ``backend`` will see the events this transaction stored.

        The usual case costs one query: a pending inbox job exists, and locking
        it FOR SHARE until this transaction commits keeps the job runner from
        starting it (its UPDATE to 'enqueued' waits), so the job's transaction
        begins after the new events are visible. A job that is already enqueued
        or running may have begun before them: then a new one is queued. Several
        inbox jobs of one backend at once are harmless: each claims its events
        with SKIP LOCKED. Not queue_job's identity key: its check also accepts
        an enqueued job, which may already be past the point of seeing them.
        """
        key = inbox_job_key(backend.id)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT 1 FROM queue_job WHERE identity_key = %s AND state = 'pending' LIMIT 1 FOR SHARE",
                        key,
                    ),
                    log_exceptions=False,  # a serialization failure is expected and handled below
                )
                if self.env.cr.fetchone():
                    return None
        except psycopg2.errors.SerializationFailure:
            # the runner enqueued that job since this transaction began: queue another one
            _logger.debug("Inbox job of backend %s was enqueued meanwhile: queuing another one", backend.id)
        return self._delay_inbox_job(backend)

    @api.model
    def _delay_inbox_job(self, backend):
        # Same user, context and company as the event jobs: see _delay_processing.
        job = (
            self.with_user(SUPERUSER_ID)
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                retail_job_backend_id=backend.id,
            )
            .with_company(backend.company_id)
            .with_delay(channel=WEBHOOK_CHANNEL, description=f"Dispatch the webhook inbox of {backend.name}")
            ._dispatch_inbox_job(backend)
        )
        # The key is how _ensure_inbox_job finds it; written here because
        # with_delay(identity_key=...) would reuse an enqueued job (see there).
        self.env.cr.execute(
            SQL("UPDATE queue_job SET identity_key = %s WHERE uuid = %s", inbox_job_key(backend.id), job.uuid)
        )
        self.env["queue.job"].invalidate_model(["identity_key"])
        return job

    @api.model
    def _dispatch_inbox_job(self, backend):
        """queue_job entry point: turn the events ``backend`` received into their jobs, oldest first.

        Events are claimed with SKIP LOCKED, so two inbox jobs never queue the
        same event. Each event keeps a job of its own (its own transaction, retry
        pattern and failure), as on a replay: one event's rollback never touches
        another's work. The delivery's hot path is left with one query.
        """
        self.env.cr.execute(
            SQL(
                """SELECT id FROM retail_webhook_event
                    WHERE backend_id = %s AND state = 'queued' AND job_uuid IS NULL
                    ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                backend.id,
                INBOX_BATCH + 1,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        events = self.sudo().browse(ids[:INBOX_BATCH])
        if backend.state != "active":
            urgent = backend._webhook_topics_processed_when_paused()
            waiting = events.filtered(lambda event: event.topic not in urgent)
            waiting.write({"state": "received"})  # Resume queues them
            events -= waiting
            if not events:
                return _(
                    "Backend %(backend)s is not active: %(count)s events wait for Resume.",
                    backend=backend.name,
                    count=len(waiting),
                )
        for event in events.with_context(retail_job_backend_id=backend.id):
            job = event._delay_processing(backend.company_id, event.topic, event.delivery_id)
            event.job_uuid = job.uuid
        if len(ids) > INBOX_BATCH:
            self._delay_inbox_job(backend)  # the rest, in a job of its own: short transactions
        return _("%s events queued", len(events))

    @api.model
    def _cron_process_waiting(self):
        """Safety net: queue an inbox job for events left waiting (their job was deleted or failed for good)."""
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT event.backend_id FROM retail_webhook_event event
                    WHERE event.state = 'queued' AND event.job_uuid IS NULL AND event.received_at < %s
                      AND NOT EXISTS (SELECT 1 FROM queue_job job
                                       WHERE job.identity_key = 'retail-webhook-inbox-' || event.backend_id
                                         AND job.state IN ('pending', 'enqueued', 'started'))""",
                fields.Datetime.now() - timedelta(minutes=WAITING_MINUTES),
            )
        )
        backends = self.env["retail.backend"].browse(row[0] for row in self.env.cr.fetchall())
        for backend in backends.filtered(lambda b: b.state == "active"):
            self._delay_inbox_job(backend)
        return len(backends)

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
        """The job that processes this one event on a replay or a resume (the pending
        one if there is one, so that an event never runs twice at once). New
        deliveries go through the backend's inbox job instead (_ensure_inbox_job)."""
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
        if backend.state != "active" and self.topic not in backend._webhook_topics_processed_when_paused():
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

    def _redact(self):
        """Erase the payloads (personal data) of these events; what was done with them stays."""
        if self:
            self.sudo().write({"payload": {"redacted": True}})
        return len(self)

    def action_replay(self):
        redacted = self.filtered(lambda e: e.sudo().payload == {"redacted": True})
        if redacted:
            raise UserError(_("Webhook %s was erased on a privacy request: it cannot be replayed.", redacted[0].topic))
        inactive = self.filtered(
            lambda e: e.backend_id.state != "active"
            and e.topic not in e.backend_id._webhook_topics_processed_when_paused()
        )
        if inactive:
            raise UserError(_("Resume backend %s before replaying its events.", inactive[0].backend_id.name))
        self._enqueue_processing()
        return True
