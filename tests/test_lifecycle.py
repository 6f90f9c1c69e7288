# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The retail lifecycle end to end on a generated sandbox shop of 200 orders: import ->
confirm -> deliver -> fulfilments and stock pushed -> returns through Shopify (one
inspected, disposed, refunded; one exchanged for a cheaper item: replacement shipped,
the difference refunded) -> a Shopify Payments payout with fees and refunds -> bank
deposit -> everything reconciled -> a chargeback on a paid-out order withdrawn by the
next payout -> reconciled again; at the end exactly the planted problems (and the
dispute awaiting evidence) are open in the workbench."""

import uuid
from decimal import Decimal

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.tests.common import perform_jobs, perform_jobs_until_done
from odoo.addons.retail_connector_shopify.tests.common import UNMAPPED_TAX_TITLE, ShopifyCase
from odoo.addons.retail_connector_shopify.tests.test_order_import import OrderImportMixin, money


@tagged("post_install", "-at_install")
class TestRetailLifecycle(OrderImportMixin, ShopifyCase):
    store_orders = 200
    store_products = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.retail_return_post_refunds = True
        cls.company.retail_return_restocking_fee = 0.0
        quants = cls.env["stock.quant"]
        for product in cls.products_by_sku.values():
            quants._update_available_quantity(product, cls.warehouse.lot_stock_id, 200.0)
        account = cls.env["account.account"]
        cls.clearing = account.create(
            {"name": "Payments in transit", "code": "109961", "account_type": "asset_current", "reconcile": True}
        )
        fees = account.create({"name": "Payment fees", "code": "626961", "account_type": "expense"})
        cls.differences = differences = account.create(
            {"name": "Payout differences", "code": "658961", "account_type": "expense"}
        )
        cls.chargebacks = account.create({"name": "Chargebacks", "code": "658962", "account_type": "expense"})
        journal = cls.journal_by_gateway["shopify_payments"]
        for line in journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids:
            line.payment_account_id = cls.clearing
        cls.bank = cls.env["account.journal"].create(
            {"name": "Main Bank", "code": "LBNK", "type": "bank", "company_id": cls.company.id}
        )
        cls.provider = cls.env["retail.settlement.provider"].create(
            {
                "name": "Shopify Payments",
                "code": "shopify_payments",
                "company_id": cls.company.id,
                "backend_id": cls.backend.id,
                "clearing_account_id": cls.clearing.id,
                "fee_account_id": fees.id,
                "adjustment_account_id": differences.id,
                "chargeback_account_id": cls.chargebacks.id,
                "journal_id": cls.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1)
                .id,
                "bank_journal_id": cls.bank.id,
            }
        )

    # ------------------------------------------------------------------
    def bindings(self):
        return self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])

    def receive_return(self, order_id, line_id, reason):
        """A one-unit Shopify return of ``line_id``, delivered as a webhook: the Odoo return."""
        ret = self.sandbox.create_return(order_id, [(line_id, 1)], reason=reason)
        body = self.sandbox.return_body(ret["id"])
        with trap_jobs() as trap:
            for __ in range(2):  # delivered twice, as Shopify may
                self.env["retail.webhook.event"]._receive(
                    self.backend, "returns/request", f"return-{ret['id']}", body, len(str(body)), str(uuid.uuid4())
                )
            perform_jobs(trap)
        rma = self.env["retail.return.binding"]._lookup_record(self.backend, ret["id"])
        self.assertEqual(len(rma), 1)
        return rma

    def inspect_as_new(self, rma):
        """Approved (sent to Shopify), received and inspected as new."""
        with trap_jobs() as trap:
            rma.action_approve()
            trap.perform_enqueued_jobs()
            rma.action_receive()
            wizard = self.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=rma.id).create({})
            wizard.line_ids.grade_id = self.env.ref("retail_returns_sync.return_grade_as_new")
            wizard.action_confirm()
            trap.perform_enqueued_jobs()

    def shopify_payments_charge(self, order_id):
        order = self.sandbox.store.order(order_id)
        return next(
            (
                tx
                for tx in order["transactions"]
                if tx["gateway"] == "shopify_payments"
                and tx["kind"] in ("SALE", "CAPTURE")
                and tx["status"] == "SUCCESS"
            ),
            None,
        )

    def deposit(self, payout):
        """The bank statement line of a payout (negative when Shopify debits the bank)."""
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": fields.Date.context_today(self.env.user),
                "amount": float(self.sandbox.payout_net(payout)),
                "payment_ref": f"SHOPIFY PAYOUT {payout['id']}",
            }
        )

    def open_problems(self):
        exceptions = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("state", "in", ("new", "in_progress"))]
        )
        counts = {}
        for exception in exceptions:
            counts[exception.type_code] = counts.get(exception.type_code, 0) + 1
        return counts

    def test_the_whole_life_of_a_shop(self):
        orders = list(self.orders_by_name.values())
        statuses = self.backend._shopify_import_statuses()
        importable = [o for o in orders if o["financial_status"] in statuses and not self.problem_of(o)]

        # 1. import everything (the catch-up job), one sale order per Shopify order, to the cent
        with trap_jobs() as trap:
            self.backend._catch_up_job()
            perform_jobs_until_done(trap)
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(importable))
        self.assertEqual(len(bindings.odoo_id), len(importable))
        for order in importable:
            binding = bindings.filtered(lambda b, o=order: b.external_id == o["id"])
            credit_notes = binding.refund_binding_ids.odoo_id
            self.assertEqual(
                money(binding.odoo_id.amount_total) - sum((money(m.amount_total) for m in credit_notes), Decimal(0)),
                order["total"],
                order["name"],
            )

        # 2. deliver every confirmed order Shopify has not fulfilled: fulfilments and stock go out
        pickings = bindings.odoo_id.filtered(lambda s: s.state == "sale").picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        self.assertTrue(pickings)
        with trap_jobs() as trap:
            for picking in pickings:
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.button_validate()
            trap.perform_enqueued_jobs()
        for sale in pickings.sale_id:
            binding = sale.shopify_bind_ids
            fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, binding.external_id)
            self.assertEqual(fresh["fulfillment_status"], "fulfilled", sale.name)
        levels = self.env["shopify.stock.level"]
        for location_map in self.location_maps:
            product_bindings = self.env["shopify.product.binding"].search([("backend_id", "=", self.backend.id)])
            quantities = levels._odoo_quantities(self.backend, product_bindings, location_map.location_id)
            for product_binding in product_bindings:
                self.assertEqual(
                    self.sandbox.available(product_binding.inventory_item_id, location_map.shopify_location_id),
                    quantities[product_binding.odoo_id.id],
                    f"{product_binding.sku} at {location_map.name}",
                )

        # 3. a customer returns one unit through Shopify: imported, approved, received, restocked, refunded
        sale = pickings.sale_id[:1]
        order_id = sale.shopify_bind_ids.external_id
        sandbox_line = self.sandbox.store.order(order_id)["line_items"][0]
        rma = self.receive_return(order_id, sandbox_line["id"], "SIZE_TOO_SMALL")
        stock = self.warehouse.lot_stock_id
        product = rma.line_ids.product_id
        on_hand = product.with_context(location=stock.id).qty_available
        self.inspect_as_new(rma)
        with trap_jobs() as trap:
            rma.action_refund()
            trap.perform_enqueued_jobs()
        self.assertEqual(rma.state, "refunded")
        self.assertEqual(product.with_context(location=stock.id).qty_available, on_hand + 1)
        credit_note = rma.account_move_ids
        self.assertEqual(credit_note.state, "posted")
        shopify_refunds = self.sandbox.store.order(order_id)["refunds"]
        self.assertTrue(shopify_refunds, "the refund went back to Shopify")
        self.assertEqual(len(self.sandbox.returns_received("reverseFulfillmentOrderDispose")), 1)

        # 3b. another customer exchanges one unit for a cheaper item: the replacement is shipped
        # from Odoo and the difference (one credit note) is refunded through the Shopify return
        exchange_sale, exchange_line, replacement = next(
            (sale_order, sale_line, cheaper)
            for sale_order in pickings.sale_id - sale
            if self.shopify_payments_charge(sale_order.shopify_bind_ids.external_id)
            for sale_line in sale_order.order_line.filtered("shopify_line_id")
            for cheaper in self.products_by_sku.values()
            if cheaper.lst_price < sale_line.product_id.lst_price
        )
        exchange_order_id = exchange_sale.shopify_bind_ids.external_id
        refunds_before = len(self.sandbox.store.order(exchange_order_id)["refunds"])
        exchange = self.receive_return(exchange_order_id, exchange_line.shopify_line_id, "SIZE_TOO_LARGE")
        returned = exchange.line_ids.product_id
        returned_on_hand = returned.with_context(location=stock.id).qty_available
        self.inspect_as_new(exchange)
        exchange.line_ids.exchange_product_id = replacement
        with trap_jobs() as trap:
            exchange.action_exchange()
            trap.perform_enqueued_jobs()
        self.assertEqual(exchange.state, "exchanged")
        self.assertEqual(returned.with_context(location=stock.id).qty_available, returned_on_hand + 1)
        replacement_order = exchange.replacement_order_id
        self.assertEqual(replacement_order.state, "sale")
        self.assertEqual(replacement_order.order_line.product_id, replacement)
        self.assertEqual(replacement_order.order_line.product_uom_qty, 1)
        returned_value = exchange.line_ids.refund_amount
        self.assertGreater(returned_value, replacement_order.amount_total)
        [difference_note] = exchange.account_move_ids
        self.assertEqual((difference_note.move_type, difference_note.state), ("out_refund", "posted"))
        self.assertAlmostEqual(difference_note.amount_total, returned_value - replacement_order.amount_total)
        self.assertEqual(len(difference_note.invoice_line_ids), 2, "returned item and replacement netted")
        exchange_refunds = self.sandbox.store.order(exchange_order_id)["refunds"][refunds_before:]
        self.assertEqual(len(exchange_refunds), 1, "Shopify refunded the difference once")
        [refund_tx] = [
            tx
            for tx in self.sandbox.store.order(exchange_order_id)["transactions"]
            if tx["id"] in exchange_refunds[0]["transaction_ids"]
        ]
        self.assertEqual(Decimal(refund_tx["amount"]), money(difference_note.amount_total))
        self.assertEqual(refund_tx["gateway"], "shopify_payments")
        delivery = replacement_order.picking_ids
        with trap_jobs() as trap:
            for move in delivery.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            delivery.button_validate()
            trap.perform_enqueued_jobs()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(replacement_order.order_line.qty_delivered, 1, "the replacement was delivered")

        # 4. Shopify pays out (fees, refunds), the money reaches the bank, everything is reconciled
        # (the orders held by a planted problem are paid out once they are fixed: not in this payout)
        payout = self.sandbox.create_payout(order_ids=[order["id"] for order in importable])
        statement_line = self.deposit(payout)
        # the refunds made in step 3 come back as transactions on the next order read
        with trap_jobs() as trap:
            self.backend._catch_up_job()
            perform_jobs_until_done(trap)
        with trap_jobs() as trap:
            self.backend.action_shopify_fetch_payouts()
            trap.perform_enqueued_jobs()
        settlement = self.env["retail.settlement"].search([("provider_id", "=", self.provider.id)])
        self.assertEqual(len(settlement), 1)
        unmatched = settlement.line_ids.filtered(lambda line: line.match_state != "matched")
        self.assertFalse(unmatched, unmatched.mapped(lambda line: (line.type, line.order_reference, line.net)))
        exchange_refund_line = settlement.line_ids.filtered(
            lambda line: line.type == "refund" and line.provider_transaction_id == refund_tx["id"]
        )
        self.assertAlmostEqual(exchange_refund_line.gross, -difference_note.amount_total)
        self.assertEqual(money(exchange_refund_line.payment_id.amount), money(difference_note.amount_total))
        settlement.action_post()
        self.assertEqual(settlement.state, "reconciled")
        self.assertTrue(statement_line.is_reconciled)

        # 5. a customer's bank disputes a paid-out charge: the next payout withdraws it and the
        # chargeback fee (Shopify debits the bank); booked against the order's payment, reconciled
        disputed = next(
            order
            for order in importable
            if order["risk"] not in ("investigate", "cancel")
            and order["id"] not in (order_id, exchange_order_id)
            and self.shopify_payments_charge(order["id"])
            and not self.sandbox.store.order(order["id"])["refunds"]
        )
        disputed_payment = bindings.filtered(lambda b: b.external_id == disputed["id"]).payment_binding_ids.odoo_id
        self.assertEqual(len(disputed_payment), 1)
        dispute = self.sandbox.open_dispute(disputed["id"], evidence_due_by="2026-12-24")
        disputed_amount = Decimal(dispute["amount"])
        payout2 = self.sandbox.create_payout(order_ids=[disputed["id"]])
        self.assertEqual(self.sandbox.payout_net(payout2), -(disputed_amount + Decimal("15.00")))
        withdrawal = self.deposit(payout2)
        with trap_jobs() as trap:
            self.backend.action_shopify_fetch_payouts()
            trap.perform_enqueued_jobs()
        chargeback_settlement = self.env["retail.settlement"].search(
            [("provider_id", "=", self.provider.id), ("external_id", "=", payout2["id"])]
        )
        chargeback = chargeback_settlement.line_ids.filtered(lambda line: line.type == "chargeback")
        self.assertEqual(len(chargeback), 1)
        self.assertEqual(money(chargeback.gross), -disputed_amount)
        self.assertEqual(money(chargeback.fee), Decimal("-15.00"))
        self.assertEqual(money(chargeback.net), -(disputed_amount + Decimal("15.00")))
        self.assertEqual(chargeback.order_reference, disputed["name"])
        self.assertEqual((chargeback.match_state, chargeback.match_rule), ("matched", "transaction_id"))
        self.assertEqual(chargeback.payment_id, disputed_payment)
        self.assertEqual(chargeback.dispute_due_date, fields.Date.to_date("2026-12-24"))
        chargeback_settlement.action_post()
        self.assertEqual(chargeback_settlement.state, "reconciled")
        self.assertTrue(withdrawal.is_reconciled)
        entry = chargeback_settlement.move_id.line_ids
        self.assertEqual(
            money(sum(entry.filtered(lambda aml: aml.account_id == self.chargebacks).mapped("debit"))), disputed_amount
        )
        self.assertFalse(entry.filtered(lambda aml: aml.account_id == self.differences), "no plug line")

        # everything Shopify Payments moved went through clearing and left it
        settlements = settlement | chargeback_settlement
        payments = settlements.line_ids.payment_id
        clearing_lines = (settlements.move_id | payments.move_id).line_ids.filtered(
            lambda aml: aml.account_id == self.clearing
        )
        self.assertTrue(all(clearing_lines.mapped("reconciled")))
        self.assertEqual(self.company.currency_id.round(sum(clearing_lines.mapped("balance"))), 0.0)

        # 6. the workbench holds exactly the planted problems; the dispute is planted too (step 5):
        # the accountant must send the evidence by its due date
        risky = [o for o in importable if o["risk"] in ("investigate", "cancel") and not o["cancelled_at"]]
        expected = {"mapping_missing": 1, "shopify_unknown_sku": 1, "settlement_dispute_open": 1}
        if risky:
            expected["shopify_risky_order"] = len(risky)
        exceptions = self.env["retail.exception"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(self.open_problems(), expected, exceptions.mapped("message"))
        self.assertTrue(
            any(UNMAPPED_TAX_TITLE in message for message in self.env["retail.exception"].search([]).mapped("message"))
        )
        [dispute_problem] = exceptions.filtered(lambda e: e.type_code == "settlement_dispute_open")
        self.assertIn(disputed["name"], dispute_problem.message)
        self.assertIn("2026-12-24", dispute_problem.message)
