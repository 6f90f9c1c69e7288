# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify orders -> Odoo sale orders (with payments, invoice, cancellation both ways).

Accounting model: the sale order keeps what the customer ordered (Shopify's
current quantity plus what refunds took back), every Shopify refund becomes a
credit note (``shopify.refund.binding``) and every money transaction a payment
(``shopify.payment.binding``). So invoice - credit notes = Shopify's current
total, and payments in - payments out = what Shopify holds.
"""

import logging
import time
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import psycopg2

from odoo import api, fields, models, tools
from odoo.tools import float_round

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib.memo import batch_memo, memoized, remember
from odoo.addons.retail_connector_base.lib.retry import (
    ChannelError,
    PermanentError,
    catch_up,
    classify_exception,
    to_job_error,
)
from odoo.addons.retail_connector_base.models.retail_backend import IMPORT_CHANNEL
from odoo.addons.retail_connector_base.models.retail_sync_log import SyncRun

from ..lib import normalize

_logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0")
#: a difference above this (shop currency) between Odoo and Shopify fails the import
TOTAL_TOLERANCE = Decimal("0.005")
#: financial statuses that let an order be confirmed, and invoiced
CONFIRM_STATUSES = ("paid", "partially_paid", "partially_refunded")
INVOICE_STATUSES = ("paid", "partially_refunded")
RISKY = ("investigate", "cancel")
#: fulfilment statuses of an order that shipped something in Shopify
SKIPPED_FULFILLMENT = ("fulfilled", "partially_fulfilled")
#: orders a catch-up creates together (several pages), and whose accounting it books together
CREATE_BATCH = 25
#: pages a catch-up reads ahead: those of the next CREATE_BATCH orders arrive while this batch is imported
PAGES_AHEAD = 8
BOOKING_BATCH = 100


class UnknownSku(PermanentError):
    exception_type = "shopify_unknown_sku"


class MappingMissing(PermanentError):
    exception_type = "mapping_missing"


class TotalMismatch(PermanentError):
    exception_type = "shopify_order_total_mismatch"


def cents(value):
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def exact_price(net, quantity, unit_price=None):
    """``(price_unit, discount %)``, two decimals each, whose Odoo line amount is ``net``.

    Odoo stores prices and discounts with 2 decimals and computes a line as
    ``price_unit * (1 - discount / 100) * quantity`` rounded to the cent. A
    Shopify line (unit price x quantity - a discount allocation in money) has no
    such exact form in general, so search the pair whose raw amount is the
    closest to ``net`` (exact when possible): the line, its taxes (computed on
    that raw amount) and the order total then equal Shopify's to the cent.
    Prefer Shopify's own unit price with a percentage so the discount stays visible.
    """
    net = cents(net)
    if quantity <= 0:
        return float(unit_price or 0), 0.0
    quantity = Decimal(quantity)
    unit = net / quantity
    if cents(unit) == unit:
        if unit_price is not None and unit_price > unit:
            price, discount = _try_price(Decimal(unit_price), net, quantity)
            if price is not None and discount is not None and _error(price, discount, quantity, net) < 1e-9:
                return float(price), float(discount)
        return float(unit), 0.0
    candidates = []
    if unit_price is not None and Decimal(unit_price) * quantity > net:
        candidates.append(Decimal(unit_price))
    start = unit.quantize(CENT, ROUND_CEILING)
    candidates += [start + CENT * step for step in range(0, 400)]
    best = None
    for candidate in candidates:
        price, discount = _try_price(candidate, net, quantity)
        if price is None:
            continue
        error = _error(price, discount, quantity, net)
        if best is None or error < best[0]:
            best = (error, price, discount)
        if error < 1e-9:
            break
    if best is None or best[0] >= 0.005:
        return float(cents(unit)), 0.0
    return float(best[1]), float(best[2])


def _try_price(price, net, quantity):
    gross = price * quantity
    if gross <= 0 or gross < net:
        return None, None
    discount = ((1 - net / gross) * 100).quantize(CENT, ROUND_HALF_UP)
    best = None
    for candidate in (discount, discount - CENT, discount + CENT):
        if candidate < 0 or candidate >= 100:
            continue
        error = _error(price, candidate, quantity, net)
        if best is None or error < best[0]:
            best = (error, candidate)
    return (price, best[1]) if best else (None, None)


def _error(price, discount, quantity, net):
    # the way Odoo computes it (account.tax base lines): floats
    raw = float(price) * (1 - (float(discount) / 100.0)) * float(quantity)
    if float_round(raw, precision_digits=2) != float(net):
        return 1.0
    return abs(raw - float(net))


def line_net(line, quantity):
    """Discounted amount of ``quantity`` units of a canonical line, as Shopify counts it
    (the discount allocation covers all original units and is prorated, in cents)."""
    discount = line["discount"] or ZERO
    if quantity != line["quantity"]:
        discount = cents(discount * quantity / line["quantity"]) if line["quantity"] else ZERO
    return cents(line["unit_price"] * quantity - discount)


IMPORT_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


class ShopifyOrderBinding(models.Model):
    """A Shopify order bound to an Odoo sale order."""

    _name = "shopify.order.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Order Binding"

    odoo_id = fields.Many2one("sale.order", string="Sale Order", required=True, ondelete="cascade", index=True)
    shopify_name = fields.Char(string="Shopify Order")
    financial_status = fields.Char()
    fulfillment_status = fields.Char()
    risk = fields.Char(string="Risk Recommendation")
    shopify_total = fields.Float(digits="Product Price")
    shopify_currency = fields.Char()
    cancelled_at = fields.Datetime(string="Cancelled in Shopify")
    taxes_included = fields.Boolean(help="Shopify prices of this order include taxes.")
    presentment_currency = fields.Char(string="Customer Currency")
    presentment_total = fields.Float(string="Total in Customer Currency", digits="Product Price")
    payment_binding_ids = fields.One2many("shopify.payment.binding", "order_binding_id", string="Transactions")
    refund_binding_ids = fields.One2many("shopify.refund.binding", "order_binding_id", string="Refunds")
    shopify_admin_url = fields.Char(
        string="Shopify Admin Link", compute="_compute_shopify_admin_url", help="The order in the shop's admin."
    )

    @api.depends("external_id", "backend_id.shopify_shop_domain", "backend_id.shopify_api_base_url")
    def _compute_shopify_admin_url(self):
        for binding in self:
            backend = binding.backend_id
            # a sandbox (API base URL override) has no admin to open
            binding.shopify_admin_url = (
                f"https://{backend.shopify_shop_domain}/admin/orders/{binding.external_id}"
                if backend.shopify_shop_domain and not backend.shopify_api_base_url and binding.external_id
                else False
            )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _import_order(self, backend, order, client=None, deferred=None):
        """Import one canonical order (all or nothing); return its binding (empty if
        skipped before ever being imported, or failed).

        With ``deferred`` (a list), the order's accounting (payments, confirmation,
        invoice, reconciliation), its fulfilments and its refunds are not done here
        but appended to it, for :meth:`_book_deferred` to do a whole page of orders
        in one batch.
        """
        # Imported documents get no per-field tracking messages: the order's
        # chatter says where it came from; tracking would double the work.
        self = self.with_context(**IMPORT_CONTEXT)  # noqa: PLW0642
        backend = backend.with_context(**IMPORT_CONTEXT)
        log = self.env["retail.sync.log"]
        refunds_model = self.env["shopify.refund.binding"]
        result = self.browse()
        new_refunds = []
        with log._track(backend, "import", "order", external_id=order["id"]) as run:
            run.external_updated_at = order["updated_at"]
            binding = self._lookup(backend, order["id"])
            reason = None if binding else self._skip_reason(backend, order)
            if reason:
                run.skip(reason)
            else:
                new_refunds = self._new_refunds(backend, order, client)
                created = not binding
                binding, outcome = self._import_record(
                    backend,
                    order["id"],
                    order,
                    lambda bound, payload: self._apply_order(backend, payload, bound, new_refunds),
                    external_updated_at=order["updated_at"],
                )
                run.record = binding.odoo_id
                result = binding
                if outcome == "skipped":
                    run.skip("Unchanged or older than what is imported.")
                else:
                    binding._after_import(backend, order, created)
                    if deferred is None:
                        self._book_orders(backend, [(binding, order)])
                    run.message = f"{binding.odoo_id.name} ({binding.odoo_id.state})"
                if deferred is not None:
                    deferred.append((binding, order, new_refunds, outcome != "skipped"))
        if deferred is None and result and run.result != "failed":
            result._import_fulfillments(backend, order, client)
            for refund in new_refunds:
                refunds_model._import_refund(backend, refund)
        return result

    @api.model
    def _new_refunds(self, backend, order, client=None):
        """The order's refunds not booked yet, as canonical refunds (read when the
        order does not carry them)."""
        refunds_model = self.env["shopify.refund.binding"]
        known = {refund["id"]: refund for refund in order.get("refunds") or []}
        new_refunds = []
        for refund_id in order["refund_ids"]:
            if not refunds_model._lookup(backend, refund_id):
                refund = known.get(refund_id) or refunds_model._fetch_refund(backend, refund_id, client)
                refund["order_id"] = refund.get("order_id") or order["id"]
                new_refunds.append(refund)
        return new_refunds

    @api.model
    def _import_orders(self, backend, orders, client=None, deferred=None):
        """Import a page of canonical orders; same outcome as :meth:`_import_order` on
        each, and returns their bindings the same way (in the order of ``orders``).

        Orders never imported before are created together (one ``create`` of their
        new contacts, one of their sale orders, one of their bindings: Odoo's batched
        writes cost about half as much an order as one by one). An order whose
        lines, taxes or refunds cannot be read is imported on its own, which
        reports it; should the batch fail for any other reason it is rolled back
        and its orders imported one by one, so that one bad order is reported
        alone. Without ``deferred`` the accounting is booked at the end.
        """
        self = self.with_context(**IMPORT_CONTEXT)  # noqa: PLW0642
        backend = backend.with_context(**IMPORT_CONTEXT)
        book_here = deferred is None
        deferred = [] if book_here else deferred
        results = {}
        new = []
        # an order seen twice (updated while the catch-up paged) is imported once, as last seen
        unique = list({order["id"]: order for order in orders}.values())
        bound = self._lookup_many(backend, [order["id"] for order in unique])
        for order in unique:
            if str(order["id"]) not in bound and not self._skip_reason(backend, order):
                new.append(order)
            else:
                results[order["id"]] = self._import_order(backend, order, client=client, deferred=deferred)
        created = self._create_orders(backend, new, client, deferred) if len(new) > 1 else {}
        for order in new:
            if order["id"] not in created:
                created[order["id"]] = self._import_order(backend, order, client=client, deferred=deferred)
        results.update(created)
        if book_here:
            self._book_deferred(backend, deferred, client)
        return [results[order["id"]] for order in orders]

    @api.model
    def _create_orders(self, backend, orders, client, deferred):
        """Create new orders in one batch (see :meth:`_import_orders`); return
        ``{order id: binding}`` of those created, empty when the batch failed."""
        log = self.env["retail.sync.log"]
        started = time.monotonic()
        prepared = []  # (order, new refunds, refund effects, (sale lines, pricelist))
        try:
            with self.env.cr.savepoint(), batch_memo(self.env.cr):
                self._lock_external_ids(backend, [order["id"] for order in orders])
                self._prefetch_products(backend, orders)
                for order in orders:
                    try:
                        new_refunds = self._new_refunds(backend, order, client)
                        refunds = self._refund_effects(backend, self.browse(), new_refunds, order["taxes_included"])
                        lines = self._line_values(backend, order, refunds)
                        pricelist = self._pricelist(backend, order["currency"])
                    except Exception as exc:  # pylint: disable=broad-except
                        error = classify_exception(exc) or exc
                        if isinstance(error, ChannelError) and error.kind in ("throttled", "transient"):
                            raise to_job_error(error) from exc
                        if not isinstance(error, ChannelError):
                            raise
                        continue  # nothing written for it yet: imported alone, which reports why
                    prepared.append((order, new_refunds, refunds, (lines, pricelist)))
                contacts = self._order_contacts(backend, [order for order, *__ in prepared])
                sales = (
                    self.env["sale.order"]
                    .with_context(sale_no_log_for_new_lines=True)
                    .create(
                        [
                            self._new_order_values(backend, order, lines, pricelist, order_contacts)
                            for (order, __, __, (lines, pricelist)), order_contacts in zip(
                                prepared, contacts, strict=True
                            )
                        ]
                    )
                )
                for (order, __, refunds, __), sale in zip(prepared, sales, strict=True):
                    self._check_total(sale, order, refunds)
                bindings = self._bind_new(
                    backend,
                    [
                        (order["id"], sale, order, order["updated_at"])
                        for (order, *__), sale in zip(prepared, sales, strict=True)
                    ],
                )
                for binding, (order, *__) in zip(bindings, prepared, strict=True):
                    binding._after_import(backend, order, True)
        except (RetryableJobError, psycopg2.OperationalError):
            raise
        except Exception as exc:  # pylint: disable=broad-except
            _logger.info("Creating %s orders at once failed (%s): importing them one by one.", len(orders), exc)
            return {}
        share_ms = int((time.monotonic() - started) * 1000 / max(len(prepared), 1))
        created = {}
        runs = []
        for binding, (order, new_refunds, __, __) in zip(bindings, prepared, strict=True):
            run = SyncRun()
            run.external_updated_at = order["updated_at"]
            run.record = binding.odoo_id
            run.duration_ms = share_ms
            run.message = f"{binding.odoo_id.name} ({binding.odoo_id.state})"
            runs.append((order["id"], run))
            deferred.append((binding, order, new_refunds, True))
            created[order["id"]] = binding
        log._log_batch(backend, "import", "order", runs)
        return created

    @api.model
    def _book_deferred(self, backend, deferred, client=None):
        """Do the accounting of orders imported with ``deferred``, in one batch, then
        apply their fulfilments and book their refunds. Should the batch fail, each
        order is booked on its own so that one bad order is reported alone (and
        imported again next time)."""
        self = self.with_context(**IMPORT_CONTEXT)  # noqa: PLW0642
        backend = backend.with_context(**IMPORT_CONTEXT)
        # an order seen twice (updated while paging) is booked once, as last seen
        entries = list({binding.id: (binding, order) for binding, order, __, book in deferred if book}.values())
        if entries:
            try:
                with self.env.cr.savepoint():
                    self._book_orders(backend, entries)
            except (RetryableJobError, psycopg2.OperationalError):
                raise
            except Exception:  # pylint: disable=broad-except
                _logger.info("Booking %s orders at once failed: booking them one by one.", len(entries))
                log = self.env["retail.sync.log"]
                for binding, order in entries:
                    with log._track(backend, "import", "order", external_id=order["id"]) as run:
                        run.record = binding.odoo_id
                        self._book_orders(backend, [(binding, order)])
                    if run.result == "failed":
                        binding.payload_digest = False  # not "unchanged": the next import books it
        # unchanged orders too: their fulfilment may have been lost with its webhook
        last_seen = {binding.id: (binding, order) for binding, order, __, __ in deferred if binding}
        for binding, order in last_seen.values():
            try:
                binding._import_fulfillments(backend, order, client)
            except RetryableJobError as error:
                # Shopify is busy: what the batch booked stands; the fulfilments are
                # read by a job of their own once the bucket has refilled.
                binding.with_delay(
                    channel=IMPORT_CHANNEL,
                    eta=error.seconds,
                    description=f"Import the Shopify fulfilments of {binding.shopify_name or binding.external_id}",
                    identity_key=f"shopify-order-fulfillments-{binding.id}",
                )._import_fulfillments_job()
        self.env["shopify.refund.binding"]._import_refunds(
            backend, [refund for __, __, new_refunds, __ in deferred for refund in new_refunds]
        )

    def _import_fulfillments_job(self):
        """queue_job: apply the fulfilments of an order read fresh from Shopify."""
        self.ensure_one()
        backend = self.backend_id
        order = None
        # tracked: Shopify busy again -> the job is retried later, not failed
        with self.env["retail.sync.log"]._track(
            backend, "import", "fulfillment", external_id=f"order-{self.external_id}"
        ) as run:
            run.record = self.odoo_id
            order = self._fetch_order(backend, self.external_id)
        if order is not None:
            self._import_fulfillments(backend, order)

    def _import_fulfillments(self, backend, order, client=None):
        """Validate in Odoo what Shopify shipped while no fulfillments/create webhook
        told us (order imported after it shipped: backfill, catch-up after an
        outage). Each fulfilment not bound yet goes through the webhook's import."""
        self.ensure_one()
        self.env["shopify.fulfillment.binding"]._report_cancelled(backend, order)
        sale = self.odoo_id
        # Read Shopify only when an open delivery may be out of date; an order not
        # confirmed (held, unpaid) has none: a later import applies its fulfilments.
        if not self._shipped(order) or sale.state != "sale" or not self._open_deliveries(sale):
            return
        fulfillment_model = self.env["shopify.fulfillment.binding"]
        log = self.env["retail.sync.log"]
        fulfillments = []
        with log._track(backend, "import", "fulfillment", external_id=f"order-{order['id']}") as run:
            run.record = sale
            client = client or backend._shopify_client()
            node = client.execute_prefetched("order_fulfillments", {"id": order["gid"]}).get("order")
            fulfillments = [
                fulfillment
                for fulfillment in (normalize.fulfillments_from_graphql(node) if node else [])
                if not fulfillment_model._lookup(backend, fulfillment["id"])
            ]
            run.message = f"{len(fulfillments)} fulfilment(s) of {order['name']} not imported yet"
        for fulfillment in fulfillments:
            fulfillment_model._import_fulfillment(backend, fulfillment)

    @api.model
    def _shipped(self, order):
        return order["fulfillment_status"] in SKIPPED_FULFILLMENT and not order["cancelled_at"]

    @api.model
    def _open_deliveries(self, sale):
        return sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("draft", "done", "cancel")
        )

    @api.model
    def _prefetch_reads(self, backend, client, nodes):
        """Start, in the client's background thread, the Shopify reads a page of
        orders will need: their refunds not imported yet and the fulfilments of
        the shipped ones that get (or have) an open delivery in Odoo. With a real
        shop's round trip, these waits then overlap Odoo's work on the page."""
        orders = []
        for node in nodes:
            try:
                orders.append(normalize.order_from_graphql(node))
            except PermanentError:
                continue  # reported when the importer reaches it
        refund_ids = [refund_id for order in orders for refund_id in order["refund_ids"]]
        if refund_ids:
            bound = set(
                self.env["shopify.refund.binding"]
                .search([("backend_id", "=", backend.id), ("external_id", "in", refund_ids)])
                .mapped("external_id")
            )
            for order in orders:
                known = {refund["id"] for refund in order.get("refunds") or []}
                for refund_id in order["refund_ids"]:
                    if refund_id not in bound and refund_id not in known:
                        client.prefetch("refund", {"id": normalize.to_gid("Refund", refund_id)})
        shipped = [order for order in orders if self._shipped(order)]
        if not shipped:
            return
        bindings = {
            binding.external_id: binding
            for binding in self.search(
                [("backend_id", "=", backend.id), ("external_id", "in", [order["id"] for order in shipped])]
            )
        }
        for order in shipped:
            binding = bindings.get(order["id"])
            sale = binding.odoo_id if binding else None
            if sale and sale.state == "sale":
                needed = bool(self._open_deliveries(sale))
            elif sale and sale.state not in ("draft", "sent"):
                needed = False
            else:  # confirmed by this import?
                needed = (
                    (sale or not self._skip_reason(backend, order))
                    and self._wants_confirmation(backend, order)
                    and not self._is_held(backend, order)
                )
            if needed:
                client.prefetch("order_fulfillments", {"id": order["gid"]})

    @api.model
    def _import_order_webhook(self, backend, event):
        """orders/create|updated|cancelled: REST bodies carry no transactions nor risk,
        so the order is read again through GraphQL and that fresh copy is imported."""
        body = event.sudo().payload or {}
        if isinstance(body, dict) and "id" not in body and isinstance(body.get("order"), dict):
            body = body["order"]
        order_id = normalize.legacy_id(body.get("id") if isinstance(body, dict) else None)
        if not order_id:
            raise PermanentError("The order webhook carries no order id.")
        client = backend._shopify_client()
        order = self._fetch_order(backend, order_id, client)
        if order is None:
            return self.browse()
        return self._import_order(backend, order, client=client)

    @api.model
    def _fetch_order(self, backend, order_id, client=None):
        """The canonical order read now from Shopify (all lines), None when it is gone."""
        client = client or backend._shopify_client()
        node = client.execute("order", {"id": normalize.to_gid("Order", order_id)}).get("order")
        if not node:
            return None
        return self._complete_order(client, node)

    @api.model
    def _complete_order(self, client, node):
        order = normalize.order_from_graphql(node)
        if order["lines_complete"]:
            return order
        nodes = list(
            client.iter_nodes("order_line_items", {"id": node.get("id") or order["gid"]}, ("order", "lineItems"))
        )
        return normalize.order_from_graphql(
            dict(node, lineItems={"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}})
        )

    @api.model
    def _catch_up_orders(self, backend, since, cursor=None):
        """Import the orders updated since ``since`` (all when None), from page
        ``cursor`` when given; return the newest updated_at."""
        client = backend._shopify_client()
        query = f"updated_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'" if since else None

        deferred = []
        page = []

        def import_one(node):
            order = self._complete_order(client, node)
            page.append(order)
            return order["updated_at"]

        def end_page(last):
            # Order pages are small (their cost caps them): orders are created per
            # CREATE_BATCH and their accounting booked per BOOKING_BATCH orders, the
            # sizes at which Odoo's batched writes pay off. A paused catch-up ends
            # with ``last``: what its pages read is imported before it stops.
            if page and (last or len(page) >= CREATE_BATCH):
                orders = page[:]
                page.clear()  # imported once, even if something after it pauses the catch-up
                self._import_orders(backend, orders, client=client, deferred=deferred)
            if deferred and (last or len(deferred) >= BOOKING_BATCH):
                batch = deferred[:]
                deferred.clear()  # booked once, even if something after it pauses the catch-up
                self._book_deferred(backend, batch, client)
            return bool(page)  # orders read and held for the next batch

        def start_page(nodes):
            self._prefetch_reads(backend, client, nodes)

        pages = client.pages("orders", {"query": query, "after": cursor}, ("orders",))
        with client.prefetching():
            return catch_up(
                pages,
                import_one,
                end_page=end_page,
                max_records=backend.catch_up_batch_size,
                start_page=start_page,
                pages_ahead=PAGES_AHEAD,
            )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model
    def _skip_reason(self, backend, order):
        """Why an order never imported yet is not imported now (None: import it)."""
        status = order["financial_status"]
        if status and status not in backend._shopify_import_statuses():
            return f"Financial status {status} is not imported."
        if (
            backend.shopify_import_from_date
            and order["created_at"]
            and (order["created_at"] < backend.shopify_import_from_date)
        ):
            return f"Created {order['created_at']} before the import start date."
        if backend.shopify_import_unfulfilled_only and order["fulfillment_status"] in SKIPPED_FULFILLMENT:
            return f"Already {order['fulfillment_status']} in Shopify."
        return None

    # ------------------------------------------------------------------
    # Building the sale order
    # ------------------------------------------------------------------
    @api.model
    def _apply_order(self, backend, order, binding, new_refunds):
        refunds = self._refund_effects(backend, binding, new_refunds, order["taxes_included"])
        if binding:
            sale = binding.odoo_id
            self._update_order(backend, order, sale, refunds)
            binding._follow_routing(backend, order)
            binding._follow_fulfillment_hold(order)
            return sale
        lines = self._line_values(backend, order, refunds)
        pricelist = self._pricelist(backend, order["currency"])
        values = self._new_order_values(backend, order, lines, pricelist, self._order_contacts(backend, [order])[0])
        sale = self.env["sale.order"].with_context(sale_no_log_for_new_lines=True).create(values)
        self._check_total(sale, order, refunds)
        return sale

    @api.model
    def _new_order_values(self, backend, order, lines, pricelist, contacts):
        """Values of the sale order of a new Shopify order; ``contacts`` from
        :meth:`_order_contacts` (lines and pricelist are computed before: they raise
        before anything is written)."""
        partner, invoice_partner, shipping_partner = contacts
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "company_id": backend.company_id.id,
            "pricelist_id": pricelist.id,
            "fiscal_position_id": backend.shopify_fiscal_position_id.id,
            "client_order_ref": order["name"],
            "origin": f"Shopify {order['name']}",
            "date_order": order["processed_at"] or order["created_at"] or fields.Datetime.now(),
            "order_line": [(0, 0, vals) for vals in lines],
            "shopify_presentment_currency": order["presentment_currency"],
            "shopify_presentment_total": float(order["total_presentment"] or 0.0),
        }
        warehouse = self._routed_warehouse(backend, order) or backend.shopify_warehouse_id
        if warehouse:
            values["warehouse_id"] = warehouse.id
        if backend.shopify_team_id:
            values["team_id"] = backend.shopify_team_id.id
        carrier = self._carrier(backend, order)
        if carrier:
            values["carrier_id"] = carrier.id
        notes = [order["note"]] if order["note"] else []
        if order["presentment_currency"] and order["presentment_currency"] != order["currency"]:
            notes.append(
                f"Customer paid in {order['presentment_currency']}: {order['total_presentment']} "
                f"(booked in {order['currency']}: {order['total']})."
            )
        if notes:
            values["note"] = "\n".join(notes)
        return values

    @api.model
    def _routed_warehouse(self, backend, order):
        """The warehouse of the Odoo location mapped to the Shopify location the order
        was routed to (a shop with a warehouse per region, say); empty when unmapped or
        in no warehouse (the backend's warehouse then delivers)."""
        maps = {mapping.shopify_location_id: mapping.location_id for mapping in backend.shopify_location_map_ids}
        for location_id in order.get("assigned_location_ids") or []:
            location = maps.get(str(location_id))
            if location and location.warehouse_id:
                return location.warehouse_id
        return self.env["stock.warehouse"]

    def _follow_routing(self, backend, order):
        """Shopify moved what is left to ship to another location (the merchant's
        *Change location*, a rerouting app): the open delivery follows, to the
        warehouse of the Odoo location mapped to it, while nothing of it is picked.
        A started delivery, or a route of several steps, is left to a person; so is
        an order left to ship from several warehouses (Odoo's one delivery cannot follow)."""
        self.ensure_one()
        sale = self.odoo_id
        if sale.state != "sale" or order["cancelled_at"]:
            return None
        warehouses = self.env["stock.warehouse"].union(
            *(
                # as for a new order: an unmapped location ships from the backend's warehouse
                self._routed_warehouse(backend, dict(order, assigned_location_ids=[location_id]))
                or backend.shopify_warehouse_id
                for location_id in order["open_location_ids"]
            )
        )
        open_deliveries = self._open_deliveries(sale)
        if len(warehouses) != 1 or not open_deliveries or open_deliveries.picking_type_id.warehouse_id == warehouses:
            return None
        started = open_deliveries.filtered(
            lambda picking: any(move.picked or move.move_orig_ids for move in picking.move_ids)
        )
        if started:
            self.env["retail.exception"]._report(
                "shopify_reroute_blocked",
                key=f"shopify_reroute:{self.external_id}",
                backend=backend,
                record=started[0],
                external_id=self.external_id,
                message=self.env._(
                    "Shopify moved what is left to ship of %(order)s to %(warehouse)s, but delivery "
                    "%(delivery)s is already being prepared (or has several steps): it still ships from "
                    "%(planned)s.",
                    order=self.shopify_name or self.external_id,
                    warehouse=warehouses.name,
                    delivery=started[0].name,
                    planned=started[0].picking_type_id.warehouse_id.name,
                ),
            )
            return None
        source = open_deliveries.picking_type_id.warehouse_id
        open_deliveries.action_cancel()
        sale.warehouse_id = warehouses
        sale.order_line._action_launch_stock_rule()
        moved = self._open_deliveries(sale)
        sale.message_post(
            body=self.env._(
                "Shopify moved this order's shipment to %(warehouse)s: delivery %(old)s cancelled, %(new)s made.",
                warehouse=warehouses.name,
                old=", ".join(open_deliveries.mapped("name")),
                new=", ".join(moved.mapped("name")) or "-",
            )
        )
        _logger.info("Shopify order %s rerouted from %s to %s", self.external_id, source.name, warehouses.name)
        return moved

    def _follow_fulfillment_hold(self, order):
        """A fulfilment order on hold in Shopify must not ship: the open deliveries
        are held (they cannot be validated) and released with it."""
        self.ensure_one()
        held = bool(order.get("fulfillment_on_hold"))
        changed = self._open_deliveries(self.odoo_id).filtered(lambda picking: picking.shopify_on_hold != held)
        if not changed:
            return changed
        changed.shopify_on_hold = held
        names = ", ".join(changed.mapped("name"))
        self.odoo_id.message_post(
            body=self.env._("On hold in Shopify: %s cannot be shipped until Shopify releases it.", names)
            if held
            else self.env._("Released in Shopify: %s can be shipped.", names)
        )
        return changed

    @api.model
    def _fulfillment_order_webhook(self, backend, event):
        """fulfillment_orders/moved, placed_on_hold, hold_released: the order is read
        again; its open delivery follows the new location (:meth:`_follow_routing`)
        and Shopify's hold (:meth:`_follow_fulfillment_hold`)."""
        change = normalize.fulfillment_order_event_from_rest(event.sudo().payload)
        client = backend._shopify_client()
        order_id = change["order_id"]
        if not order_id:
            node = client.execute(
                "fulfillment_order", {"id": normalize.to_gid("FulfillmentOrder", change["fulfillment_order_id"])}
            ).get("fulfillmentOrder")
            order_id = normalize.legacy_id((node or {}).get("orderId"))
        if not order_id:
            raise PermanentError(f"Shopify fulfilment order {change['fulfillment_order_id']} no longer exists.")
        if not self._lookup(backend, order_id):
            return self.browse()  # not imported: its import reads where it ships from
        order = self._fetch_order(backend, order_id, client)
        return self._import_order(backend, order, client=client) if order else self.browse()

    @api.model
    def _refund_effects(self, backend, binding, new_refunds, included):
        """{"lines": {line id: refunded qty}, "amount": what the refunds took from the current total}
        over the refunds already booked and those about to be."""
        effects = {"lines": {}, "amount": ZERO}
        for refund_binding in binding.refund_binding_ids if binding else []:
            for line_id, quantity in (refund_binding.refunded_lines or {}).items():
                effects["lines"][line_id] = effects["lines"].get(line_id, 0) + quantity
            effects["amount"] += cents(refund_binding.order_effect)
        for refund in new_refunds:
            effect = self.env["shopify.refund.binding"]._order_effect(refund, included)
            for line_id, quantity in effect["lines"].items():
                effects["lines"][line_id] = effects["lines"].get(line_id, 0) + quantity
            effects["amount"] += effect["amount"]
        return effects

    @api.model
    def _line_values(self, backend, order, refunds):
        """Sale line values keyed by shopify_line_id (products, then shipping)."""
        values = []
        for line in order["lines"]:
            quantity = line["current_quantity"] + refunds["lines"].get(line["id"], 0)
            product = self._find_product(backend, line)
            net = line_net(line, quantity)
            price, discount = exact_price(net, quantity, line["unit_price"])
            name = " - ".join(part for part in (line["title"], line["variant_title"]) if part) or product.display_name
            if line["discount"]:
                name += f" (Shopify discount {line['discount']})"
            values.append(
                {
                    "shopify_line_id": line["id"],
                    "product_id": product.id,
                    "name": name,
                    "product_uom_qty": quantity,
                    "price_unit": price,
                    "discount": discount,
                    "tax_ids": [(6, 0, self._taxes(backend, line["taxes"], order).ids)],
                    "shopify_discount": float(line["discount"] or 0.0),
                }
            )
        shipping_lines = order["shipping_lines"]
        if shipping_lines and not backend.shopify_shipping_product_id:
            raise MappingMissing(f"Set the shipping product of {backend.name}: order {order['name']} has shipping.")
        for ship in shipping_lines:
            net = cents(ship["price"] - (ship["discount"] or ZERO))
            name = ship["title"] or "Shipping"
            if ship["discount"]:
                name += f" (Shopify discount {ship['discount']})"
            values.append(
                {
                    "shopify_line_id": ship["id"],
                    "product_id": backend.shopify_shipping_product_id.id,
                    "name": name,
                    "product_uom_qty": 1,
                    "price_unit": float(net),
                    "discount": 0.0,
                    "tax_ids": [(6, 0, self._taxes(backend, ship["taxes"], order).ids)],
                    "shopify_discount": float(ship["discount"] or 0.0),
                    "is_delivery": True,
                }
            )
        return values

    @api.model
    def _find_product(self, backend, line):
        sku = (line["sku"] or "").strip()
        binding = sku and memoized(
            self.env.cr, ("shopify_sku", backend.id, sku), lambda: self._product_binding(backend, sku)
        )
        if not binding:
            raise UnknownSku(
                f"Line {line['id']} ({line['title']}) has SKU {sku or '(none)'} that matches no "
                f"Shopify product of {backend.name}: import or bind the product, then retry."
            )
        return binding.odoo_id

    @api.model
    def _product_binding(self, backend, sku):
        """The product binding of a SKU: by the variant's SKU in Shopify, else by the Odoo
        product's internal reference."""
        bindings = self.env["shopify.product.binding"].with_context(active_test=False)
        binding = bindings.search([("backend_id", "=", backend.id), ("sku", "=", sku)], limit=1)
        return binding or bindings.search(
            [("backend_id", "=", backend.id), ("odoo_id.default_code", "=", sku)], limit=1
        )

    @api.model
    def _prefetch_products(self, backend, orders):
        """Inside a batch memo: the product bindings of every SKU of ``orders``, read at once."""
        skus = {(line["sku"] or "").strip() for order in orders for line in order["lines"]} - {""}
        if not skus:
            return
        bindings = (
            self.env["shopify.product.binding"]
            .with_context(active_test=False)
            .search([("backend_id", "=", backend.id), ("sku", "in", list(skus))])
        )
        bindings.mapped("odoo_id")  # the products read in one query, not one by one
        first = {}
        for binding in bindings:  # in the model's order, as search(limit=1) picks
            first.setdefault(binding.sku, binding)
        for sku, binding in first.items():
            remember(self.env.cr, ("shopify_sku", backend.id, sku), binding)

    @api.model
    def _taxes(self, backend, taxes, order):
        result = self.env["account.tax"]
        for tax in taxes:
            mapped = self.env["shopify.tax.map"]._find(backend, tax["title"], tax["rate"])
            if not mapped:
                if not tax["rate"] and not tax["amount"]:
                    continue
                raise MappingMissing(
                    f"Shopify tax {tax['title']!r} at rate {tax['rate']} (order {order['name']}) "
                    f"is not mapped to an Odoo tax: add it under Taxes of {backend.name}."
                )
            result |= mapped
        return result

    @api.model
    def _carrier(self, backend, order):
        for ship in order["shipping_lines"]:
            carrier = self.env["shopify.carrier.map"]._find_carrier(backend, ship["code"], ship["title"])
            if carrier:
                return carrier
        return self.env["delivery.carrier"]

    @api.model
    def _pricelist(self, backend, currency_code):
        return memoized(
            self.env.cr,
            ("shopify_pricelist", backend.id, currency_code),
            lambda: self._find_pricelist(backend, currency_code),
        )

    @api.model
    def _find_pricelist(self, backend, currency_code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code or backend.company_id.currency_id.name)], limit=1)
        )
        if not currency:
            raise MappingMissing(f"Currency {currency_code} of {backend.name} does not exist in Odoo.")
        if not currency.active:
            currency.sudo().active = True
        if backend.shopify_pricelist_id and backend.shopify_pricelist_id.currency_id == currency:
            return backend.shopify_pricelist_id
        pricelists = self.env["product.pricelist"]
        pricelist = pricelists.search(
            [("currency_id", "=", currency.id), ("company_id", "in", (backend.company_id.id, False))], limit=1
        )
        return pricelist or pricelists.create(
            {"name": f"Shopify {currency.name}", "currency_id": currency.id, "company_id": backend.company_id.id}
        )

    @api.model
    def _check_total(self, sale, order, refunds):
        """Odoo must book exactly what Shopify charged (refunds booked apart as credit notes)."""
        expected = (order["total"] or ZERO) + refunds["amount"]
        odoo_total = cents(Decimal(str(sale.amount_total)))
        difference = odoo_total - expected
        if abs(difference) > TOTAL_TOLERANCE:
            hint = ""
            if sale.company_id.tax_calculation_rounding_method != "round_per_line":
                # Shopify rounds tax per line; rounding globally drifts by a cent
                hint = " Set the company's tax rounding to 'Round per Line', as Shopify does."
            raise TotalMismatch(
                f"Order {order['name']}: Odoo total {odoo_total} differs from Shopify total {expected} "
                f"by {difference} {order['currency']}.{hint}"
            )

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------
    @api.model
    def _order_contacts(self, backend, orders):
        """``[(customer, invoice address, delivery address)]`` of new orders, found as
        one by one (:meth:`res.partner._retail_find_customer`, identical address
        contacts reused) and the missing ones created together: two orders of one new
        customer get one contact."""
        partners = self.env["res.partner"]
        company = backend.company_id
        customer_bindings = self.env["shopify.customer.binding"]
        bound = customer_bindings._bound_contacts(
            backend, {str(order["customer"]["id"]) for order in orders if (order["customer"] or {}).get("id")}
        )
        customers = []  # per order: a partner, or the index of a new customer
        new_customers, by_email, by_phone, by_customer = [], {}, {}, {}
        known_by_email, known_by_phone = partners._retail_find_customers(
            company,
            emails=[((order["customer"] or {}).get("email") or order["email"] or "").strip() for order in orders],
            phones=[((order["customer"] or {}).get("phone") or order["phone"] or "").strip() for order in orders],
        )
        for order in orders:
            customer = order["customer"] or {}
            email = (customer.get("email") or order["email"] or "").strip()
            phone = (customer.get("phone") or order["phone"] or "").strip()
            normalized = tools.email_normalize(email) if email else False
            # the Shopify customer's contact; else by email, then by phone: in the database
            # first (older), then among the customers of earlier orders of the batch, as if
            # those were already created
            customer_id = str(customer["id"]) if customer.get("id") else None
            found = bound.get(customer_id, by_customer.get(customer_id)) if customer_id else None
            if found is None and normalized:
                found = known_by_email.get(normalized) or by_email.get(normalized)
            if found is None and phone:
                found = known_by_phone.get(phone) or by_phone.get(phone)
            if found is None:
                values = self._customer_values(order, customer, email, phone)
                found = len(new_customers)
                new_customers.append(values)
                if normalized:
                    by_email.setdefault(normalized, found)
                if values["phone"]:
                    by_phone.setdefault(values["phone"], found)
            if customer_id:
                by_customer.setdefault(customer_id, found)
            customers.append(found)
        created = partners.create(new_customers) if new_customers else partners
        customers = [created[found] if isinstance(found, int) else found for found in customers]
        to_bind = {}
        for order, partner in zip(orders, customers, strict=True):
            customer_id = (order["customer"] or {}).get("id")
            if customer_id and str(customer_id) not in bound:
                to_bind.setdefault(str(customer_id), partner)
        if to_bind:
            customer_bindings._bind_contacts(backend, to_bind)

        contacts = []  # per order: [invoice, delivery], each a partner or the index of a new contact
        new_contacts, pending = [], {}
        for order, partner in zip(orders, customers, strict=True):
            shipping_address = order["shipping_address"] or order["billing_address"]
            pair = []
            for address, kind in ((order["billing_address"], "invoice"), (shipping_address, "delivery")):
                if not address:
                    pair.append(partner)
                    continue
                values = self._address_contact_values(partner, address)
                found = next(
                    (
                        child
                        for child in partner.child_ids
                        if child.type == kind
                        and all(
                            (child[key].id if key.endswith("_id") else child[key]) == value
                            for key, value in values.items()
                        )
                    ),
                    None,
                )
                if found is None:
                    key = (partner.id, kind, tuple(sorted(values.items())))
                    if key not in pending:
                        pending[key] = len(new_contacts)
                        new_contacts.append(dict(values, type=kind, parent_id=partner.id))
                    found = pending[key]
                pair.append(found)
            contacts.append(pair)
        created = partners.create(new_contacts) if new_contacts else partners
        return [
            (partner, *(created[found] if isinstance(found, int) else found for found in pair))
            for partner, pair in zip(customers, contacts, strict=True)
        ]

    @api.model
    def _customer_values(self, order, customer, email, phone):
        address = order["billing_address"] or order["shipping_address"] or {}
        name = " ".join(part for part in (customer.get("first_name"), customer.get("last_name")) if part)
        values = {"name": name or address.get("name") or email or phone or order["name"], "email": email or False}
        values["phone"] = phone or address.get("phone") or False
        values.update(self._address_values(address))
        return values

    @api.model
    def _address_values(self, address):
        if not address:
            return {}
        country, state = self._country_state(address.get("country_code"), address.get("province_code"))
        return {
            "street": address.get("address1") or False,
            "street2": address.get("address2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @api.model
    def _country_state(self, country_code, province_code):
        """The Odoo country and state of Shopify's codes (empty when unknown)."""
        country_code = (country_code or "").upper()
        province_code = (province_code or "").upper()

        def find():
            country = self.env["res.country"].search([("code", "=", country_code)], limit=1)
            state = self.env["res.country.state"]
            if country and province_code:
                state = state.search([("country_id", "=", country.id), ("code", "=", province_code)], limit=1)
            return country, state

        return memoized(self.env.cr, ("country_state", country_code, province_code), find)

    @api.model
    def _address_contact_values(self, partner, address):
        """Values of the child contact of ``partner`` for a Shopify ``address``."""
        name = address.get("name") or " ".join(
            part for part in (address.get("first_name"), address.get("last_name")) if part
        )
        values = dict(self._address_values(address), name=name or partner.name, phone=address.get("phone") or False)
        if address.get("company"):
            values["name"] = f"{values['name']} ({address['company']})"
        return values

    # ------------------------------------------------------------------
    # Updates
    # ------------------------------------------------------------------
    def _delivered(self, sale):
        return sale.picking_ids.filtered(lambda p: p.state == "done" and p.picking_type_code == "outgoing")

    @api.model
    def _update_order(self, backend, order, sale, refunds):
        """Apply Shopify edits when nothing left the warehouse yet (lines follow Shopify)."""
        if sale.state == "cancel" or order["cancelled_at"] or self._delivered(sale):
            return
        wanted = {vals["shopify_line_id"]: vals for vals in self._line_values(backend, order, refunds)}
        commands = []
        for line in sale.order_line.filtered("shopify_line_id"):
            vals = wanted.pop(line.shopify_line_id, None)
            if vals is None:
                if sale.state in ("draft", "sent") and not line.qty_invoiced:
                    commands.append((2, line.id))
                else:
                    commands.append((1, line.id, {"product_uom_qty": 0}))
                continue
            changes = {}
            for key in ("product_uom_qty", "price_unit", "discount"):
                if abs(line[key] - vals[key]) > 1e-6:
                    changes[key] = vals[key]
            if set(line.tax_ids.ids) != set(vals["tax_ids"][0][2]):
                changes["tax_ids"] = vals["tax_ids"]
            if changes:
                # price and discount are written with the quantity so Odoo does not recompute them
                changes.update(price_unit=vals["price_unit"], discount=vals["discount"])
                commands.append((1, line.id, changes))
        commands += [(0, 0, vals) for vals in wanted.values()]
        if commands:
            sale.write({"order_line": commands})
        self._check_total(sale, order, refunds)

    # ------------------------------------------------------------------
    # After the order is bound: payments, confirmation, invoice, cancellation
    # ------------------------------------------------------------------
    def _after_import(self, backend, order, created):
        """What one imported order needs before its accounting: Shopify's state on the
        binding, a check that its payments can be booked, cancellation, risk hold."""
        self.ensure_one()
        self.write(
            {
                "shopify_name": order["name"],
                "financial_status": order["financial_status"],
                "fulfillment_status": order["fulfillment_status"],
                "risk": order["risk"],
                "shopify_total": float(order["total"] or 0.0),
                "shopify_currency": order["currency"],
                "presentment_currency": order["presentment_currency"],
                "presentment_total": float(order["total_presentment"] or 0.0),
                "taxes_included": order["taxes_included"],
            }
        )
        self.env["shopify.payment.binding"]._check_transactions(backend, self, order["transactions"])
        if order["cancelled_at"]:
            self._apply_cancellation(backend, order)
        elif (
            self.odoo_id.state in ("draft", "sent")
            and self._wants_confirmation(backend, order)
            and self._is_held(backend, order)
        ):
            self._hold_risky(backend, order)

    @api.model
    def _wants_confirmation(self, backend, order):
        return backend.shopify_auto_confirm_paid and order["financial_status"] in CONFIRM_STATUSES

    @api.model
    def _is_held(self, backend, order):
        return order["risk"] in RISKY and backend.shopify_hold_risky_orders

    @api.model
    def _book_orders(self, backend, entries):
        """The accounting of imported orders (``[(binding, canonical order)]``), batched:
        payments booked, paid orders confirmed and invoiced, payments reconciled."""
        payments_model = self.env["shopify.payment.binding"]
        payments_model._book_transactions(backend, [(binding, order["transactions"]) for binding, order in entries])
        live = [(binding, order) for binding, order in entries if not order["cancelled_at"]]
        to_confirm = self.env["sale.order"].union(
            *(
                binding.odoo_id
                for binding, order in live
                if binding.odoo_id.state in ("draft", "sent")
                and self._wants_confirmation(backend, order)
                and not self._is_held(backend, order)
            )
        )
        if to_confirm:
            to_confirm.action_confirm()
            for binding, order in live:
                if order.get("fulfillment_on_hold") and binding.odoo_id in to_confirm:
                    binding._follow_fulfillment_hold(order)
        if backend.shopify_invoice_policy != "none":
            to_invoice = self.env["sale.order"].union(
                *(
                    binding.odoo_id
                    for binding, order in live
                    if order["financial_status"] in INVOICE_STATUSES and binding._needs_invoice()
                )
            )
            if to_invoice:
                invoices = to_invoice._create_invoices(grouped=True)
                if backend.shopify_invoice_policy == "posted":
                    invoices.with_context(shopify_no_push=True).action_post()
        plan = []
        for binding, __ in live:
            plan += binding._reconcile_plan()
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)

    def _needs_invoice(self):
        sale = self.odoo_id
        return (
            sale.state == "sale"
            and not sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state != "cancel")
            and any(line.qty_to_invoice > 0 for line in sale.order_line)
        )

    def _reconcile_plan(self):
        """The order's payments (in and out) with its posted invoices and credit notes."""
        self.ensure_one()
        moves = self.odoo_id.invoice_ids | self.refund_binding_ids.odoo_id
        moves = moves.filtered(lambda m: m.move_type in ("out_invoice", "out_refund") and m.state == "posted")
        return self.env["shopify.payment.binding"]._reconcile_plan(self.payment_binding_ids.odoo_id, moves)

    def _reconcile_all(self):
        """Reconcile the order's payments (in and out) with its posted invoices and credit notes."""
        plan = self._reconcile_plan()
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)

    def _hold_risky(self, backend, order):
        sale = self.odoo_id
        summary = f"Shopify flags {order['name']} as risky ({order['risk']})"
        if not sale.activity_ids.filtered(lambda a: a.summary == summary):
            sale.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note="Check the order in Shopify before confirming it.",
                user_id=(sale.user_id or self.env.user).id,
            )
        self.env["retail.exception"]._report(
            "shopify_risky_order",
            key=f"shopify_risky_order:{order['id']}",
            backend=backend,
            message=f"{summary}: it stays a quotation until someone confirms it.",
            record=sale,
            external_id=order["id"],
        )

    def _apply_cancellation(self, backend, order):
        sale = self.odoo_id
        if not self.cancelled_at:
            self.cancelled_at = order["cancelled_at"]
        if sale.state == "cancel":
            return
        if self._delivered(sale):
            self.env["retail.exception"]._report(
                "shopify_cancel_after_delivery",
                key=f"shopify_cancel_after_delivery:{order['id']}",
                backend=backend,
                message=f"Shopify order {order['name']} was cancelled but {sale.name} is already delivered: "
                "handle the return or refund by hand.",
                record=sale,
                external_id=order["id"],
            )
            return
        sale.with_context(shopify_no_push=True)._action_cancel()

    @api.model
    def _delete_order_webhook(self, backend, event):
        """orders/delete: the order no longer exists in Shopify (a test order, an unpaid
        one, one archived after its cancellation). A quotation is cancelled; an order
        Odoo already confirmed is left to a person, who knows whether it was real."""
        body = event.sudo().payload or {}
        order_id = normalize.legacy_id(body.get("id") if isinstance(body, dict) else None)
        if not order_id:
            raise PermanentError("The order deletion carries no order id.")
        with self.env["retail.sync.log"]._track(backend, "import", "order_delete", external_id=order_id) as run:
            self._lock_external_id(backend, order_id)
            binding = self._lookup(backend, order_id)
            sale = binding.odoo_id
            run.record = sale
            if not sale:
                run.skip("never imported")
            elif sale.state == "cancel":
                run.skip(f"{sale.name} is already cancelled")
            elif sale.state in ("draft", "sent"):
                sale.with_context(shopify_no_push=True)._action_cancel()
                sale.message_post(body=self.env._("Deleted in Shopify: this quotation was cancelled."))
                run.message = f"{sale.name} cancelled"
            else:
                self.env["retail.exception"]._report(
                    "shopify_order_deleted",
                    key=f"shopify_order_deleted:{order_id}",
                    backend=backend,
                    record=sale,
                    external_id=order_id,
                    message=f"Shopify order {binding.shopify_name or order_id} was deleted in Shopify, but "
                    f"{sale.name} is confirmed in Odoo: cancel it (with its invoice and payments) if it was "
                    "not a real sale, or keep it.",
                )
                run.message = f"{sale.name} is confirmed: reported"
        return run.result

    # ------------------------------------------------------------------
    # Odoo -> Shopify
    # ------------------------------------------------------------------
    def _shopify_export_cancel(self):
        """Job: cancel the order in Shopify (once), refunding what was paid and restocking."""
        self.ensure_one()
        backend = self.backend_id
        with self.env["retail.sync.log"]._track(backend, "export", "order_cancel", external_id=self.external_id) as run:
            run.record = self.odoo_id
            client = backend._shopify_client()
            node = client.execute("order", {"id": normalize.to_gid("Order", self.external_id)}).get("order")
            if not node:
                raise PermanentError(f"Shopify order {self.shopify_name or self.external_id} no longer exists.")
            current = normalize.order_from_graphql(node)
            if current["cancelled_at"]:
                self.cancelled_at = current["cancelled_at"]
                run.skip("Already cancelled in Shopify.")
                return run.result
            paid = current["financial_status"] in ("paid", "partially_paid", "partially_refunded")
            client.mutate(
                "order_cancel",
                {
                    "orderId": current["gid"],
                    "reason": "OTHER",
                    "refund": paid,
                    "restock": True,
                    "staffNote": f"Cancelled in Odoo ({self.odoo_id.name})",
                },
                "orderCancel",
            )
            self.cancelled_at = fields.Datetime.now()
            run.message = f"Cancelled (refund: {paid})"
        return run.result
