# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import normalize


class ShopifyCustomerBinding(models.Model):
    """A Shopify customer and the Odoo contact their orders are for: the customer's next
    orders find the contact by it first (an email changed in Shopify makes no duplicate),
    and customers/update keeps the contact's name, email and phone as in Shopify."""

    _name = "shopify.customer.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Customer Binding"

    odoo_id = fields.Many2one("res.partner", string="Contact", required=True, ondelete="cascade", index=True)

    @api.model
    def _bound_contacts(self, backend, customer_ids):
        """``{Shopify customer id: active contact}`` of those already bound."""
        if not customer_ids:
            return {}
        bindings = self.search([("backend_id", "=", backend.id), ("external_id", "in", list(customer_ids))])
        return {binding.external_id: binding.odoo_id for binding in bindings if binding.odoo_id.active}

    @api.model
    def _bind_contacts(self, backend, contacts):
        """Bind ``{Shopify customer id: contact}`` not bound yet (one INSERT)."""
        known = set(
            self.with_context(active_test=False)
            .search([("backend_id", "=", backend.id), ("external_id", "in", list(contacts))])
            .mapped("external_id")
        )
        entries = []
        for customer_id, partner in contacts.items():
            if customer_id not in known:
                self._lock_external_id(backend, customer_id)
                entries.append((customer_id, partner, None, None))
        return self._bind_new(backend, entries) if entries else self.browse()

    @api.model
    def _update_customer_webhook(self, backend, event):
        """customers/update: the bound contact takes the customer's name, email and phone
        (those Shopify has; a company's name stays). Customers who never ordered are not
        made contacts."""
        customer = normalize.customer_from_rest(event.sudo().payload)
        with self.env["retail.sync.log"]._track(backend, "import", "customer", external_id=customer["id"]) as run:
            self._lock_external_id(backend, customer["id"])
            binding = self._lookup(backend, customer["id"])
            if not binding:
                run.skip("no imported order is for this customer")
                return run.result
            partner = binding.odoo_id
            run.record = partner
            updated_at = customer["updated_at"]
            if updated_at and binding.external_updated_at and updated_at <= binding.external_updated_at:
                run.skip("older than what was applied")
                return run.result
            name = " ".join(part for part in (customer["first_name"], customer["last_name"]) if part)
            wanted = {"email": customer["email"], "phone": customer["phone"]}
            if name and not partner.is_company:
                wanted["name"] = name
            changes = {key: value for key, value in wanted.items() if value and partner[key] != value}
            binding.write({"external_updated_at": updated_at, "last_synced_at": fields.Datetime.now()})
            if not changes:
                run.skip("nothing changed")
                return run.result
            partner.write(changes)
            run.message = f"{partner.display_name}: {', '.join(sorted(changes))} updated"
        return run.result
