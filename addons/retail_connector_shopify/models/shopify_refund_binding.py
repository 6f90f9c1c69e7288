# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from decimal import Decimal

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib.digest import payload_digest
from odoo.addons.retail_connector_base.lib.retry import PermanentError

from ..lib import normalize, versions
from .shopify_order_binding import ZERO, cents, exact_price

_logger = logging.getLogger(__name__)


class ShopifyRefundBinding(models.Model):
    """A Shopify refund bound to the Odoo credit note that books it."""

    _name = "shopify.refund.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Refund Binding"

    odoo_id = fields.Many2one("account.move", string="Credit Note", required=True, ondelete="cascade", index=True)
    order_binding_id = fields.Many2one("shopify.order.binding", ondelete="cascade", index=True)
    shopify_total = fields.Float(string="Refunded in Shopify", digits="Product Price")
    refunded_lines = fields.Json(help="{Shopify line id: refunded quantity}")
    order_effect = fields.Float(
        digits="Product Price", help="What this refund took from the order's current total in Shopify."
    )
    origin = fields.Selection(
        [("shopify", "Made in Shopify"), ("odoo", "Made in Odoo")], default="shopify", required=True
    )

    # ------------------------------------------------------------------
    # Shopify -> Odoo
    # ------------------------------------------------------------------
    @api.model
    def _fetch_refund(self, backend, refund_id, client=None):
        client = client or backend._shopify_client()
        node = client.execute_prefetched("refund", {"id": normalize.to_gid("Refund", refund_id)}).get("node")
        if not node:
            raise PermanentError(f"Shopify refund {refund_id} does not exist.")
        return normalize.refund_from_graphql(node)

    @api.model
    def _order_effect(self, refund, included):
        """What ``refund`` removed from its order's current total, and the quantities it took back
        (line subtotals include the tax when prices do)."""
        amount = refund["shipping"] + refund["shipping_tax"]
        lines = {}
        for line in refund["lines"]:
            amount += line["subtotal"] + (ZERO if included else line["tax"])
            lines[line["line_id"]] = lines.get(line["line_id"], 0) + line["quantity"]
        return {"lines": lines, "amount": cents(amount)}

    @api.model
    def _import_refund_webhook(self, backend, event):
        """refunds/create: import the order first when Odoo does not know it yet."""
        refund = normalize.refund_from_rest(event.sudo().payload or {})
        orders = self.env["shopify.order.binding"]
        if not orders._lookup(backend, refund["order_id"]):
            client = backend._shopify_client()
            order = orders._fetch_order(backend, refund["order_id"], client)
            if order is None:
                raise PermanentError(f"Shopify order {refund['order_id']} of refund {refund['id']} does not exist.")
            orders._import_order(backend, order, client=client)
        return self._import_refund(backend, refund)

    @api.model
    def _import_refund(self, backend, refund):
        """Book a Shopify refund once: a credit note (linked to the invoice and the sale
        lines) and an outbound payment per refund transaction."""
        result = self.browse()
        with self.env["retail.sync.log"]._track(backend, "import", "refund", external_id=refund["id"]) as run:
            run.external_updated_at = refund["updated_at"]
            self._lock_external_id(backend, refund["id"])
            binding = self._lookup(backend, refund["id"])
            if binding:
                run.record = binding.odoo_id
                run.skip("Already booked.")
                self._after_refund_import(backend, refund, binding)
                return binding
            result = self._book_refunds(backend, [refund])
            run.record = result.odoo_id
        return result

    @api.model
    def _import_refunds(self, backend, refunds):
        """Book the new refunds of a catch-up batch together: their credit notes are
        created and posted, their payments booked and reconciled in one go. Should the
        batch fail, each refund is booked on its own, so that one bad refund is
        reported alone."""
        refunds = list({refund["id"]: refund for refund in refunds}.values())
        known = [refund for refund in refunds if self._lookup(backend, refund["id"])]
        todo = [refund for refund in refunds if refund not in known]
        if len(todo) > 1:
            try:
                with self.env.cr.savepoint():
                    for refund in todo:
                        self._lock_external_id(backend, refund["id"])
                    bindings = self._book_refunds(backend, todo)
            except (RetryableJobError, psycopg2.OperationalError):
                raise
            except Exception:  # pylint: disable=broad-except
                _logger.info("Booking %s refunds at once failed: booking them one by one.", len(todo))
            else:
                log = self.env["retail.sync.log"]
                for refund, binding in zip(todo, bindings, strict=True):
                    with log._track(backend, "import", "refund", external_id=refund["id"]) as run:
                        run.external_updated_at = refund["updated_at"]
                        run.record = binding.odoo_id
                todo = []
        for refund in known + todo:
            self._import_refund(backend, refund)

    @api.model
    def _book_refunds(self, backend, refunds):
        """Credit notes, bindings, refund payments and reconciliation of refunds not
        booked yet (all or nothing); their bindings, in the order of ``refunds``."""
        orders = self.env["shopify.order.binding"]
        entries = []
        for refund in refunds:
            order_binding = orders._lookup(backend, refund["order_id"])
            if not order_binding:
                raise PermanentError(f"Order {refund['order_id']} of Shopify refund {refund['id']} is not imported.")
            entries.append((refund, order_binding))
        moves = self.env["account.move"].create(
            [self._credit_note_values(backend, order_binding, refund) for refund, order_binding in entries]
        )
        for (refund, __), move in zip(entries, moves, strict=True):
            self._adjust_credit_note(move, refund)
        bindings = self.create(
            [
                {
                    "backend_id": backend.id,
                    "external_id": refund["id"],
                    "odoo_id": move.id,
                    "order_binding_id": order_binding.id,
                    "shopify_total": float(refund["total"]),
                    "refunded_lines": effect["lines"],
                    "order_effect": float(effect["amount"]),
                    "external_updated_at": refund["updated_at"],
                    "last_synced_at": fields.Datetime.now(),
                    "payload_digest": payload_digest(refund),
                }
                for (refund, order_binding), move in zip(entries, moves, strict=True)
                for effect in [self._order_effect(refund, order_binding.taxes_included)]
            ]
        )
        if backend.shopify_refund_move_state == "posted":
            moves.with_context(shopify_no_push=True).action_post()
        self.env["shopify.payment.binding"]._book_transactions(
            backend, [(order_binding, refund["transactions"]) for refund, order_binding in entries]
        )
        plan = []
        for order_binding in orders.union(*(order_binding for __, order_binding in entries)):
            plan += order_binding._reconcile_plan()
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
        for (refund, __), binding in zip(entries, bindings, strict=True):
            self._after_refund_import(backend, refund, binding)
        return bindings

    @api.model
    def _after_refund_import(self, backend, refund, binding):
        """Hook: ``refund`` is bound to ``binding`` (booked now, or earlier); returns the binding."""
        return binding

    @api.model
    def _credit_note_values(self, backend, order_binding, refund):
        sale = order_binding.odoo_id
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")[:1]
        invoice = (
            invoice or sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "draft")[:1]
        )
        by_line_id = {line.shopify_line_id: line for line in sale.order_line if line.shopify_line_id}
        lines = []
        for item in refund["lines"]:
            if not item["quantity"]:
                continue
            sale_line = by_line_id.get(item["line_id"])
            if not sale_line:
                product = self.env["shopify.order.binding"]._find_product(
                    backend, {"id": item["line_id"], "sku": item["sku"], "title": item["sku"]}
                )
                taxes = self.env["account.tax"]
            else:
                product, taxes = sale_line.product_id, sale_line.tax_ids
            # at Shopify's net amount (its subtotal: tax included when prices include it)
            price, discount = exact_price(item["subtotal"], item["quantity"], None)
            lines.append(
                {
                    "product_id": product.id,
                    "name": sale_line.name if sale_line else product.display_name,
                    "quantity": item["quantity"],
                    "price_unit": price,
                    "discount": discount,
                    "tax_ids": [(6, 0, taxes.ids)],
                    "sale_line_ids": [(6, 0, sale_line.ids)] if sale_line else [],
                }
            )
        if refund["shipping"]:
            ship_line = sale.order_line.filtered(lambda line: line.is_delivery)[:1]
            taxes = ship_line.tax_ids
            included = bool(taxes.filtered("price_include"))
            amount = refund["shipping"] + (refund["shipping_tax"] if included else ZERO)
            lines.append(
                {
                    "product_id": backend.shopify_shipping_product_id.id or ship_line.product_id.id,
                    "name": "Shipping refund",
                    "quantity": 1,
                    "price_unit": float(cents(amount)),
                    "tax_ids": [(6, 0, taxes.ids)],
                }
            )
        journal = invoice.journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", sale.company_id.id)], limit=1
        )
        return {
            "move_type": "out_refund",
            "partner_id": (invoice.partner_id or sale.partner_invoice_id).id,
            "company_id": sale.company_id.id,
            "currency_id": (invoice.currency_id or sale.currency_id).id,
            "journal_id": journal.id,
            "invoice_date": (refund["created_at"] or fields.Datetime.now()).date(),
            "invoice_origin": sale.name,
            "ref": f"Shopify refund {refund['id']} of {order_binding.shopify_name or sale.name}",
            "reversed_entry_id": invoice.id or False,
            "narration": refund["note"] or False,
            "invoice_line_ids": [(0, 0, vals) for vals in lines],
        }

    @api.model
    def _adjust_credit_note(self, move, refund):
        """Adjustments, and whatever Shopify refunded beyond (or short of) the items: one
        line, so the credit note equals what the customer got back, to the cent."""
        difference = cents(refund["total"]) - cents(Decimal(str(move.amount_total)))
        if difference:
            reasons = ", ".join(adj["reason"] or "adjustment" for adj in refund["adjustments"]) or "difference"
            move.write(
                {
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": f"Shopify refund adjustment ({reasons})",
                                "quantity": 1,
                                "price_unit": float(difference),
                                "tax_ids": [(5, 0, 0)],
                            },
                        )
                    ]
                }
            )

    # ------------------------------------------------------------------
    # Odoo -> Shopify
    # ------------------------------------------------------------------
    @api.model
    def _shopify_export_refund(self, move):
        """Job: refund in Shopify a credit note made in Odoo, once (bound to the refund
        Shopify returns, so the refunds/create echo is recognised; idempotency key too)."""
        move = move.exists()
        if not move:
            return "The credit note no longer exists."
        order_binding = move._shopify_order_binding()
        backend = order_binding.backend_id
        with self.env["retail.sync.log"]._track(backend, "export", "refund", external_id=f"move-{move.id}") as run:
            run.record = move
            if move.shopify_refund_bind_ids:
                run.skip("Already refunded in Shopify.")
                return run.result
            client = backend._shopify_client()
            shipping_product = backend.shopify_shipping_product_id
            refund_lines = []
            shipping = ZERO
            for line in move.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
                sale_line = line.sale_line_ids.filtered("shopify_line_id")[:1]
                if sale_line and not sale_line.is_delivery:
                    refund_lines.append(
                        {
                            "lineItemId": normalize.to_gid("LineItem", sale_line.shopify_line_id),
                            "quantity": int(line.quantity),
                            "restockType": "NO_RESTOCK",
                        }
                    )
                elif line.product_id and line.product_id == shipping_product:
                    shipping += cents(Decimal(str(line.price_subtotal)))
            amount = cents(Decimal(str(move.amount_total)))
            sale_tx = order_binding.payment_binding_ids.filtered(lambda p: p.kind in ("sale", "capture"))[:1]
            refund_input = {
                "orderId": normalize.to_gid("Order", order_binding.external_id),
                "note": f"Credit note {move.name} from Odoo",
                "notify": False,
                "refundLineItems": refund_lines,
                "transactions": [
                    {
                        "orderId": normalize.to_gid("Order", order_binding.external_id),
                        "gateway": sale_tx.gateway or "manual",
                        "kind": "REFUND",
                        "amount": str(amount),
                        **({"parentId": normalize.to_gid("OrderTransaction", sale_tx.external_id)} if sale_tx else {}),
                    }
                ],
            }
            if shipping:
                refund_input["shipping"] = {"amount": str(shipping)}
            key = payload_digest({"move": move.id, "amount": str(amount), "lines": refund_lines, "ship": str(shipping)})
            document = versions.document_for("refund_create", client.api_version)
            variables = {"input": refund_input}
            if versions.requires_idempotency(client.api_version):
                variables["idempotencyKey"] = key
            payload = client.mutate(document, variables, "refundCreate")
            refund_id = normalize.legacy_id((payload.get("refund") or {}).get("id"))
            if not refund_id:
                raise PermanentError(f"Shopify returned no refund for {move.name}.")
            self.create(
                {
                    "backend_id": backend.id,
                    "external_id": refund_id,
                    "odoo_id": move.id,
                    "order_binding_id": order_binding.id,
                    "shopify_total": float(amount),
                    "refunded_lines": {
                        normalize.legacy_id(item["lineItemId"]): item["quantity"] for item in refund_lines
                    },
                    "order_effect": float(amount),
                    "origin": "odoo",
                    "last_synced_at": fields.Datetime.now(),
                }
            )
            run.message = f"Shopify refund {refund_id}"
        return run.result
