# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..lib.retry import CatchUpContinues, CatchUpPaused

MANAGER_GROUP = "retail_connector_base.group_retail_connector_manager"
DASHBOARD_LAG_HOURS = 24
IMPORT_CHANNEL = "root.retail.import"
EXPORT_CHANNEL = "root.retail.export"
#: exports of one entity scheduled within this window are sent as one job
EXPORT_DEBOUNCE_SECONDS = 60


@dataclass(frozen=True)
class WebhookSpec:
    """What a channel declares about its webhooks: the header names carrying
    each piece of information, tried in order (case-insensitive)."""

    signature_headers: tuple
    delivery_id_headers: tuple = ()
    event_id_headers: tuple = ()
    topic_headers: tuple = ()
    triggered_at_headers: tuple = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InboxSettings:
    """What the webhook inbox needs of a backend on every delivery."""

    backend_id: int
    channel: str
    state: str
    company_id: int | None
    secrets: tuple
    spec: WebhookSpec | None  # None: the channel receives no webhooks


#: the fields InboxSettings is made of: writing one clears the cache on every worker
INBOX_FIELDS = frozenset({"active", "channel", "state", "company_id", "webhook_secret", "webhook_secret_previous"})


class RetailBackend(models.Model):
    """A connection to one sales channel (a shop). Channel modules add their
    code to ``channel`` and implement the ``_channel_*`` hooks, the way
    payment providers extend ``payment.provider``."""

    _name = "retail.backend"
    _description = "Retail Channel Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _catch_up_batch_size_positive = models.Constraint(
        "CHECK(catch_up_batch_size >= 0)", "Records per catch-up job cannot be negative."
    )

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    channel = fields.Selection(selection=[], required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("paused", "Paused")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    color = fields.Integer()
    # Secrets: readable by connector managers only, never tracked nor logged.
    webhook_secret = fields.Char(groups=MANAGER_GROUP, copy=False)
    webhook_secret_previous = fields.Char(
        string="Previous Webhook Secret",
        groups=MANAGER_GROUP,
        copy=False,
        help="Still accepted after a rotation, until every sender uses the new secret.",
    )
    webhook_rejected_count = fields.Integer(
        string="Rejected Webhooks",
        readonly=True,
        copy=False,
        help="Deliveries refused for a bad or missing signature.",
    )
    webhook_last_rejected_at = fields.Datetime(readonly=True, copy=False)
    catch_up_overlap_minutes = fields.Integer(
        default=10,
        help="The catch-up asks the channel for records updated since the watermark minus this overlap, "
        "so that records written while the previous run was reading are not missed.",
    )
    catch_up_batch_size = fields.Integer(
        string="Records per Catch-up Job",
        default=100,
        help="A catch-up job imports at most about this many records (whole pages), then a new job "
        "goes on: each job commits its share, so progress stands if a later record fails and "
        "transactions stay short. A backfill's import jobs take this many orders each. "
        "0: one job imports everything.",
    )
    watermark_ids = fields.One2many("retail.sync.watermark", "backend_id", string="Sync Watermarks")
    exception_ids = fields.One2many("retail.exception", "backend_id", string="Exceptions")
    webhook_url = fields.Char(
        string="Webhook URL", compute="_compute_webhook_url", help="Where the channel must send its webhooks."
    )
    open_exception_count = fields.Integer(string="Open Exceptions", compute="_compute_dashboard")
    failed_job_count = fields.Integer(string="Failed Jobs", compute="_compute_dashboard")
    pending_job_count = fields.Integer(string="Pending Jobs", compute="_compute_dashboard")
    last_sync_summary = fields.Text(compute="_compute_dashboard")
    sync_lag_p50 = fields.Float(string="Sync Lag p50 (s)", compute="_compute_dashboard")
    sync_lag_p95 = fields.Float(string="Sync Lag p95 (s)", compute="_compute_dashboard")

    @api.depends("channel")
    def _compute_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = (
                f"{base_url}/retail/webhook/{backend.channel}/{backend.id}" if backend.id and backend.channel else False
            )

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------
    def _compute_dashboard(self):
        exception_counts = dict(
            self.env["retail.exception"]._read_group(
                [("backend_id", "in", self.ids), ("state", "in", ("new", "in_progress"))],
                ["backend_id"],
                ["__count"],
            )
        )
        job_counts = {}
        for backend, state, count in (
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [("retail_backend_id", "in", self.ids), ("state", "in", ("failed", "pending", "enqueued", "started"))],
                ["retail_backend_id", "state"],
                ["__count"],
            )
        ):
            bucket = "failed" if state == "failed" else "pending"
            job_counts[(backend.id, bucket)] = job_counts.get((backend.id, bucket), 0) + count
        lags = self.env["retail.sync.log"]._lag_percentiles(
            self, fields.Datetime.now() - timedelta(hours=DASHBOARD_LAG_HOURS)
        )
        for backend in self:
            backend.open_exception_count = exception_counts.get(backend, 0)
            backend.failed_job_count = job_counts.get((backend.id, "failed"), 0)
            backend.pending_job_count = job_counts.get((backend.id, "pending"), 0)
            backend.sync_lag_p50, backend.sync_lag_p95 = lags.get(backend.id, (0.0, 0.0))
            backend.last_sync_summary = "\n".join(
                f"{mark.entity}: {fields.Datetime.to_string(mark.last_success_at)}"
                for mark in backend.watermark_ids.sorted("entity")
                if mark.last_success_at
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_activate(self):
        self.write({"state": "active"})

    def action_pause(self):
        self.filtered(lambda b: b.state == "active").write({"state": "paused"})

    def action_resume(self):
        paused = self.filtered(lambda b: b.state in ("paused", "draft"))
        paused.write({"state": "active"})
        # Events received while paused were stored, not processed: do it now.
        events = self.env["retail.webhook.event"].search(
            [("backend_id", "in", paused.ids), ("state", "=", "received")], order="id"
        )
        events._enqueue_processing()

    def action_test_connection(self):
        self.ensure_one()
        message = self._channel_test_connection()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection to %s works", self.name),
                "message": message or _("The channel answered."),
                "type": "success",
                "sticky": False,
                # show what the test wrote on the backend (shop, scopes)
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_rotate_webhook_secret(self):
        """Keep the current secret as previous one and generate a new one."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(_("Only connector managers can rotate webhook secrets."))
        for backend in self.sudo():
            backend.write(
                {
                    "webhook_secret_previous": backend.webhook_secret,
                    "webhook_secret": secrets.token_urlsafe(32),
                }
            )

    def action_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("retail_connector_base.action_retail_exception")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        return action

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("queue_job.action_queue_job")
        action["domain"] = [("retail_backend_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Catch-up (scheduled imports) and debounced exports
    # ------------------------------------------------------------------
    @api.model
    def _cron_catch_up(self):
        """Scheduled action: one catch-up job per active backend, and the exports
        whose changes are still waiting (a change that merged into an export job
        which had already read its data is sent now instead of never)."""
        for backend in self.search([("state", "=", "active")]):
            backend._enqueue_catch_up()
            for entity in backend._channel_pending_exports():
                backend._schedule_export(entity)

    def _enqueue_catch_up(self):
        self.ensure_one()
        return self.with_delay(
            channel=IMPORT_CHANNEL,
            description=f"Catch up with {self.name}",
            identity_key=f"retail-catch-up-{self.id}",
        )._catch_up_job()

    def _catch_up_job(self, resume=None):
        """Import what changed on the channel since each entity's watermark.

        ``resume`` ({entity, since, cursor, newest}) continues a run that was
        throttled half-way: same period, from the channel's page cursor.
        """
        self.ensure_one()
        resume = resume or {}
        entities = list(self._channel_catch_up_entities())
        if resume.get("entity") in entities:
            entities = entities[entities.index(resume["entity"]) :]
        done = []
        for entity in entities:
            mark = self._get_watermark(entity)
            if entity == resume.get("entity"):
                since, cursor = resume.get("since"), resume.get("cursor")
            else:
                since, cursor = mark.last_external_updated_at, None
                if since:
                    since -= timedelta(minutes=self.catch_up_overlap_minutes)
            try:
                newest = self._channel_catch_up(entity, since, cursor=cursor)
            except CatchUpPaused as paused:
                # What was imported stays (this job ends normally); the watermark
                # moves only once the whole period is in (pages need not be sorted).
                newest = max(filter(None, (paused.newest, resume.get("newest"))), default=None)
                self.with_delay(
                    channel=IMPORT_CHANNEL,
                    eta=paused.seconds or None,
                    description=f"Catch up with {self.name} (continued)",
                    identity_key=f"retail-catch-up-{self.id}",
                )._catch_up_job(
                    resume={"entity": entity, "since": since, "cursor": paused.cursor or cursor, "newest": newest}
                )
                mark._advance(success=False)
                if isinstance(paused, CatchUpContinues):
                    done.append(f"{entity}: {paused.reason}")
                else:
                    done.append(f"{entity} paused ({paused.reason}), resumes in {paused.seconds} s")
                break
            if entity == resume.get("entity"):
                newest = max(filter(None, (newest, resume.get("newest"))), default=None)
            mark._advance(newest)
            done.append(entity)
        return f"caught up: {', '.join(done) or 'nothing to do'}"

    def _schedule_export(self, entity, delay=EXPORT_DEBOUNCE_SECONDS):
        """Export ``entity`` soon; calls within ``delay`` seconds share one job."""
        for backend in self.filtered(lambda b: b.state == "active"):
            backend.with_delay(
                channel=EXPORT_CHANNEL,
                eta=delay,
                description=f"Export {entity} to {backend.name}",
                identity_key=f"retail-export-{entity}-{backend.id}",
            )._export_job(entity)

    def _export_job(self, entity):
        self.ensure_one()
        with self.env["retail.sync.log"]._track(self, "export", entity) as run:
            run.message = self._channel_export(entity) or ""
        return run.result

    # ------------------------------------------------------------------
    # Channel hooks (implemented by channel modules)
    # ------------------------------------------------------------------
    def _channel_catch_up_entities(self):
        """Entities the catch-up imports, in order (e.g. products before orders)."""
        return []

    def _channel_catch_up(self, entity, since, cursor=None):
        """Import ``entity`` records updated since ``since`` (None: all), from
        the page ``cursor`` when given; return the newest channel 'updated at'
        imported, or None. Raise :class:`~..lib.retry.CatchUpPaused` (see
        :func:`~..lib.retry.catch_up`) when throttled half-way."""
        raise UserError(_("The channel %(channel)s cannot catch up %(entity)s.", channel=self.channel, entity=entity))

    def _channel_pending_exports(self):
        """Entities with changes waiting to be exported (e.g. stock marked dirty)."""
        return []

    def _channel_export(self, entity):
        """Send ``entity`` (e.g. stock levels) to the channel; return a short summary."""
        raise UserError(_("The channel %(channel)s cannot export %(entity)s.", channel=self.channel, entity=entity))

    def _channel_test_connection(self):
        """Check credentials against the channel; return a short message."""
        raise UserError(_("The channel %s cannot test its connection yet.", self.channel))

    def _webhook_spec(self):
        """Return the channel's :class:`WebhookSpec`."""
        raise UserError(_("The channel %s does not receive webhooks.", self.channel))

    def _process_webhook_event(self, event):
        """Apply one inbox event (``retail.webhook.event``) to Odoo."""
        raise UserError(_("The channel %s cannot process webhook events.", self.channel))

    def _webhook_topics_processed_when_paused(self):
        """Topics processed even while the backend is not active: legal requests
        (a customer's data or its erasure) do not wait for Resume. Their
        processing must only work in Odoo, never call the channel."""
        return frozenset()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        self.env.registry.clear_cache()  # a delivery may have cached "no such backend" for a new id
        return backends

    def write(self, vals):
        result = super().write(vals)
        if INBOX_FIELDS.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache("backend_id")
    def _webhook_inbox_settings(self, backend_id):
        """:class:`InboxSettings` of an active (not archived) backend, or None.

        Read once per worker rather than on every delivery: Odoo clears the cache
        on all workers when a backend is created, deleted or one of
        ``INBOX_FIELDS`` is written (see create, write and unlink)."""
        backend = self.sudo().search_fetch(
            [("id", "=", backend_id)],
            ["channel", "state", "company_id", "webhook_secret", "webhook_secret_previous"],
            limit=1,
        )
        if not backend:
            return None
        try:
            spec = backend._webhook_spec()
        except UserError:
            spec = None
        return InboxSettings(
            backend_id=backend.id,
            channel=backend.channel,
            state=backend.state,
            company_id=backend.company_id.id or None,
            secrets=tuple(backend._webhook_secrets()),
            spec=spec,
        )

    def _webhook_secrets(self):
        """Current secret first, then the previous one (rotation window)."""
        self.ensure_one()
        backend = self.sudo()
        return [secret for secret in (backend.webhook_secret, backend.webhook_secret_previous) if secret]

    def _record_rejected_webhook(self):
        # Atomic increment, no ORM write: concurrent rejections must all count.
        self.env.cr.execute(
            "UPDATE retail_backend SET webhook_rejected_count = COALESCE(webhook_rejected_count, 0) + 1,"
            " webhook_last_rejected_at = now() AT TIME ZONE 'UTC' WHERE id = %s",
            (self.id,),
        )
        self.invalidate_recordset(["webhook_rejected_count", "webhook_last_rejected_at"])

    def _get_watermark(self, entity):
        self.ensure_one()
        return self.env["retail.sync.watermark"]._get(self, entity)

    def _job_store_values(self, job):
        values = super()._job_store_values(job)
        if len(self) == 1:
            values["retail_backend_id"] = self.id
        return values

    @api.model
    def _cron_gc_sync_logs(self):
        return self.env["retail.sync.log"]._gc_old_logs()
