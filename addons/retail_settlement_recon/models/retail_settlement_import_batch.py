# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.models.retail_backend import IMPORT_CHANNEL

from ..lib import group_settlements, parse
from ..lib.canonical import ParseError


class RetailSettlementImportBatch(models.Model):
    """A large settlement file imported in the background, chunk by chunk (queue jobs)."""

    _name = "retail.settlement.import.batch"
    _description = "Settlement File Import"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    provider_id = fields.Many2one("retail.settlement.provider", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="provider_id.company_id", store=True, index=True)
    file_name = fields.Char()
    data_file = fields.Binary(string="File", attachment=True, required=True)
    auto_match = fields.Boolean(string="Match Right Away", default=True)
    total_rows = fields.Integer(readonly=True)
    imported_rows = fields.Integer(readonly=True, help="Rows processed, already imported payouts included.")
    progress = fields.Float(compute="_compute_progress")
    chunk_count = fields.Integer(readonly=True)
    chunks_done = fields.Integer(readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Text(readonly=True)
    settlement_ids = fields.Many2many("retail.settlement", string="Settlements", readonly=True)
    settlement_count = fields.Integer(compute="_compute_settlement_count")

    @api.depends("file_name", "provider_id.name")
    def _compute_name(self):
        for batch in self:
            batch.name = " - ".join(filter(None, [batch.provider_id.name, batch.file_name])) or False

    @api.depends("total_rows", "imported_rows")
    def _compute_progress(self):
        for batch in self:
            batch.progress = 100.0 * batch.imported_rows / batch.total_rows if batch.total_rows else 0.0

    @api.depends("settlement_ids")
    def _compute_settlement_count(self):
        for batch in self:
            batch.settlement_count = len(batch.settlement_ids)

    # ------------------------------------------------------------------
    def _parse(self, content=None):
        self.ensure_one()
        provider = self.provider_id
        content = content if content is not None else base64.b64decode(self.data_file)
        mapping = provider.csv_profile_id._mapping() if provider.csv_profile_id else None
        try:
            rows = parse(provider.code, content, mapping=mapping)
        except (ParseError, ValueError, KeyError) as exc:
            raise UserError(self.env._("The file could not be read: %s", exc)) from exc
        return group_settlements(rows)

    def _enqueue(self, parsed, chunk_rows):
        """Split the payouts in chunks of about ``chunk_rows`` rows (a payout is never split)
        and queue one job per chunk. Payouts already imported only count as processed."""
        self.ensure_one()
        known = set(
            self.env["retail.settlement"]
            .search([("provider_id", "=", self.provider_id.id), ("external_id", "in", [p.external_id for p in parsed])])
            .mapped("external_id")
        )
        chunks, current, size, skipped_rows = [], [], 0, 0
        for settlement in parsed:
            if not settlement.external_id or settlement.external_id in known:
                skipped_rows += len(settlement.rows)
                continue
            current.append(settlement.external_id)
            size += len(settlement.rows)
            if size >= chunk_rows:
                chunks.append((current, size))
                current, size = [], 0
        if current:
            chunks.append((current, size))
        self.write(
            {
                "total_rows": sum(len(p.rows) for p in parsed),
                "imported_rows": skipped_rows,
                "chunk_count": len(chunks),
                "chunks_done": 0,
                "state": "queued" if chunks else "done",
            }
        )
        for index, (external_ids, rows) in enumerate(chunks, start=1):
            self.with_delay(
                channel=IMPORT_CHANNEL,
                description=self.env._(
                    "Import settlements %(name)s, part %(index)s/%(count)s",
                    name=self.name,
                    index=index,
                    count=len(chunks),
                ),
                identity_key=f"retail-settlement-import-{self.id}-{index}",
            )._import_chunk_job(external_ids, rows)
        return len(chunks)

    def _import_chunk_job(self, external_ids, row_count):
        """Job: import the payouts ``external_ids`` of the file (idempotent: known ones are skipped)."""
        self.ensure_one()
        if self.state == "failed":
            return self.env._("Batch failed earlier: chunk skipped.")
        self.flush_recordset()
        self.env.cr.execute(
            "UPDATE retail_settlement_import_batch SET state = 'running' WHERE id = %s AND state = 'queued'",
            (self.id,),
        )
        self.invalidate_recordset(["state"])
        wanted = set(external_ids)
        try:
            with self.env.cr.savepoint():
                parsed = [p for p in self._parse() if p.external_id in wanted]
                settlements = self.env["retail.settlement"]._import_parsed(
                    self.provider_id, parsed, file_name=self.file_name
                )
                if self.auto_match:
                    settlements.action_match()
        except UserError as exc:
            # a data problem: retrying will not help, the batch shows why it stopped
            self.env.cr.execute(
                "UPDATE retail_settlement_import_batch SET state = 'failed', error = %s WHERE id = %s",
                (str(exc), self.id),
            )
            self.invalidate_recordset(["state", "error"])
            return str(exc)
        # one statement, so that chunks running side by side add up (concurrent ones are retried)
        self.env.cr.execute(
            """
            UPDATE retail_settlement_import_batch
               SET imported_rows = LEAST(imported_rows + %s, total_rows), chunks_done = chunks_done + 1,
                   state = CASE WHEN chunks_done + 1 >= chunk_count AND state != 'failed' THEN 'done'
                                ELSE state END
             WHERE id = %s
            """,
            (row_count, self.id),
        )
        self.invalidate_recordset(["imported_rows", "chunks_done", "state"])
        if settlements:
            self.settlement_ids = [(4, settlement.id) for settlement in settlements]
        return self.env._("%s settlement(s) imported.", len(settlements))

    def action_view_settlements(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Settlements"),
            "res_model": "retail.settlement",
            "view_mode": "list,form",
            "domain": [("id", "in", self.settlement_ids.ids)],
        }
