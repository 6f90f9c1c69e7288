# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Backfill: every order created in a date range, read by a Shopify bulk
operation (the jobs are on the backend, the rules in ``lib/backfill.py``)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class ShopifyBackfillWizard(models.TransientModel):
    """Import every order of a date range through a Shopify bulk operation."""

    _name = "shopify.backfill.wizard"
    _description = "Shopify Backfill"

    backend_id = fields.Many2one("retail.backend", required=True, domain="[('channel', '=', 'shopify')]")
    date_from = fields.Datetime(required=True, help="Orders created from this date are imported.")
    date_to = fields.Datetime(help="Orders created until this date are imported (empty: until now).")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to and wizard.date_to < wizard.date_from:
                raise ValidationError(_("The end of the backfill period is before its start."))

    def action_start(self):
        self.ensure_one()
        backend = self.backend_id
        if backend.channel != "shopify":
            raise UserError(_("%s is not a Shopify backend.", backend.name))
        if backend.state != "active":
            raise UserError(_("Activate or resume %s before starting a backfill.", backend.name))
        date_to = self.date_to or fields.Datetime.now()
        backend._shopify_enqueue_backfill(self.date_from, date_to)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Backfill started"),
                "message": _(
                    "Orders created from %(start)s to %(end)s (UTC) are read by a Shopify bulk operation and "
                    "imported in the background: follow the backend's jobs and sync log.",
                    start=fields.Datetime.to_string(self.date_from),
                    end=fields.Datetime.to_string(date_to),
                ),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
