# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify side of returns: import of Shopify returns, export of Odoo's decisions.

Shopify -> Odoo: returns/* webhooks and the catch-up read the return's current state
(``return`` query) and apply it to one ``retail.return`` per Shopify return (binding unique
per backend and return id, digest skip, advisory lock: the binding mixin's ``_import_record``).
Odoo -> Shopify (queue jobs, only for returns bound to a Shopify backend): approve/decline,
dispositions after inspection, and the refund of the credit note (returnProcess from
2025-07, refundCreate before). Changes applied from Shopify are never sent back
(context ``shopify_no_push``).
"""

from decimal import Decimal

from odoo import SUPERUSER_ID, Command, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.lib.retry import PermanentError, catch_up
from odoo.addons.retail_connector_base.lib.timestamps import parse_timestamp
from odoo.addons.retail_connector_base.models.retail_backend import EXPORT_CHANNEL
from odoo.addons.retail_connector_shopify.lib import normalize, versions
from odoo.addons.retail_connector_shopify.models.shopify_order_binding import cents, exact_price, line_net

#: Shopify return reason -> code of retail.return.reason
REASON_CODES = {
    "defective": "defective",
    "wrong_item": "wrong_item",
    "size_too_small": "size_fit",
    "size_too_large": "size_fit",
    "not_as_described": "not_as_described",
    "unwanted": "changed_mind",
    "style": "changed_mind",
    "color": "changed_mind",
}
#: Odoo disposition -> Shopify's ReverseFulfillmentOrderDispositionType
DISPOSITION_TYPES = {
    "restock": "RESTOCKED",
    "scrap": "NOT_RESTOCKED",
    "vendor": "NOT_RESTOCKED",
    "quarantine": "PROCESSING_REQUIRED",
    "repair": "PROCESSING_REQUIRED",
}
NO_PUSH = "shopify_no_push"


class ExchangeBalanceMismatch(PermanentError):
    exception_type = "shopify_exchange_balance_mismatch"


def pair_exchanges(line_quantities, exchange_quantities):
    """Which returned line each exchange item replaces: ``{exchange index: line index}`` and
    the exchange indexes left over. Shopify does not link them; its customers pick a
    replacement per returned item, so they are paired in order, the same quantity first."""
    free = list(range(len(line_quantities)))
    pairs, left = {}, []
    for index, quantity in enumerate(exchange_quantities):
        line = next((i for i in free if line_quantities[i] == quantity), free[0] if free else None)
        if line is None:
            left.append(index)
            continue
        free.remove(line)
        pairs[index] = line
    return pairs, left


class RetailReturnLine(models.Model):
    _inherit = "retail.return.line"

    shopify_return_line_id = fields.Char(string="Shopify Return Line ID", copy=False, index="btree_not_null")
    shopify_fulfillment_line_id = fields.Char(string="Shopify Fulfillment Line ID", copy=False)
    shopify_exchange_line_id = fields.Char(
        string="Shopify Exchange Line ID", copy=False, help="The replacement the customer asked for in Shopify."
    )
    shopify_exchange_line_item_id = fields.Char(
        string="Shopify Exchange Order Line ID",
        copy=False,
        help="The order line item Shopify added for the replacement: the replacement delivery fulfils it.",
    )
    shopify_exchange_priced = fields.Boolean(
        string="Priced as in Shopify",
        copy=False,
        help="The replacement is sold at Shopify's price, discount and taxes for the exchange item, so "
        "that the exchange invoice is the balance Shopify asks the customer for.",
    )
    shopify_exchange_price_unit = fields.Float(string="Shopify Exchange Price", digits="Product Price", copy=False)
    shopify_exchange_discount = fields.Float(string="Shopify Exchange Discount (%)", digits="Discount", copy=False)
    shopify_exchange_tax_ids = fields.Many2many(
        "account.tax",
        "retail_return_line_shopify_exchange_tax_rel",
        "line_id",
        "tax_id",
        string="Shopify Exchange Taxes",
        copy=False,
    )

    def write(self, vals):
        if "exchange_product_id" in vals and "shopify_exchange_line_id" not in vals:
            # another replacement than the one asked for in Shopify: not Shopify's exchange any more
            changed = self.filtered(lambda line: line.exchange_product_id.id != vals["exchange_product_id"])
            changed.filtered("shopify_exchange_line_id").write(
                {
                    "shopify_exchange_line_id": False,
                    "shopify_exchange_line_item_id": False,
                    "shopify_exchange_priced": False,
                    "shopify_exchange_price_unit": 0.0,
                    "shopify_exchange_discount": 0.0,
                    "shopify_exchange_tax_ids": [Command.clear()],
                }
            )
        return super().write(vals)


class RetailReturn(models.Model):
    _inherit = "retail.return"

    def _shopify_binding(self):
        """The return's binding to a Shopify backend (empty when none)."""
        self.ensure_one()
        return self.sudo().binding_ids.filtered(lambda b: b.backend_id.channel == "shopify")[:1]

    def _shopify_enqueue(self, method, description, key, *args):
        """Queue ``retail.return.binding.<method>(*args)`` for each return bound to an
        active Shopify backend, with the connector's rights, unless the change came from Shopify."""
        if self.env.context.get(NO_PUSH):
            return
        for rma in self:
            binding = rma._shopify_binding()
            if not binding or binding.backend_id.state != "active":
                continue
            job_binding = binding.with_user(SUPERUSER_ID).with_company(binding.backend_id.company_id)
            delayed = job_binding.with_delay(
                channel=EXPORT_CHANNEL,
                description=f"{description} {rma.name} in Shopify",
                identity_key=f"shopify-return-{key}-{binding.id}",
            )
            getattr(delayed, method)(*args)

    def action_approve(self):
        result = super().action_approve()
        self._shopify_enqueue("_shopify_export_decision", "Approve", "approve", "approve")
        return result

    def action_decline(self):
        result = super().action_decline()
        self._shopify_enqueue("_shopify_export_decision", "Decline", "decline", "decline")
        return result

    shopify_payment_requestable = fields.Boolean(
        compute="_compute_shopify_payment_requestable",
        help="The exchange was processed in Shopify and its invoice is not paid: Shopify can email "
        "the customer its payment link for the balance.",
    )

    @api.depends("state", "binding_ids.shopify_exchange_processed", "account_move_ids.amount_residual")
    def _compute_shopify_payment_requestable(self):
        for rma in self:
            binding = rma._shopify_binding()
            rma.shopify_payment_requestable = bool(
                binding.shopify_exchange_processed and rma._exchange_invoice().amount_residual > 0
            )

    def _exchange_invoice(self):
        """The posted invoice of the difference the customer owes on the exchange (empty if none)."""
        self.ensure_one()
        if self.state not in ("exchanged", "done"):
            return self.env["account.move"]
        return self.account_move_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")[:1]

    def action_shopify_request_payment(self):
        """Have Shopify email the customer its invoice (payment link) for the exchange's balance."""
        self._check_accountant()
        for rma in self:
            if not rma.shopify_payment_requestable:
                raise UserError(_("Return %s has no exchange balance to collect in Shopify.", rma.name))
        self._shopify_enqueue("_shopify_request_payment", "Email the balance of", "payment", True)
        return True

    def _apply_inspection(self, grades):
        result = super()._apply_inspection(grades)
        self._shopify_enqueue("_shopify_export_dispositions", "Report dispositions of", "dispose")
        return result

    # ------------------------------------------------------------------
    # Shopify -> Odoo
    # ------------------------------------------------------------------
    def _shopify_apply_status(self, status):
        """Follow Shopify's status (forward moves only; nothing is pushed back)."""
        self.ensure_one()
        rma = self.with_context(**{NO_PUSH: True})
        if status == "open":
            if rma.state in ("declined", "cancel"):
                rma.action_reset_to_requested()
            if rma.state == "requested":
                rma.action_approve()
        elif status == "declined" and rma.state == "requested":
            rma.action_decline()
        elif status == "canceled" and rma.state in ("requested", "approved", "awaiting_receipt", "declined"):
            rma.action_cancel()
        elif status == "closed" and rma.state in ("refunded", "exchanged"):
            rma.action_done()

    def _shopify_update_lines(self, ret):
        """Keep the Shopify ids of the lines (a return created in Odoo first is bound later)."""
        self.ensure_one()
        by_sale_line = {line.sale_line_id.shopify_line_id: line for line in self.line_ids if line.sale_line_id}
        for item in ret["lines"]:
            line = self.line_ids.filtered(lambda rl, item=item: rl.shopify_return_line_id == item["id"])[:1]
            line = line or by_sale_line.get(item["line_id"])
            if line and (line.shopify_return_line_id, line.shopify_fulfillment_line_id) != (
                item["id"],
                item["fulfillment_line_id"],
            ):
                line.write(
                    {"shopify_return_line_id": item["id"], "shopify_fulfillment_line_id": item["fulfillment_line_id"]}
                )
        if ret.get("lines_complete") and not self.replacement_order_id:
            self._shopify_drop_removed_exchanges({item["id"] for item in ret.get("exchange_lines") or []})

    def _shopify_drop_removed_exchanges(self, exchange_ids):
        """Replacements removed from the return in Shopify are not shipped any more."""
        removed = self.line_ids.filtered(
            lambda rl: rl.shopify_exchange_line_id and rl.shopify_exchange_line_id not in exchange_ids
        )
        if not removed:
            return
        products = ", ".join(removed.exchange_product_id.mapped("display_name"))
        removed.write(
            {"exchange_product_id": False, "shopify_exchange_line_id": False, "shopify_exchange_line_item_id": False}
        )
        self.message_post(body=_("The exchange for %s was removed from the return in Shopify.", products))

    def _replacement_line_values(self, line):
        values = super()._replacement_line_values(line)
        if line.shopify_exchange_line_item_id:
            # the replacement delivery then fulfils Shopify's exchange item
            values["shopify_line_id"] = line.shopify_exchange_line_item_id
        if line.shopify_exchange_priced:
            values.update(
                price_unit=line.shopify_exchange_price_unit,
                discount=line.shopify_exchange_discount,
                tax_ids=[Command.set(line.shopify_exchange_tax_ids.ids)],
            )
        return values

    def action_exchange(self):
        result = super().action_exchange()
        # The shop owes: the credit note's refund processes the return in Shopify (see
        # AccountMove._post). Otherwise nothing is refunded: the return is processed alone.
        for rma in self.filtered(lambda r: r.account_move_ids.filtered(lambda m: m.move_type == "out_invoice")):
            rma._shopify_enqueue("_shopify_export_exchange", "Process the exchange of", "exchange")
        return result

    def _shopify_link_refund(self, move):
        """A Shopify refund of this return booked as ``move``: the return is refunded."""
        self.ensure_one()
        if not move.retail_return_id:
            move.retail_return_id = self
        if self.state in ("approved", "awaiting_receipt", "received", "inspected"):
            self.with_context(**{NO_PUSH: True}).write({"state": "refunded", "date_refunded": fields.Datetime.now()})


class RetailReturnBinding(models.Model):
    _inherit = "retail.return.binding"

    shopify_status = fields.Char(readonly=True, copy=False)
    shopify_exchange_processed = fields.Boolean(
        string="Exchange Processed in Shopify",
        readonly=True,
        copy=False,
        help="The exchange made in Odoo was processed in Shopify.",
    )
    shopify_payment_requested_at = fields.Datetime(
        string="Payment Requested",
        readonly=True,
        copy=False,
        help="When Shopify last emailed the customer its invoice for the exchange's balance.",
    )
    shopify_payment_requested_amount = fields.Float(
        string="Amount Requested", digits="Account", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # Shopify -> Odoo
    # ------------------------------------------------------------------
    @api.model
    def _shopify_fetch_return(self, backend, return_id, client=None):
        client = client or backend._shopify_client()
        node = client.execute("return", {"id": normalize.to_gid("Return", return_id)}).get("return")
        return normalize.return_from_graphql(node) if node else None

    @api.model
    def _shopify_import_return_webhook(self, backend, event):
        """returns/*: the body says which return changed; its current state is read from
        Shopify, so repeated or shuffled deliveries all converge on one return."""
        notified = normalize.return_from_rest(event.sudo().payload or {})
        client = backend._shopify_client()
        current = self._shopify_fetch_return(backend, notified["id"], client)
        if current is None:
            raise PermanentError(f"Shopify return {notified['id']} does not exist.")
        return self._shopify_import_return(backend, current, client=client)

    @api.model
    def _shopify_catch_up_returns(self, backend, since, cursor=None):
        """Returns of the orders updated since ``since`` (a new or changed return updates its order)."""
        client = backend._shopify_client()
        query = f"updated_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'" if since else None
        orders = self.env["shopify.order.binding"]

        def import_one(node):
            nodes = (node.get("returns") or {}).get("nodes") or []
            if nodes and orders._lookup(backend, normalize.legacy_id(node["id"])):
                for item in nodes:
                    current = self._shopify_fetch_return(backend, normalize.legacy_id(item["id"]), client)
                    if current:
                        self._shopify_import_return(backend, current, client=client)
            return parse_timestamp(node.get("updatedAt")) if node.get("updatedAt") else None

        pages = client.pages("order_returns", {"query": query, "after": cursor}, ("orders",))
        return catch_up(pages, import_one, max_records=backend.catch_up_batch_size)

    @api.model
    def _shopify_import_return(self, backend, ret, client=None):
        """Create or update the Odoo return of a canonical Shopify return; the binding."""
        result = self.browse()
        log = self.env["retail.sync.log"]
        with log._track(backend, "import", "return", external_id=ret["id"], payload=ret) as run:
            orders = self.env["shopify.order.binding"]
            order_binding = orders._lookup(backend, ret["order_id"])
            if not order_binding and ret["order_id"]:
                client = client or backend._shopify_client()
                order = orders._fetch_order(backend, ret["order_id"], client)
                if order is not None:
                    orders._import_order(backend, order, client=client)
                order_binding = orders._lookup(backend, ret["order_id"])
            if not order_binding:
                run.skip(f"order {ret['order_id']} of return {ret['id']} is not imported (import rules)")
                return result

            def apply(binding, payload):
                rma = binding.odoo_id or self._shopify_new_return(backend, order_binding, payload)
                rma._shopify_update_lines(payload)
                rma._shopify_apply_status(payload["status"])
                return rma

            binding, outcome = self._import_record(backend, ret["id"], ret, apply)
            binding.shopify_status = ret["status"]
            run.record = binding.odoo_id
            if outcome == "skipped":
                run.skip("unchanged")
            result = binding
        return result

    @api.model
    def _shopify_new_return(self, backend, order_binding, ret):
        sale = order_binding.odoo_id
        by_line_id = {line.shopify_line_id: line for line in sale.order_line if line.shopify_line_id}
        reasons = self.env["retail.return.reason"].with_context(active_test=False)
        lines = []
        for item in ret["lines"]:
            sale_line = by_line_id.get(item["line_id"])
            if not sale_line:
                raise PermanentError(
                    f"Line item {item['line_id']} of Shopify return {ret['id']} is not on {sale.name}."
                )
            code = REASON_CODES.get(item["reason"] or "")
            reason = reasons.search([("code", "=", code)], limit=1) if code else reasons
            notes = [note for note in (item["reason_note"], item["customer_note"]) if note]
            lines.append(
                {
                    "sale_line_id": sale_line.id,
                    "quantity": item["quantity"],
                    "reason_id": reason.id,
                    "customer_note": "\n".join(notes) or False,
                    "shopify_return_line_id": item["id"],
                    "shopify_fulfillment_line_id": item["fulfillment_line_id"],
                }
            )
        if not lines:
            raise PermanentError(f"Shopify return {ret['id']} has no lines.")
        notes = [ret["name"] and _("Shopify return %s", ret["name"])]
        exchanges = self._shopify_exchange_products(backend, ret)
        pairs, left = pair_exchanges(
            [values["quantity"] for values in lines], [item["quantity"] for item, __ in exchanges]
        )
        for index, line_index in pairs.items():
            item, product = exchanges[index]
            lines[line_index].update(
                exchange_product_id=product.id,
                shopify_exchange_line_id=item["id"],
                shopify_exchange_line_item_id=item["line_id"],
                **self._shopify_exchange_price(backend, ret, item),
            )
        if exchanges:
            notes.append(_("The customer asked for an exchange."))
        if left:
            notes.append(
                _(
                    "Replacements asked for beyond the returned items: %s.",
                    ", ".join(
                        f"{exchanges[index][1].display_name} x{exchanges[index][0]['quantity']}" for index in left
                    ),
                )
            )
        return (
            self.env["retail.return"]
            .with_company(sale.company_id)
            .create(
                {
                    "partner_id": sale.partner_id.id,
                    "sale_order_id": sale.id,
                    "company_id": sale.company_id.id,
                    "backend_id": backend.id,
                    "line_ids": [(0, 0, values) for values in lines],
                    "note": "\n".join(note for note in notes if note) or False,
                }
            )
        )

    @api.model
    def _shopify_exchange_price(self, backend, ret, item):
        """Return line values pricing the replacement as Shopify does the exchange ``item``
        (an unmapped tax stops the import, as for orders)."""
        quantity = item["quantity"]
        if not quantity or item.get("unit_price") is None:
            return {}
        price, discount = exact_price(line_net(item, quantity), quantity, item["unit_price"])
        taxes = self.env["shopify.order.binding"]._taxes(backend, item["taxes"], {"name": ret["name"] or ret["id"]})
        return {
            "shopify_exchange_priced": True,
            "shopify_exchange_price_unit": price,
            "shopify_exchange_discount": discount,
            "shopify_exchange_tax_ids": [Command.set(taxes.ids)],
        }

    @api.model
    def _shopify_exchange_products(self, backend, ret):
        """``[(exchange line, product)]`` of the replacements asked for; an unknown SKU
        stops the import like an order's (bind the product, then retry)."""
        orders = self.env["shopify.order.binding"]
        return [
            (
                item,
                orders._find_product(
                    backend, {"id": item["line_id"] or item["id"], "title": "exchange item", "sku": item["sku"]}
                ),
            )
            for item in ret.get("exchange_lines") or []
        ]

    # ------------------------------------------------------------------
    # Odoo -> Shopify (queue jobs)
    # ------------------------------------------------------------------
    def _shopify_export_decision(self, decision):
        """Job: approve or decline the return request in Shopify (once)."""
        self.ensure_one()
        backend = self.backend_id
        wanted = {"approve": "open", "decline": "declined"}[decision]
        with self.env["retail.sync.log"]._track(
            backend, "export", f"return_{decision}", external_id=self.external_id
        ) as run:
            run.record = self.odoo_id
            client = backend._shopify_client()
            current = self._shopify_fetch_return(backend, self.external_id, client)
            if current is None:
                raise PermanentError(f"Shopify return {self.external_id} does not exist.")
            if current["status"] == wanted:
                self.shopify_status = wanted
                run.skip(f"Already {wanted} in Shopify.")
                return run.result
            if current["status"] != "requested":
                raise PermanentError(
                    f"Shopify return {self.external_id} is {current['status']}: it cannot be {decision}d any more."
                )
            gid = normalize.to_gid("Return", self.external_id)
            if decision == "approve":
                payload = client.mutate(
                    "return_approve_request", {"input": {"id": gid, "notifyCustomer": True}}, "returnApproveRequest"
                )
            else:
                payload = client.mutate(
                    "return_decline_request",
                    {"input": {"id": gid, "declineReason": "OTHER", "notifyCustomer": True}},
                    "returnDeclineRequest",
                )
            self.shopify_status = ((payload.get("return") or {}).get("status") or wanted).lower()
            run.message = f"Shopify return {self.external_id} {self.shopify_status}"
        return run.result

    def _shopify_restock_location(self, line):
        """The Shopify location mapped to where the line's items were restocked."""
        destination = line._destination()
        for mapping in self.backend_id.shopify_location_map_ids.sorted("sequence"):
            if mapping.location_id and destination.parent_path.startswith(mapping.location_id.parent_path):
                return mapping.shopify_location_id
        raise PermanentError(
            f"No Shopify location is mapped to {destination.display_name}: map it on {self.backend_id.name}."
        )

    def _shopify_dispositions(self, current):
        """ReverseFulfillmentOrderDisposeInput list still to send (what Shopify already
        holds for each reverse line is deducted, so a second run sends nothing)."""
        by_fulfillment_line = {line["fulfillment_line_id"]: line for line in current["reverse_lines"]}
        inputs = []
        for line in self.odoo_id.line_ids.filtered("shopify_fulfillment_line_id"):
            reverse = by_fulfillment_line.get(line.shopify_fulfillment_line_id)
            if reverse is None:
                raise PermanentError(
                    f"Shopify return {self.external_id} has no reverse line for {line.product_id.name}."
                )
            received = int(line.received_qty)
            wanted = {}
            if received and line.disposition:
                wanted[DISPOSITION_TYPES[line.disposition]] = received
            missing = int(line.quantity) - received
            if missing > 0:
                wanted["MISSING"] = missing
            for disposition in reverse["dispositions"]:
                kind = (disposition["type"] or "").upper()
                if kind in wanted:
                    wanted[kind] -= disposition["quantity"]
            for kind, quantity in wanted.items():
                if quantity <= 0:
                    continue
                item = {
                    "reverseFulfillmentOrderLineItemId": normalize.to_gid(
                        "ReverseFulfillmentOrderLineItem", reverse["id"]
                    ),
                    "quantity": quantity,
                    "dispositionType": kind,
                }
                if kind == "RESTOCKED":
                    item["locationId"] = normalize.to_gid("Location", self._shopify_restock_location(line))
                inputs.append(item)
        return inputs

    def _shopify_export_dispositions(self):
        """Job: report what inspection did with each item (reverseFulfillmentOrderDispose)."""
        self.ensure_one()
        backend = self.backend_id
        with self.env["retail.sync.log"]._track(
            backend, "export", "return_dispose", external_id=self.external_id
        ) as run:
            run.record = self.odoo_id
            client = backend._shopify_client()
            current = self._shopify_fetch_return(backend, self.external_id, client)
            if current is None:
                raise PermanentError(f"Shopify return {self.external_id} does not exist.")
            inputs = self._shopify_dispositions(current)
            if not inputs:
                run.skip("Nothing left to dispose in Shopify.")
                return run.result
            client.mutate(
                "reverse_fulfillment_order_dispose", {"dispositionInputs": inputs}, "reverseFulfillmentOrderDispose"
            )
            run.message = ", ".join(f"{item['dispositionType']} x{item['quantity']}" for item in inputs)
        return run.result

    def _shopify_export_refund(self, move):
        """Job: refund in Shopify the credit note of a Shopify return, once.

        2025-07+: ``returnProcess`` (the refund belongs to the return); before: the generic
        ``refundCreate`` export of credit notes (idempotency key, sale lines' line items).
        Either way the refund is bound to the credit note, so the refunds/create echo is
        recognised and nothing is refunded twice.
        """
        self.ensure_one()
        move = move.exists()
        if not move:
            return "The credit note no longer exists."
        backend = self.backend_id
        refunds = self.env["shopify.refund.binding"]
        client = backend._shopify_client()
        if not versions.uses_return_process(client.api_version):
            return refunds._shopify_export_refund(move)
        with self.env["retail.sync.log"]._track(
            backend, "export", "return_refund", external_id=f"move-{move.id}"
        ) as run:
            run.record = move
            if move.shopify_refund_bind_ids:
                run.skip("Already refunded in Shopify.")
                return run.result
            current = self._shopify_fetch_return(backend, self.external_id, client)
            if current is None:
                raise PermanentError(f"Shopify return {self.external_id} does not exist.")
            order_binding = move._shopify_order_binding() or self.env["shopify.order.binding"]._lookup(
                backend, current["order_id"]
            )
            bound = set(
                refunds.search(
                    [("backend_id", "=", backend.id), ("external_id", "in", current["refund_ids"] or [""])]
                ).mapped("external_id")
            )
            # A refund of the return that no credit note holds: ours, sent by an earlier run whose
            # transaction did not commit. Adopt it instead of refunding again.
            refund_id = next((rid for rid in current["refund_ids"] if rid not in bound), None)
            amount = cents(Decimal(str(move.amount_total)))
            rma = self.odoo_id
            lines = rma.line_ids.filtered(lambda line: line.shopify_return_line_id and line.refund_qty > 0)
            if not refund_id:
                refund_id = self._shopify_return_process(client, current, order_binding, move, lines, amount)
            refunds.create(
                {
                    "backend_id": backend.id,
                    "external_id": refund_id,
                    "odoo_id": move.id,
                    "order_binding_id": order_binding.id,
                    "shopify_total": float(amount),
                    "refunded_lines": {line.sale_line_id.shopify_line_id: int(line.refund_qty) for line in lines},
                    "order_effect": float(amount),
                    "origin": "odoo",
                    "last_synced_at": fields.Datetime.now(),
                }
            )
            run.message = f"Shopify refund {refund_id} of return {self.external_id}"
        return run.result

    def _shopify_exchange_inputs(self, current):
        """ReturnProcessExchangeLineItemInput list of the Shopify exchange items the Odoo
        exchange ships (as many as came back, at most what was asked for)."""
        rma = self.odoo_id
        if not rma.replacement_order_id:
            return []
        asked = {item["id"]: item["quantity"] for item in current.get("exchange_lines") or []}
        inputs = []
        for line in rma.line_ids.filtered(lambda rl: rl.shopify_exchange_line_id in asked and rl.refund_qty > 0):
            quantity = min(int(line.refund_qty), asked[line.shopify_exchange_line_id])
            if quantity > 0:
                inputs.append(
                    {"id": normalize.to_gid("ExchangeLineItem", line.shopify_exchange_line_id), "quantity": quantity}
                )
        return inputs

    def _shopify_export_exchange(self):
        """Job: process in Shopify a return exchanged in Odoo where nothing is refunded (the
        customer pays the difference, or none): the returned items, and the exchange items,
        for which Shopify opens the fulfilment order the replacement delivery fulfils. Once."""
        self.ensure_one()
        backend = self.backend_id
        with self.env["retail.sync.log"]._track(
            backend, "export", "return_exchange", external_id=self.external_id
        ) as run:
            run.record = self.odoo_id
            # two runs of the job must not both process it
            self._lock_external_id(backend, f"exchange-{self.external_id}")
            if self.shopify_exchange_processed:
                run.skip("Already processed in Shopify.")
                return run.result
            client = backend._shopify_client()
            if not versions.uses_return_process(client.api_version):
                run.skip(f"API {client.api_version} has no returnProcess: process the exchange in Shopify's admin.")
                return run.result
            current = self._shopify_fetch_return(backend, self.external_id, client)
            if current is None:
                raise PermanentError(f"Shopify return {self.external_id} does not exist.")
            lines = self.odoo_id.line_ids.filtered(lambda line: line.shopify_return_line_id and line.refund_qty > 0)
            exchanges = self._shopify_exchange_inputs(current)
            if not lines and not exchanges:
                run.skip("No item of the return is known to Shopify.")
                return run.result
            process = {
                "returnId": normalize.to_gid("Return", self.external_id),
                "returnLineItems": self._shopify_return_line_inputs(lines),
                "notifyCustomer": True,
            }
            if exchanges:
                process["exchangeLineItems"] = exchanges
            payload = client.mutate("return_process", {"input": process}, "returnProcess")
            self.write(
                {
                    "shopify_exchange_processed": True,
                    "shopify_status": ((payload.get("return") or {}).get("status") or current["status"]).lower(),
                }
            )
            run.message = (
                f"Shopify return {self.external_id} processed: {len(lines)} returned line(s), "
                f"{len(exchanges)} exchange item(s)"
            )
            if backend.shopify_request_exchange_payment and self.odoo_id.shopify_payment_requestable:
                self.with_delay(
                    channel=EXPORT_CHANNEL,
                    description=f"Email the balance of {self.odoo_id.name} in Shopify",
                    identity_key=f"shopify-return-payment-{self.id}",
                )._shopify_request_payment()
        return run.result

    def _shopify_request_payment(self, manual=False):
        """Job: have Shopify email the customer its invoice (a payment link) for the balance
        the exchange left on the order. Sent on its own once, and only when Shopify's balance
        is the Odoo exchange invoice's residual; a user's request sends Shopify's balance as it is."""
        self.ensure_one()
        backend = self.backend_id
        rma = self.odoo_id
        with self.env["retail.sync.log"]._track(
            backend, "export", "payment_request", external_id=self.external_id
        ) as run:
            run.record = rma
            self._lock_external_id(backend, f"payment-{self.external_id}")
            if self.shopify_payment_requested_at and not manual:
                run.skip("Shopify's invoice was already emailed.")
                return run.result
            invoice = rma._exchange_invoice()
            if not manual and not invoice.amount_residual > 0:
                run.skip("The exchange invoice is paid.")
                return run.result
            order_binding = rma.sale_order_id.shopify_bind_ids.filtered(lambda b: b.backend_id == backend)[:1]
            if not order_binding:
                raise PermanentError(f"{rma.name}: {rma.sale_order_id.name} is not an order of {backend.name}.")
            client = backend._shopify_client()
            data = client.execute("order_outstanding", {"id": normalize.to_gid("Order", order_binding.external_id)})
            if not data.get("order"):
                raise PermanentError(f"Shopify order {order_binding.external_id} does not exist.")
            balance = normalize.outstanding_from_graphql(data["order"])
            owed = f"{balance['amount']:.2f} {balance['currency']}"
            if balance["amount"] <= 0:
                run.skip(f"Shopify order {balance['name']} has no balance due.")
                return run.result
            residual = f"{cents(Decimal(str(invoice.amount_residual))):.2f} {invoice.currency_id.name}"
            if not manual and owed != residual:
                raise ExchangeBalanceMismatch(
                    f"Shopify asks the customer {owed} on {balance['name']}, the exchange invoice "
                    f"{invoice.name} of {rma.name} is {residual}: Shopify's invoice was not emailed."
                )
            if not balance["email"]:
                raise PermanentError(f"Shopify order {balance['name']} has no email address to send its invoice to.")
            message = rma.with_context(lang=rma.partner_id.lang).env._("Balance of your exchange (%s)", rma.name)
            client.mutate(
                "order_invoice_send",
                {"id": normalize.to_gid("Order", balance["order_id"]), "email": {"customMessage": message}},
                "orderInvoiceSend",
            )
            self.write(
                {
                    "shopify_payment_requested_at": fields.Datetime.now(),
                    "shopify_payment_requested_amount": float(balance["amount"]),
                }
            )
            rma.message_post(
                body=_(
                    "Shopify emailed the customer its invoice for %(amount)s (order %(order)s).",
                    amount=owed,
                    order=balance["name"],
                )
            )
            run.message = f"Shopify invoice for {owed} emailed ({balance['name']})"
        return run.result

    def _shopify_return_line_inputs(self, lines):
        return [
            {"id": normalize.to_gid("ReturnLineItem", line.shopify_return_line_id), "quantity": int(line.refund_qty)}
            for line in lines
        ]

    def _shopify_return_process(self, client, current, order_binding, move, lines, amount):
        rma = self.odoo_id
        currency = move.currency_id.name
        sale_tx = order_binding.payment_binding_ids.filtered(lambda p: p.kind in ("sale", "capture"))[:1]
        if not sale_tx:
            raise PermanentError(f"No Shopify payment of {order_binding.odoo_id.name} to refund {move.name} against.")
        process = {
            "returnId": normalize.to_gid("Return", self.external_id),
            "returnLineItems": self._shopify_return_line_inputs(lines),
            "financialTransfer": {
                "issueRefund": {
                    "orderTransactions": [
                        {
                            "transactionAmount": {"amount": str(amount), "currencyCode": currency},
                            "parentId": normalize.to_gid("OrderTransaction", sale_tx.external_id),
                        }
                    ]
                }
            },
            "notifyCustomer": True,
        }
        if rma.shipping_refund_amount:
            shipping = cents(Decimal(str(rma.shipping_refund_amount)))
            process["refundShipping"] = {"shippingRefundAmount": {"amount": str(shipping), "currencyCode": currency}}
        exchanges = self._shopify_exchange_inputs(current)
        if exchanges:  # an exchange where the shop owes: the difference is refunded
            process["exchangeLineItems"] = exchanges
        payload = client.mutate("return_process", {"input": process}, "returnProcess")
        if exchanges:
            self.shopify_exchange_processed = True
        nodes = (((payload.get("return") or {}).get("refunds")) or {}).get("nodes") or []
        new = [normalize.legacy_id(node["id"]) for node in nodes]
        new = [rid for rid in new if rid not in current["refund_ids"]]
        if not new:
            raise PermanentError(f"Shopify made no refund for return {self.external_id}.")
        return new[-1]


class ShopifyRefundBinding(models.Model):
    _inherit = "shopify.refund.binding"

    @api.model
    def _after_refund_import(self, backend, refund, binding):
        """A Shopify refund of a return (refunds/create carries the return): its credit
        note belongs to the return, which is then refunded (and never refunded again)."""
        binding = super()._after_refund_import(backend, refund, binding)
        if refund.get("return_id"):
            rma = self.env["retail.return.binding"]._lookup_record(backend, refund["return_id"])
            if rma:
                rma._shopify_link_refund(binding.odoo_id)
        return binding
