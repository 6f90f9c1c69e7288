# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..lib.digest import advisory_lock_key, payload_digest
from ..lib.savepoint import racing_insert

_logger = logging.getLogger(__name__)

#: seconds before a job retries when another job holds the record's lock
LOCKED_RETRY_SECONDS = 5


class RetailBindingMixin(models.AbstractModel):
    """Link between a channel's external id and an Odoo record.

    Concrete bindings define ``odoo_id`` (Many2one to the Odoo model) and get
    uniqueness per (backend, external id), payload digests so an unchanged
    payload is skipped, out-of-order protection, and a PostgreSQL advisory
    lock per (backend, model, external id) during an import.
    """

    _name = "retail.binding.mixin"
    _inherit = ["retail.backend.job.mixin"]
    _description = "Retail Binding (abstract)"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True, precompute=True)
    external_id = fields.Char(string="External ID", required=True, index=True, copy=False)
    external_updated_at = fields.Datetime(copy=False, help="'Updated at' of the channel's record.")
    last_synced_at = fields.Datetime(copy=False)
    payload_digest = fields.Char(copy=False, help="SHA-256 of the last payload applied.")

    _backend_external_uniq = models.Constraint(
        "UNIQUE(backend_id, external_id)", "This external record is already bound for this backend."
    )

    @api.model
    def _lookup(self, backend, external_id):
        return self.with_context(active_test=False).search(
            [("backend_id", "=", backend.id), ("external_id", "=", str(external_id))], limit=1
        )

    @api.model
    def _lookup_many(self, backend, external_ids):
        """``{external id: binding}`` of those bound, in one query (a page of records)."""
        external_ids = {str(external_id) for external_id in external_ids if external_id}
        if not external_ids:
            return {}
        bindings = self.with_context(active_test=False).search(
            [("backend_id", "=", backend.id), ("external_id", "in", list(external_ids))]
        )
        return {binding.external_id: binding for binding in bindings}

    @api.model
    def _lookup_record(self, backend, external_id):
        """The bound Odoo record for an external id (empty recordset if none)."""
        return self._lookup(backend, external_id).odoo_id

    @api.model
    def _lock_external_id(self, backend, external_id):
        """Take the advisory lock for this external record or ask for a retry.

        Never blocks: a job that cannot take the lock retries later instead of
        holding a worker, and sees the other job's committed work then.
        """
        self._lock_external_ids(backend, [external_id])

    @api.model
    def _lock_external_ids(self, backend, external_ids):
        """:meth:`_lock_external_id` for a page of records, in one query."""
        keys = {advisory_lock_key(backend.id, self._name, external_id): external_id for external_id in external_ids}
        if not keys:
            return
        # every lock is tried (those taken are released with the transaction, which the retry rolls back)
        self.env.cr.execute(
            "SELECT key FROM unnest(%s::bigint[]) AS key WHERE NOT pg_try_advisory_xact_lock(key)", (list(keys),)
        )
        busy = [keys[key] for (key,) in self.env.cr.fetchall()]
        if busy:
            raise RetryableJobError(
                f"{self._name} {', '.join(str(external_id) for external_id in busy[:5])}"
                f"{'...' if len(busy) > 5 else ''} is being imported by another job",
                seconds=LOCKED_RETRY_SECONDS,
                ignore_retry=True,
            )

    @api.model
    def _bind(self, backend, external_id, record, payload=None, external_updated_at=None, binding=None):
        binding = binding or self._lookup(backend, external_id)
        if not binding:
            return self._bind_new(backend, [(external_id, record, payload, external_updated_at)])
        values = {
            "odoo_id": record.id,
            "last_synced_at": fields.Datetime.now(),
            "external_updated_at": external_updated_at,
        }
        if payload is not None:
            values["payload_digest"] = payload_digest(payload)
        binding.write(values)
        return binding

    @api.model
    def _bind_new(self, backend, entries):
        """Bind records that no binding points at yet, in one INSERT; ``entries`` is a list
        of ``(external_id, record, payload or None, external_updated_at)``. Returns the
        bindings in the order of ``entries``. The caller holds each external id's lock
        (:meth:`_lock_external_id`) and found no binding: a binding committed meanwhile
        by another transaction makes the job retry, never a duplicate."""
        now = fields.Datetime.now()
        values = []
        for external_id, record, payload, external_updated_at in entries:
            vals = {
                "backend_id": backend.id,
                "external_id": str(external_id),
                "odoo_id": record.id,
                "last_synced_at": now,
                "external_updated_at": external_updated_at,
            }
            if payload is not None:
                vals["payload_digest"] = payload_digest(payload)
            values.append(vals)
        try:
            with racing_insert(self.env.cr):
                return self.create(values)
        except psycopg2.errors.UniqueViolation as exc:
            # Another transaction committed one of these bindings after our snapshot.
            ids = ", ".join(str(entry[0]) for entry in entries[:5])
            raise RetryableJobError(
                f"{self._name} {ids}{'...' if len(entries) > 5 else ''} was bound concurrently",
                seconds=LOCKED_RETRY_SECONDS,
            ) from exc

    @api.model
    def _import_record(self, backend, external_id, payload, apply, external_updated_at=None):
        """Create or update the Odoo record bound to ``external_id``.

        ``apply(binding, payload)`` returns the Odoo record to bind (creating it
        or writing it). Returns ``(binding, result)`` where result is ``done``
        or ``skipped`` (unchanged payload, or older than what is stored).
        """
        external_id = str(external_id)
        self._lock_external_id(backend, external_id)
        binding = self._lookup(backend, external_id)
        if binding:
            if binding.payload_digest == payload_digest(payload):
                return binding, "skipped"
            if (
                external_updated_at
                and binding.external_updated_at
                and external_updated_at < binding.external_updated_at
            ):
                return binding, "skipped"
        record = apply(binding, payload)
        binding = self._bind(
            backend, external_id, record, payload=payload, external_updated_at=external_updated_at, binding=binding
        )
        return binding, "done"
