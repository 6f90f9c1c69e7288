# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models

from odoo.addons.retail_connector_base.lib.retry import PermanentError

from ..lib import normalize

#: days Shopify gives a shop to answer a customer's data request
DATA_REQUEST_DAYS = 30


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
        entries = [
            (customer_id, partner, None, None) for customer_id, partner in contacts.items() if customer_id not in known
        ]
        self._lock_external_ids(backend, [customer_id for customer_id, *__ in entries])
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

    # ------------------------------------------------------------------
    # Privacy requests (Shopify's mandatory compliance webhooks)
    # ------------------------------------------------------------------
    @api.model
    def _privacy_request(self, backend, event):
        """The canonical request of ``event``, refused when it is for another shop."""
        request = normalize.privacy_request_from_rest(event.sudo().payload)
        shop = (backend.shopify_shop_domain or "").strip().lower()
        if request["shop_domain"] and shop and request["shop_domain"] != shop:
            raise PermanentError(
                f"Privacy request for shop {request['shop_domain']}, but this backend is {shop}: nothing done"
            )
        return request

    @api.model
    def _privacy_contact(self, backend, customer):
        """The contact a request is about: the one bound to the Shopify customer, else
        the one an order of theirs would find (email, then phone); empty if none."""
        partners = self.env["res.partner"].with_context(active_test=False)
        if not customer:
            return partners
        binding = customer["id"] and self._lookup(backend, customer["id"])
        if binding:
            return binding.odoo_id.with_context(active_test=False)
        return partners._retail_find_customer(backend.company_id, customer["email"], customer["phone"])

    @api.model
    def _privacy_orders(self, backend, partner, order_ids):
        """This shop's imported orders named by the request, and those of the contact."""
        domain = [("external_id", "in", [order_id for order_id in order_ids if order_id])]
        if partner:
            domain = ["|", *domain, ("odoo_id.partner_id", "child_of", partner.ids)]
        return (
            self.env["shopify.order.binding"]
            .with_context(active_test=False)
            .search([("backend_id", "=", backend.id), *domain], order="id")
        )

    @api.model
    def _customer_data_request_webhook(self, backend, event):
        """customers/data_request: gather what Odoo holds about the customer into a
        JSON file on an exception, for the shop to send within 30 days."""
        request = self._privacy_request(backend, event)
        customer_id = (request["customer"] or {}).get("id")
        with self.env["retail.sync.log"]._track(backend, "import", "privacy", external_id=customer_id) as run:
            partner = self._privacy_contact(backend, request["customer"])
            orders = self._privacy_orders(backend, partner, request["order_ids"])
            if not partner and not orders:
                run.skip("Odoo holds no data of this customer")
                return run.result
            data = {
                "shop": backend.shopify_shop_domain,
                "shopify_customer_id": customer_id,
                "data_request_id": request["data_request_id"],
                "requested_at": fields.Datetime.to_string(event.received_at),
                **(partner._retail_personal_data() if partner else {"contacts": []}),
                "orders": [self._order_personal_data(binding) for binding in orders],
            }
            deadline = fields.Date.add(fields.Date.context_today(self, event.received_at), days=DATA_REQUEST_DAYS)
            exception = self.env["retail.exception"]._report(
                "shopify_customer_data_request",
                key=f"shopify_data_request:{request['data_request_id'] or event.delivery_id}",
                backend=backend,
                record=partner or orders[:1].odoo_id,
                origin=event,
                external_id=customer_id,
                message=self.env._(
                    "Shopify customer %(customer)s asked for their personal data: Odoo holds "
                    "%(contacts)s contacts and %(orders)s orders of theirs (attached). "
                    "Send the file to the customer by %(deadline)s.",
                    customer=customer_id or "-",
                    contacts=len(data["contacts"]),
                    orders=len(data["orders"]),
                    deadline=deadline,
                ),
            )
            if exception.occurrence_count == 1:  # a repeated request keeps its first file
                exception.message_post(
                    body=self.env._("Personal data held by Odoo for the request."),
                    attachments=[
                        (
                            f"shopify-customer-{customer_id or 'unknown'}-data.json",
                            json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
                        )
                    ],
                )
            run.record = exception
            run.message = f"{len(data['contacts'])} contacts, {len(data['orders'])} orders gathered"
        return run.result

    @api.model
    def _order_personal_data(self, binding):
        order = binding.odoo_id
        return {
            "shopify_order_id": binding.external_id,
            "shopify_name": binding.shopify_name,
            "odoo_reference": order.name,
            "date": fields.Datetime.to_string(order.date_order),
            "currency": order.currency_id.name,
            "total": order.amount_total,
            "state": order.state,
            "invoice_address_id": order.partner_invoice_id.id,
            "delivery_address_id": order.partner_shipping_id.id,
            "note": str(order.note) if order.note else None,
            "lines": [
                {
                    "product": line.product_id.display_name,
                    "description": line.name,
                    "quantity": line.product_uom_qty,
                    "unit_price": line.price_unit,
                    "discount_percent": line.discount,
                    "subtotal": line.price_subtotal,
                }
                for line in order.order_line
                if not line.display_type
            ],
            "invoices": [
                {
                    "number": move.name,
                    "type": move.move_type,
                    "date": fields.Date.to_string(move.invoice_date),
                    "total": move.amount_total,
                    "state": move.state,
                }
                for move in order.invoice_ids
            ],
            "payments": [
                {
                    "date": fields.Date.to_string(payment.odoo_id.date),
                    "amount": payment.amount,
                    "kind": payment.kind,
                    "gateway": payment.gateway,
                }
                for payment in binding.payment_binding_ids
            ],
        }

    @api.model
    def _customer_redact_webhook(self, backend, event):
        """customers/redact: erase the customer's personal data. The connector's own
        copies (webhook payloads, the orders' Shopify notes) always go; the contact
        is anonymised unless Odoo uses it for more than this shop's orders, which a
        person then decides (an exception says why)."""
        request = self._privacy_request(backend, event)
        customer = request["customer"] or {}
        with self.env["retail.sync.log"]._track(backend, "import", "privacy", external_id=customer.get("id")) as run:
            partner = self._privacy_contact(backend, request["customer"])
            orders = self._privacy_orders(backend, partner, request["order_ids"])
            erased = backend._shopify_events_about(customer.get("id"), orders.mapped("external_id"))
            erased |= event
            orders.odoo_id.filtered("note").write({"note": False})
            invoices = orders.odoo_id.invoice_ids.filtered("narration")
            invoices.write({"narration": False})
            done = [f"{erased._redact()} webhook payloads erased"]
            logs = self._privacy_logs(backend, customer.get("id"), partner)
            if logs:
                logs.write({"message": "(erased on the customer's request)"})
                done.append(f"{len(logs)} log messages erased")
            blockers = partner and self._anonymize_blockers(backend, partner, orders)
            if partner and not blockers:
                contacts = partner._retail_anonymize()
                self.with_context(active_test=False).search([("odoo_id", "in", contacts.ids)]).unlink()
                done.append(f"{len(contacts)} contacts anonymised")
            elif partner:
                exception = self.env["retail.exception"]._report(
                    "shopify_customer_redact",
                    key=f"shopify_customer_redact:{customer.get('id') or partner.id}",
                    backend=backend,
                    record=partner,
                    origin=event,
                    external_id=customer.get("id"),
                    message=self.env._(
                        "Shopify asked to erase customer %(customer)s. Their webhook payloads were erased, "
                        "but contact %(contact)s was not anonymised: %(reasons)s.",
                        customer=customer.get("id") or "-",
                        contact=partner.id,
                        reasons="; ".join(blockers),
                    ),
                )
                run.record = exception
                done.append(f"contact kept ({'; '.join(blockers)})")
            run.message = ", ".join(done)
        return run.result

    @api.model
    def _privacy_logs(self, backend, customer_id, partner):
        """This backend's sync log lines about the customer (their Shopify record or their
        contacts), whose messages may name them."""
        domain = [("external_id", "=", customer_id)] if customer_id else []
        if partner:
            contacts = partner.with_context(active_test=False).search([("id", "child_of", partner.ids)])
            clause = ["&", ("res_model", "=", "res.partner"), ("res_id", "in", contacts.ids)]
            domain = ["|", *domain, *clause] if domain else clause
        if not domain:
            return self.env["retail.sync.log"]
        return self.env["retail.sync.log"].sudo().search([("backend_id", "=", backend.id), *domain])

    @api.model
    def _shop_documents(self, order_bindings):
        """``(sale orders, invoices and credit notes)`` that came from these Shopify
        orders; modules creating more of them (exchanges, say) add theirs."""
        sales = order_bindings.odoo_id
        moves = sales.invoice_ids | order_bindings.refund_binding_ids.odoo_id
        moves |= self.env["account.move"].search([("reversed_entry_id", "in", moves.ids)])
        return sales, moves

    @api.model
    def _anonymize_blockers(self, backend, partner, orders):
        """Why ``partner`` must not be anonymised for this shop: what Odoo's own checks
        find, and any order, invoice or shop binding of theirs that is not this shop's."""
        blockers = partner._retail_anonymize_blockers()
        family = [("partner_id", "child_of", partner.ids)]
        bound = (
            self.env["shopify.order.binding"]
            .with_context(active_test=False)
            .search([("backend_id", "=", backend.id), ("odoo_id.partner_id", "child_of", partner.ids)])
        )
        shop_orders, shop_moves = self._shop_documents(bound | orders)
        other_orders = (
            self.env["sale.order"]
            .with_context(active_test=False)
            .search_count([*family, ("id", "not in", shop_orders.ids)])
        )
        if other_orders:
            blockers.append(self.env._("%s sale orders are not this shop's", other_orders))
        other_moves = self.env["account.move"].search_count(
            [*family, ("move_type", "!=", "entry"), ("id", "not in", shop_moves.ids)]
        )
        if other_moves:
            blockers.append(self.env._("%s invoices or bills are not from this shop's orders", other_moves))
        other_shops = self.with_context(active_test=False).search_count(
            [("odoo_id", "=", partner.id), ("backend_id", "!=", backend.id)]
        )
        if other_shops:
            blockers.append(self.env._("it is a customer of another shop"))
        return blockers
