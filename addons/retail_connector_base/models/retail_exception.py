# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..lib.digest import advisory_lock_key
from ..lib.masking import mask_payload, mask_text
from ..lib.savepoint import racing_insert
from .retail_exception_type import SEVERITIES

OPEN_STATES = ("new", "in_progress")
CLOSED_STATES = ("resolved", "ignored")
PAYLOAD_EXCERPT_CHARS = 2000
AGE_BUCKETS = [("0_1", "< 1 day"), ("1_7", "1-7 days"), ("7_30", "7-30 days"), ("30_plus", "> 30 days")]


LONG_VALUE_CHARS = 200


def _shorten_values(value):
    """Cut long strings so every key of a payload fits in the excerpt."""
    if isinstance(value, dict):
        return {key: _shorten_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten_values(item) for item in value[:20]]
    if isinstance(value, str) and len(value) > LONG_VALUE_CHARS:
        return value[:LONG_VALUE_CHARS] + "..."
    return value


def _age_bucket(days):
    if days < 1:
        return "0_1"
    if days < 7:
        return "1_7"
    if days < 30:
        return "7_30"
    return "30_plus"


class RetailException(models.Model):
    """A problem someone has to look at. Reported through :meth:`_report`, which
    updates the open exception with the same key instead of duplicating it."""

    _name = "retail.exception"
    _description = "Retail Connector Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "severity_rank desc, last_seen desc, id desc"

    name = fields.Char(required=True, tracking=True)
    type_id = fields.Many2one("retail.exception.type", required=True, ondelete="restrict", tracking=True)
    type_code = fields.Char(related="type_id.code", store=True, index=True)
    category = fields.Selection(related="type_id.category", store=True, index=True)
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True)
    state = fields.Selection(
        [("new", "New"), ("in_progress", "In Progress"), ("resolved", "Resolved"), ("ignored", "Ignored")],
        default="new",
        required=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one("res.users", string="Assignee", tracking=True)
    backend_id = fields.Many2one("retail.backend", ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    key = fields.Char(index=True, readonly=True, help="Identifies the problem: the same key updates it.")
    first_seen = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    last_seen = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    occurrence_count = fields.Integer(string="Occurrences", default=1, readonly=True)
    can_retry = fields.Boolean(compute="_compute_can_retry", help="A failed job or event can be re-run.")
    age_days = fields.Integer(string="Age (days)", compute="_compute_age_days")
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", default="0_1", readonly=True, index=True)
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(string="Related Record ID", model_field="res_model", readonly=True)
    origin_model = fields.Char(readonly=True, help="What failed and is re-run by Retry.")
    origin_id = fields.Many2oneReference(model_field="origin_model", readonly=True)
    job_uuid = fields.Char(string="Job UUID", readonly=True, index=True)
    external_id = fields.Char(string="External ID", readonly=True, index=True)
    message = fields.Text(readonly=True)
    suggested_fix = fields.Text()
    payload_excerpt = fields.Text(readonly=True)
    ignore_reason = fields.Text(readonly=True, tracking=True)
    resolution_note = fields.Text(tracking=True)

    _open_key_uniq = models.UniqueIndex(
        "(COALESCE(backend_id, 0), key) WHERE state IN ('new', 'in_progress') AND key IS NOT NULL",
        "This problem is already open.",
    )

    @api.depends("severity")
    def _compute_severity_rank(self):
        ranks = {code: rank for rank, (code, _label) in enumerate(SEVERITIES)}
        for exception in self:
            exception.severity_rank = ranks.get(exception.severity, 0)

    @api.depends("job_uuid", "origin_model", "origin_id", "state")
    def _compute_can_retry(self):
        for exception in self:
            origin = exception._origin_record()
            exception.can_retry = exception.state in OPEN_STATES and bool(
                exception.job_uuid or (origin and hasattr(origin, "_retail_retry"))
            )

    @api.depends("first_seen")
    def _compute_age_days(self):
        now = fields.Datetime.now()
        for exception in self:
            exception.age_days = (now - exception.first_seen).days if exception.first_seen else 0

    # ------------------------------------------------------------------
    # Reporting (called by the connector, never by users)
    # ------------------------------------------------------------------
    @api.model
    def _report(
        self,
        type_code,
        key,
        backend=None,
        message="",
        record=None,
        external_id=None,
        origin=None,
        payload=None,
        job_uuid=None,
        severity=None,
        suggested_fix=None,
    ):
        """Open an exception, or update the open one with the same ``key``."""
        exception_type = self.env["retail.exception.type"].sudo().search([("code", "=", type_code)], limit=1)
        if not exception_type:
            exception_type = self.env.ref("retail_connector_base.exception_type_generic")
        message = mask_text(message or "")
        values = {
            "last_seen": fields.Datetime.now(),
            "message": message,
            "payload_excerpt": self._payload_excerpt(payload),
        }
        if job_uuid:
            values["job_uuid"] = job_uuid
        model = self.sudo()
        if key:
            # Serialise reporters of one key; the partial unique index is the guarantee.
            backend_id = backend.id if backend else False
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_lock_key(self._name, backend_id, key),))
            existing = model.search(
                [("backend_id", "=", backend_id), ("key", "=", key), ("state", "in", OPEN_STATES)], limit=1
            )
            if existing:
                values["occurrence_count"] = existing.occurrence_count + 1
                existing.write(values)
                return existing
        first_line = (message.splitlines() or [""])[0][:120]
        values.update(
            {
                "name": f"{exception_type.name}: {first_line}" if first_line else exception_type.name,
                "type_id": exception_type.id,
                "severity": severity or exception_type.default_severity,
                "key": key,
                "backend_id": backend.id if backend else False,
                "company_id": backend.company_id.id if backend else self.env.company.id,
                "external_id": external_id and str(external_id),
                "suggested_fix": suggested_fix or exception_type.suggested_fix,
                "first_seen": values["last_seen"],
            }
        )
        if record:
            values.update(res_model=record._name, res_id=record.id)
        if origin:
            values.update(origin_model=origin._name, origin_id=origin.id)
        try:
            with racing_insert(self.env.cr):
                return model.create(values)
        except psycopg2.errors.UniqueViolation as exc:
            raise RetryableJobError(f"exception {key} reported concurrently", seconds=5) from exc

    @api.model
    def _payload_excerpt(self, payload):
        if not payload:
            return False
        if not isinstance(payload, str):
            payload = json.dumps(_shorten_values(mask_payload(payload)), default=str, sort_keys=True, indent=1)
        else:
            payload = mask_text(payload)
        return payload[:PAYLOAD_EXCERPT_CHARS]

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in CLOSED_STATES:
            self._purge_attachments()
        return result

    def _purge_attachments(self):
        """Delete the files of closed exceptions whose type says they hold personal data."""
        purged = self.filtered(lambda e: e.state in CLOSED_STATES and e.type_id.purge_attachments_on_close)
        if not purged:
            return
        attachments = (
            self.env["ir.attachment"].sudo().search([("res_model", "=", self._name), ("res_id", "in", purged.ids)])
        )
        for exception in purged:
            names = attachments.filtered(lambda a, exception=exception: a.res_id == exception.id).mapped("name")
            if names:
                exception.message_post(body=_("Closed: its files were deleted (%s).", ", ".join(names)))
        attachments.unlink()

    @api.model
    def _resolve_key(self, key, backend=None, note=None):
        """Close the open exception of ``key`` (e.g. a retry succeeded)."""
        return self._resolve_keys([key], backend=backend, note=note)

    @api.model
    def _resolve_keys(self, keys, backend=None, note=None):
        """Close the open exceptions of ``keys`` (a batch of retries succeeded), in one query."""
        if not keys:
            return self.browse()
        open_ones = self.sudo().search(
            [
                ("backend_id", "=", backend.id if backend else False),
                ("key", "in", list(keys)),
                ("state", "in", OPEN_STATES),
            ]
        )
        if open_ones:
            open_ones.write({"state": "resolved", "resolution_note": note})
        return open_ones

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------
    def _check_open(self):
        closed = self.filtered(lambda e: e.state not in OPEN_STATES)
        if closed:
            raise UserError(
                _(
                    "Only open exceptions can be handled; %(name)s is already %(state)s.",
                    name=closed[0].name,
                    state=closed[0].state,
                )
            )

    def action_retry(self):
        """Re-run what failed: the failed job, or the origin record's retry."""
        self._check_open()
        for exception in self:
            job = (
                self.env["queue.job"].sudo().search([("uuid", "=", exception.job_uuid)], limit=1)
                if (exception.job_uuid)
                else self.env["queue.job"]
            )
            origin = exception._origin_record()
            if origin and hasattr(origin, "_retail_retry"):
                origin._retail_retry()
            elif job:
                job.requeue()
            else:
                raise UserError(_("Nothing can be re-run for %s: fix the data, then resolve it.", exception.name))
            exception.write({"state": "in_progress"})
            exception.message_post(body=_("Retry requested by %s.", self.env.user.name))
        return True

    def action_resolve(self):
        self._check_open()
        self.write({"state": "resolved"})
        return True

    def action_take(self):
        self._check_open()
        self.write({"state": "in_progress", "user_id": self.env.user.id})
        return True

    def action_reopen(self):
        self.write({"state": "new"})
        return True

    def action_ignore(self):
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": _("Ignore Exceptions"),
            "res_model": "retail.exception.ignore.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_ids": self.ids},
        }

    def _ignore(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Say why these exceptions are ignored."))
        self._check_open()
        self.write({"state": "ignored", "ignore_reason": reason})
        for exception in self:
            exception.message_post(body=_("Ignored: %s", reason))

    def _origin_record(self):
        self.ensure_one()
        if self.origin_model and self.origin_id and self.origin_model in self.env:
            return self.env[self.origin_model].browse(self.origin_id).exists()
        return None

    def action_open_record(self):
        self.ensure_one()
        if not (self.res_model and self.res_id):
            raise UserError(_("This exception is not linked to a record."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.model
    def _cron_refresh_age(self):
        now = fields.Datetime.now()
        open_ones = self.search([("state", "in", OPEN_STATES)])
        for bucket in {code for code, _label in AGE_BUCKETS}:
            subset = open_ones.filtered(lambda e, b=bucket: _age_bucket((now - e.first_seen).days) == b)
            subset.filtered(lambda e, b=bucket: e.age_bucket != b).write({"age_bucket": bucket})
        return True

    @api.model
    def _cron_report_failed_jobs(self):
        """Every connector job that failed for good gets a workbench entry."""
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("state", "=", "failed"),
                    "|",
                    ("retail_backend_id", "!=", False),
                    ("channel", "=like", "root.retail%"),
                ]
            )
        )
        known = set(self.sudo().search([("key", "in", [f"job:{job.uuid}" for job in jobs])]).mapped("key"))
        reported = self.browse()
        for job in jobs.filtered(lambda j: f"job:{j.uuid}" not in known):
            reported |= self._report(
                "job_failed",
                key=f"job:{job.uuid}",
                backend=job.retail_backend_id,
                message=f"{job.name}\n{job.exc_name or ''}: {job.exc_message or ''}",
                job_uuid=job.uuid,
            )
        return reported
