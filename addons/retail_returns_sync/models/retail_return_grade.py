# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

DISPOSITIONS = [
    ("restock", "Restock"),
    ("quarantine", "Quarantine"),
    ("scrap", "Scrap"),
    ("repair", "Repair"),
    ("vendor", "Return to Vendor"),
]


class RetailReturnGrade(models.Model):
    """The condition an inspector gives a returned item; it decides where the item goes."""

    _name = "retail.return.grade"
    _description = "Return Grade"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    disposition = fields.Selection(DISPOSITIONS, required=True, default="restock")
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share it between companies.")
    warehouse_id = fields.Many2one("stock.warehouse", help="Only for returns of this warehouse (empty: all).")
    location_dest_id = fields.Many2one(
        "stock.location",
        string="Destination Location",
        domain="[('usage', '=', 'internal')]",
        help="Where graded items go. Empty: the warehouse's stock, quarantine, repair or vendor returns "
        "location, by disposition (scrapped items go to the scrap location).",
    )

    def _destination(self, warehouse):
        self.ensure_one()
        if self.location_dest_id:
            return self.location_dest_id
        return warehouse._retail_return_location(self.disposition)
