# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountAccount(models.Model):
    _inherit = "account.account"

    retail_clearing = fields.Boolean(
        string="Provider Clearing Account",
        compute="_compute_retail_clearing",
        search="_search_retail_clearing",
        help="Money in transit of a settlement provider.",
    )

    def _clearing_account_ids(self):
        providers = self.env["retail.settlement.provider"].sudo().with_context(active_test=False).search([])
        return set(providers.clearing_account_id.ids)

    def _compute_retail_clearing(self):
        clearing = self._clearing_account_ids()
        for account in self:
            account.retail_clearing = account.id in clearing

    def _search_retail_clearing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", list(self._clearing_account_ids()))]
