# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.retail_connector_base.lib.retry import PermanentError


class RetailTestPartnerBinding(models.Model):
    _name = "retail.test.partner.binding"
    _inherit = "retail.binding.mixin"
    _description = "Test channel customer binding"

    odoo_id = fields.Many2one("res.partner", required=True, ondelete="cascade")

    @api.model
    def _import_partner(self, backend, payload):
        """Import one customer payload through the generic binding flow."""
        external_id = str(payload.get("id") or "")
        if not external_id:
            raise PermanentError("The customer payload has no id")
        updated_at = fields.Datetime.to_datetime(payload["updated_at"]) if payload.get("updated_at") else None
        with self.env["retail.sync.log"]._track(backend, "import", "customer", external_id=external_id) as run:

            def apply(binding, data):
                values = {"name": data["name"], "email": data.get("email")}
                if binding:
                    binding.odoo_id.write(values)
                    return binding.odoo_id
                return self.env["res.partner"].create(values)

            binding, result = self._import_record(backend, external_id, payload, apply, updated_at)
            run.record = binding.odoo_id
            run.external_updated_at = updated_at
            if result == "skipped":
                run.skip("unchanged or older payload")
        return run.result
