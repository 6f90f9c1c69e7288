# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.parsers import GENERIC_FIELDS


class RetailSettlementCsvProfile(models.Model):
    """Which column of a provider's CSV holds which settlement value."""

    _name = "retail.settlement.csv.profile"
    _description = "Settlement CSV Column Mapping"
    _order = "name"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    col_settlement_ref = fields.Char(string="Payout Reference Column")
    col_date = fields.Char(string="Date Column", required=True)
    col_type = fields.Char(string="Type Column")
    col_currency = fields.Char(string="Currency Column")
    col_gross = fields.Char(string="Gross Column", required=True)
    col_fee = fields.Char(string="Fee Column")
    col_net = fields.Char(string="Net Column")
    col_transaction_id = fields.Char(string="Transaction ID Column")
    col_source_id = fields.Char(string="Row ID Column")
    col_order_reference = fields.Char(string="Order Reference Column")
    col_partner_email = fields.Char(string="Customer E-mail Column")
    col_partner_name = fields.Char(string="Customer Name Column")
    col_description = fields.Char(string="Description Column")
    col_dispute_due_date = fields.Char(string="Evidence Due Date Column")
    date_format = fields.Char(help="strptime format, e.g. %d/%m/%Y; ISO dates when empty.")
    decimal_comma = fields.Boolean(help="Amounts are written 1.234,56.")
    fee_positive = fields.Boolean(string="Fees Written Positive")
    currency = fields.Char(string="Fixed Currency", help="ISO code when the file has no currency column.")
    type_map = fields.Text(
        default="{}",
        help='JSON: file type value → charge, refund, fee, chargeback, ... e.g. {"sale": "charge"}',
    )

    @api.constrains("type_map")
    def _check_type_map(self):
        for profile in self:
            try:
                value = json.loads(profile.type_map or "{}")
            except ValueError as exc:
                raise ValidationError(self.env._("The type map must be JSON.")) from exc
            if not isinstance(value, dict):
                raise ValidationError(self.env._("The type map must be a JSON object."))

    def _mapping(self):
        self.ensure_one()
        mapping = {name: self[f"col_{name}"] for name in GENERIC_FIELDS if self[f"col_{name}"]}
        mapping.update(
            type_map=json.loads(self.type_map or "{}"),
            date_format=self.date_format,
            decimal_comma=self.decimal_comma,
            fee_positive=self.fee_positive,
            currency=self.currency,
        )
        return mapping
