# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    retail_backend_id = fields.Many2one("retail.backend", index=True, ondelete="set null", readonly=True)
