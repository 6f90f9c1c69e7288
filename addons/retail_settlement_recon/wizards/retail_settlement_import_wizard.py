# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..lib import group_settlements, parse
from ..lib.canonical import ParseError


class RetailSettlementImportWizard(models.TransientModel):
    """Import a provider file: new payouts become settlements, known ones are skipped."""

    _name = "retail.settlement.import.wizard"
    _description = "Import Settlement File"

    provider_id = fields.Many2one("retail.settlement.provider", required=True)
    data_file = fields.Binary(string="File", required=True)
    file_name = fields.Char()
    auto_match = fields.Boolean(string="Match Right Away", default=True)
    settlement_ids = fields.Many2many("retail.settlement", readonly=True)
    skipped_count = fields.Integer(readonly=True)
    batch_id = fields.Many2one("retail.settlement.import.batch", readonly=True)

    def _import(self, content):
        """Import the file; one with more rows than the provider's batch size is only
        split into queued jobs (see :attr:`batch_id`), nothing is imported yet."""
        self.ensure_one()
        provider = self.provider_id
        mapping = provider.csv_profile_id._mapping() if provider.csv_profile_id else None
        try:
            rows = parse(provider.code, content, mapping=mapping)
        except (ParseError, ValueError, KeyError) as exc:
            raise UserError(self.env._("The file could not be read: %s", exc)) from exc
        parsed = group_settlements(rows)
        chunk_rows = provider.batch_import_rows
        if chunk_rows > 0 and len(rows) > chunk_rows:
            batch = self.env["retail.settlement.import.batch"].create(
                {
                    "provider_id": provider.id,
                    "file_name": self.file_name,
                    "data_file": base64.b64encode(content),
                    "auto_match": self.auto_match,
                }
            )
            batch._enqueue(parsed, chunk_rows)
            self.batch_id = batch
            return self.env["retail.settlement"]
        settlements = self.env["retail.settlement"]._import_parsed(provider, parsed, file_name=self.file_name)
        self.write({"settlement_ids": [(6, 0, settlements.ids)], "skipped_count": len(parsed) - len(settlements)})
        if self.auto_match:
            settlements.action_match()
        return settlements

    def action_import(self):
        self.ensure_one()
        settlements = self._import(base64.b64decode(self.data_file))
        if self.batch_id:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Settlement File Import"),
                "res_model": "retail.settlement.import.batch",
                "res_id": self.batch_id.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Settlements"),
            "res_model": "retail.settlement",
            "view_mode": "list,form",
            "domain": [("id", "in", settlements.ids)],
        }
