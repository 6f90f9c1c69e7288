# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

#: location field of the warehouse and its name, per kind of returns location
RETURN_LOCATIONS = {
    "input": ("retail_return_input_location_id", "Returns Input"),
    "quarantine": ("retail_quarantine_location_id", "Quarantine"),
    "repair": ("retail_repair_location_id", "Repair"),
    "vendor": ("retail_vendor_return_location_id", "Vendor Returns"),
}


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    retail_return_input_location_id = fields.Many2one("stock.location", string="Returns Input Location")
    retail_quarantine_location_id = fields.Many2one("stock.location", string="Quarantine Location")
    retail_repair_location_id = fields.Many2one("stock.location", string="Repair Location")
    retail_vendor_return_location_id = fields.Many2one("stock.location", string="Vendor Returns Location")

    def _retail_return_location(self, kind):
        """The warehouse's returns location of ``kind``, created on first use.

        Created lazily rather than at install so warehouses made later get
        them too, and an admin can point the field at an existing location.
        """
        self.ensure_one()
        if kind == "restock":
            return self.lot_stock_id
        field_name, label = RETURN_LOCATIONS[kind]
        location = self[field_name]
        if not location:
            location = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": label,
                        "usage": "internal",
                        "location_id": self.view_location_id.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
            self.sudo()[field_name] = location
        return location
