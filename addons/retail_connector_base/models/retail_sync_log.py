# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..lib.masking import mask_text
from ..lib.retry import ChannelError, classify_exception, to_job_error

_logger = logging.getLogger(__name__)

RETENTION_PARAM = "retail_connector_base.sync_log_retention_days"
DEFAULT_RETENTION_DAYS = 30
GC_BATCH = 10000


class SyncRun:
    """What the body of :meth:`RetailSyncLog._track` reports about its run."""

    def __init__(self):
        self.result = "done"
        self.record = None
        self.message = ""
        self.external_updated_at = None
        self.exception = None
        #: the run's share of a batch that did the work of several runs (None: the body's own time)
        self.duration_ms = None

    def skip(self, message=""):
        self.result = "skipped"
        self.message = message


class RetailSyncLog(models.Model):
    """One row per importer / exporter / webhook run."""

    _name = "retail.sync.log"
    _description = "Retail Sync Log"
    _order = "id desc"
    _rec_name = "entity"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True, precompute=True)
    logged_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    direction = fields.Selection([("import", "Import"), ("export", "Export"), ("webhook", "Webhook")], required=True)
    entity = fields.Char(required=True)
    external_id = fields.Char(string="External ID", index=True)
    res_model = fields.Char(string="Record Model")
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model")
    result = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")], required=True, index=True
    )
    duration_ms = fields.Integer(string="Duration (ms)")
    message = fields.Text()
    job_uuid = fields.Char(string="Job UUID", index=True)
    correlation_id = fields.Char(index=True, help="Ties together the runs caused by one event.")
    external_updated_at = fields.Datetime()
    lag_seconds = fields.Float(help="Seconds between the channel's 'updated at' and the end of the synchronisation.")
    exception_id = fields.Many2one("retail.exception", ondelete="set null")

    @api.model_create_multi
    def create(self, vals_list):
        # Personal data never reaches the log, whoever writes it.
        for vals in vals_list:
            if vals.get("message"):
                vals["message"] = mask_text(vals["message"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("message"):
            vals = dict(vals, message=mask_text(vals["message"]))
        return super().write(vals)

    @contextmanager
    def _track(
        self,
        backend,
        direction,
        entity,
        external_id=None,
        correlation_id=None,
        origin=None,
        exception_type=None,
        payload=None,
    ):
        """Run the body as one logged, all-or-nothing synchronisation.

        Throttled and transient failures are re-raised as ``RetryableJobError``
        (queue_job retries the job later). Any other failure rolls the body back,
        opens (or updates) an exception record and logs the run as failed, so
        nothing is half-written and nothing is lost.
        """
        run = SyncRun()
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                yield run
        except (RetryableJobError, psycopg2.OperationalError):
            raise
        except Exception as exc:  # pylint: disable=broad-except
            error = classify_exception(exc) or exc
            if isinstance(error, ChannelError) and error.kind in ("throttled", "transient"):
                raise to_job_error(error) from exc
            run.result = "failed"
            run.message = str(exc)
            # A record created by the failed body was rolled back with it.
            run.record = run.record.exists() if run.record else None
            run.exception = self.env["retail.exception"]._report(
                getattr(error, "exception_type", None) or exception_type or f"{direction}_failed",
                key=self._exception_key(backend, direction, entity, external_id),
                backend=backend,
                message=str(exc),
                record=run.record,
                external_id=external_id,
                origin=origin,
                payload=getattr(error, "details", None) or payload,
                job_uuid=self.env.context.get("job_uuid"),
            )
        else:
            if run.result == "done":
                self.env["retail.exception"]._resolve_key(
                    self._exception_key(backend, direction, entity, external_id),
                    backend=backend,
                    note="A later synchronisation succeeded.",
                )
        self._log_run(backend, direction, entity, external_id, run, started, correlation_id)

    @api.model
    def _exception_key(self, backend, direction, entity, external_id):
        return f"{direction}:{entity}:{external_id or '-'}"

    @api.model
    def _log_run(self, backend, direction, entity, external_id, run, started, correlation_id=None):
        values = self._log_values(backend, direction, entity, external_id, run, started, correlation_id)
        return self.sudo().create(values)

    @api.model
    def _log_batch(self, backend, direction, entity, runs, correlation_id=None):
        """Log the runs of a batch that did their work together and succeeded
        (``[(external id, SyncRun)]``, each done or skipped, its ``duration_ms`` set):
        what :meth:`_track` logs for each, in one INSERT, and the open exceptions
        of those done resolved in one query."""
        if not runs:
            return self.browse()
        done_keys = [
            self._exception_key(backend, direction, entity, external_id)
            for external_id, run in runs
            if run.result == "done"
        ]
        self.env["retail.exception"]._resolve_keys(
            done_keys, backend=backend, note="A later synchronisation succeeded."
        )
        started = time.monotonic()
        return self.sudo().create(
            [
                self._log_values(backend, direction, entity, external_id, run, started, correlation_id)
                for external_id, run in runs
            ]
        )

    @api.model
    def _log_values(self, backend, direction, entity, external_id, run, started, correlation_id=None):
        now = fields.Datetime.now()
        lag = 0.0
        if run.result == "done" and run.external_updated_at:
            lag = max(0.0, (now - run.external_updated_at).total_seconds())
        record = run.record
        return {
            "backend_id": backend.id,
            "logged_at": now,
            "direction": direction,
            "entity": entity,
            "external_id": external_id and str(external_id),
            "res_model": record._name if record else False,
            "res_id": record.id if record and len(record) == 1 else False,
            "result": run.result,
            "duration_ms": (
                run.duration_ms if run.duration_ms is not None else int((time.monotonic() - started) * 1000)
            ),
            "message": run.message,
            "job_uuid": self.env.context.get("job_uuid"),
            "correlation_id": correlation_id,
            "external_updated_at": run.external_updated_at,
            "lag_seconds": lag,
            "exception_id": run.exception.id if run.exception else False,
        }

    @api.model
    def _lag_percentiles(self, backends, since):
        """{backend id: (p50, p95)} of sync lag in seconds for runs since ``since``."""
        if not backends:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT backend_id,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_seconds),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY lag_seconds)
              FROM retail_sync_log
             WHERE backend_id = ANY(%s) AND result = 'done'
               AND external_updated_at IS NOT NULL AND logged_at >= %s
          GROUP BY backend_id
            """,
            (list(backends.ids), since),
        )
        return {row[0]: (row[1] or 0.0, row[2] or 0.0) for row in self.env.cr.fetchall()}

    @api.model
    def _gc_old_logs(self):
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, DEFAULT_RETENTION_DAYS))
        limit = fields.Datetime.now() - timedelta(days=days)
        removed = 0
        while True:
            old = self.sudo().search([("logged_at", "<", limit)], limit=GC_BATCH)
            if not old:
                break
            removed += len(old)
            old.unlink()
        _logger.info("Removed %s retail sync log rows older than %s days", removed, days)
        return removed
