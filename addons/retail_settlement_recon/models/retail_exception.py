# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class RetailException(models.Model):
    _inherit = "retail.exception"

    @api.model
    def _resolve_lines_keys(self, lines, note=None):
        """Close the open exceptions of settlement lines (and of their payments waiting for a payout)."""
        if not lines:
            return self.browse()
        keys = [line._exception_key() for line in lines]
        keys += [f"payout_missing:account.payment:{pid}" for pid in lines.payment_id.ids]
        open_ones = self.sudo().search([("key", "in", keys), ("state", "in", ("new", "in_progress"))])
        if open_ones:
            open_ones.write({"state": "resolved", "resolution_note": note or self.env._("Matched.")})
        return open_ones
