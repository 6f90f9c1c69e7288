# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify returns end to end: the sandbox shop over loopback HTTP, real Odoo, jobs trapped."""

import base64
import json
import random
import uuid
from decimal import Decimal

from odoo.exceptions import UserError

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.tests.common import perform_jobs
from odoo.addons.retail_connector_shopify.lib import normalize
from odoo.addons.retail_connector_shopify.sandbox import rest
from odoo.addons.retail_connector_shopify.tests.common import ShopifyCase


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


class TestShopifyReturns(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.tax_calculation_rounding_method = "round_per_line"
        cls.company.retail_return_post_refunds = True
        cls.company.retail_return_restocking_fee = 0.0
        cls.skus = sorted(cls.products_by_sku)[:2]
        quants = cls.env["stock.quant"]
        for sku in cls.skus:
            quants._update_available_quantity(cls.products_by_sku[sku], cls.warehouse.lot_stock_id, 50.0)
        cls.grades = {
            "restock": cls.env.ref("retail_returns_sync.return_grade_as_new"),
            "scrap": cls.env.ref("retail_returns_sync.return_grade_destroyed"),
            "quarantine": cls.env.ref("retail_returns_sync.return_grade_to_check"),
        }

    def setUp(self):
        super().setUp()
        # the sandbox lives for the class: each test asserts only what it sent
        with self.sandbox.lock:
            self.sandbox.state["returns_received"] = []
            self.sandbox.calls.clear()

    # ------------------------------------------------------------------ helpers
    def _fulfilled_order(self, quantities=(2, 1)):
        """A paid order placed and fulfilled in Shopify, imported and delivered in Odoo."""
        order = self.sandbox.create_order(lines=list(zip(self.skus, quantities, strict=False)))
        orders = self.env["shopify.order.binding"]
        orders._import_order(self.backend, orders._fetch_order(self.backend, order["id"]))
        binding = orders._lookup(self.backend, order["id"])
        self.assertEqual(binding.odoo_id.state, "sale")
        record = self.sandbox.create_fulfillment(order["id"])
        with self.sandbox.lock:
            fulfillment = rest.rest_fulfillment(self.sandbox.store.order(order["id"]), record)
        self.env["shopify.fulfillment.binding"]._import_fulfillment(
            self.backend, normalize.fulfillment_from_rest(fulfillment)
        )
        sale = binding.odoo_id
        self.assertTrue(all(line.qty_delivered == line.product_uom_qty for line in sale.order_line if line.is_storable))
        lines = {line["sku"]: line["id"] for line in self.sandbox.store.order(order["id"])["line_items"]}
        return order, sale, lines

    def _deliver_event(self, topic, body):
        """Store a webhook delivery in the inbox and process it (the inbox job)."""
        event, created = self.env["retail.webhook.event"]._receive(
            self.backend, topic, str(uuid.uuid4()), body, len(str(body)), event_id=str(uuid.uuid4())
        )
        self.assertTrue(created)
        return event

    def _process(self, events):
        with trap_jobs() as trap:
            trap.perform_enqueued_jobs()
        for event in events:
            self.assertEqual(event.state, "done", event.error_message)

    def _imported(self, ret):
        return self.env["retail.return.binding"]._lookup_record(self.backend, ret["id"])

    def _requested_return(self, order, lines, reason="DEFECTIVE", exchange=()):
        ret = self.sandbox.create_return(order["id"], lines, reason=reason, exchange=exchange)
        event = self._deliver_request(ret)
        self.assertEqual(event.state, "done", event.error_message)
        return ret, self._imported(ret)

    def _deliver_request(self, ret):
        with trap_jobs() as trap:
            event = self._deliver_event("returns/request", self.sandbox.return_body(ret["id"]))
            perform_jobs(trap)
            # an imported request pushes nothing back
            trap.assert_jobs_count(0, only=self.env["retail.return.binding"]._shopify_export_decision)
        return event

    def _sandbox_return(self, ret):
        with self.sandbox.lock:
            return self.sandbox.store.find_return(ret["id"])[1]

    def _inspect(self, rma, grades):
        wizard = self.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=rma.id).create({})
        for wizard_line in wizard.line_ids:
            wizard_line.grade_id = grades[wizard_line.product_id]
        wizard.action_confirm()

    def _export_jobs(self, trap, method):
        return [job for job in trap.enqueued_jobs if job.method_name == method]

    # ------------------------------------------------------------------ tests
    def test_round_trip_request_approve_receive_dispose_refund(self):
        order, sale, line_ids = self._fulfilled_order((2, 1))
        widget, gadget = (self.products_by_sku[sku] for sku in self.skus)
        ret, rma = self._requested_return(order, [(line_ids[self.skus[0]], 2), (line_ids[self.skus[1]], 1)])
        self.assertEqual(rma.state, "requested")
        self.assertEqual(rma.sale_order_id, sale)
        self.assertEqual(rma.backend_id, self.backend)
        self.assertEqual(
            {line.sale_line_id.shopify_line_id: line.quantity for line in rma.line_ids},
            {line_ids[self.skus[0]]: 2, line_ids[self.skus[1]]: 1},
        )
        self.assertEqual(rma.line_ids.reason_id, self.env.ref("retail_returns_sync.return_reason_defective"))

        # approve in Odoo -> returnApproveRequest (one job, run twice: one call)
        with trap_jobs() as trap:
            rma.action_approve()
            jobs = self._export_jobs(trap, "_shopify_export_decision")
            self.assertEqual(len(jobs), 1)
            self.assertEqual(jobs[0].channel, "root.retail.export")
            trap.perform_enqueued_jobs()
        rma.binding_ids._shopify_export_decision("approve")
        self.assertEqual(len(self.sandbox.returns_received("returnApproveRequest")), 1)
        self.assertEqual(self._sandbox_return(ret)["status"], "OPEN")
        self.assertEqual(rma.binding_ids.shopify_status, "open")
        self.assertEqual(rma.state, "awaiting_receipt")

        # receive, inspect (widgets restocked, gadget scrapped) -> dispositions
        rma.action_receive()
        with trap_jobs() as trap:
            self._inspect(rma, {widget: self.grades["restock"], gadget: self.grades["scrap"]})
            self.assertEqual(len(self._export_jobs(trap, "_shopify_export_dispositions")), 1)
            trap.perform_enqueued_jobs()
        rma.binding_ids._shopify_export_dispositions()  # a second run sends nothing
        received = self.sandbox.returns_received("reverseFulfillmentOrderDispose")
        self.assertEqual(len(received), 1)
        stock_map = self.location_maps.filtered(lambda m: m.location_id == self.warehouse.lot_stock_id)
        reverse = {line["return_line_id"]: line for line in self._sandbox_return(ret)["reverse_orders"][0]["lines"]}
        by_sku = {self.skus[0]: None, self.skus[1]: None}
        for line in self._sandbox_return(ret)["lines"]:
            sku = next(s for s, lid in line_ids.items() if lid == line["line_item_id"])
            by_sku[sku] = normalize.to_gid("ReverseFulfillmentOrderLineItem", reverse[line["id"]]["id"])
        self.assertEqual(
            sorted(received[0]["input"], key=lambda item: item["dispositionType"]),
            [
                {
                    "reverseFulfillmentOrderLineItemId": by_sku[self.skus[1]],
                    "quantity": 1,
                    "dispositionType": "NOT_RESTOCKED",
                },
                {
                    "reverseFulfillmentOrderLineItemId": by_sku[self.skus[0]],
                    "quantity": 2,
                    "dispositionType": "RESTOCKED",
                    "locationId": normalize.to_gid("Location", stock_map.shopify_location_id),
                },
            ],
        )

        # refund in Odoo -> returnProcess, once, for the credit note's amount
        refunds_before = len(self.sandbox.store.order(order["id"])["refunds"])
        with trap_jobs() as trap:
            rma.action_refund()
            self.assertEqual(len(self._export_jobs(trap, "_shopify_export_refund")), 1)
            # the generic credit note export does not refund it a second time
            trap.assert_jobs_count(0, only=self.env["shopify.refund.binding"]._shopify_export_refund)
            trap.perform_enqueued_jobs()
        credit_note = rma.account_move_ids
        self.assertEqual(credit_note.state, "posted")
        rma.binding_ids._shopify_export_refund(credit_note)
        self.assertEqual(len(self.sandbox.returns_received("returnProcess")), 1)
        self.assertFalse(self.calls_of("RefundCreate"))
        refunds = self.sandbox.store.order(order["id"])["refunds"]
        self.assertEqual(len(refunds), refunds_before + 1)
        refund_binding = credit_note.shopify_refund_bind_ids
        self.assertEqual(len(refund_binding), 1)
        refund = self.env["shopify.refund.binding"]._fetch_refund(self.backend, refund_binding.external_id)
        self.assertEqual(refund["total"], money(credit_note.amount_total))
        self.assertEqual(self._sandbox_return(ret)["refund_ids"], [refund_binding.external_id])

        # the refunds/create echo books nothing more
        with self.sandbox.lock:
            body = normalize.refund_from_rest(rest.rest_refund(self.sandbox.store.order(order["id"]), refunds[-1]))
        self.assertEqual(body["return_id"], ret["id"])
        self.env["shopify.refund.binding"]._import_refund(self.backend, body)
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)
        self.assertEqual(rma.state, "refunded")

    def test_webhooks_three_times_shuffled_make_one_return(self):
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        ret = self.sandbox.create_return(order["id"], [(line_ids[self.skus[0]], 1)], reason="SIZE_TOO_SMALL")
        request = self.sandbox.return_body(ret["id"])
        self.sandbox.approve_return(ret["id"])
        approve = self.sandbox.return_body(ret["id"], full=False)
        deliveries = [("returns/request", request)] * 3 + [("returns/approve", approve)] * 3
        random.Random(4).shuffle(deliveries)
        with trap_jobs() as trap:
            events = [self._deliver_event(topic, body) for topic, body in deliveries]
            perform_jobs(trap)
            trap.assert_jobs_count(0, only=self.env["retail.return.binding"]._shopify_export_decision)
        for event in events:
            self.assertEqual(event.state, "done", event.error_message)
        bindings = self.env["retail.return.binding"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(bindings), 1)
        rma = bindings.odoo_id
        self.assertEqual(self.env["retail.return"].search_count([("sale_order_id", "=", rma.sale_order_id.id)]), 1)
        self.assertEqual(rma.state, "awaiting_receipt")
        self.assertEqual(len(rma.picking_ids), 1)
        self.assertEqual(rma.line_ids.quantity, 1)
        self.assertEqual(rma.line_ids.reason_id.code, "size_fit")
        self.assertFalse(self.sandbox.returns_received("returnApproveRequest"))

    def test_decline_pushed_to_shopify(self):
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        ret, rma = self._requested_return(order, [(line_ids[self.skus[1]], 1)])
        with trap_jobs() as trap:
            rma.action_decline()
            self.assertEqual(len(self._export_jobs(trap, "_shopify_export_decision")), 1)
            trap.perform_enqueued_jobs()
        self.assertEqual(self._sandbox_return(ret)["status"], "DECLINED")
        received = self.sandbox.returns_received("returnDeclineRequest")
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["input"]["id"], normalize.to_gid("Return", ret["id"]))
        self.assertEqual(received[0]["user_errors"], [])
        # the returns/decline echo changes nothing
        self._deliver_event("returns/decline", self.sandbox.return_body(ret["id"], full=False))
        self._process([])
        self.assertEqual(rma.state, "declined")
        # Shopify refuses approving a declined return: reported, not retried forever
        result = rma.binding_ids._shopify_export_decision("approve")
        self.assertEqual(result, "failed")

    def test_refund_made_in_shopify_links_to_the_return(self):
        order, _sale, line_ids = self._fulfilled_order((2, 1))
        ret = self.sandbox.create_return(order["id"], [(line_ids[self.skus[0]], 1)], status="OPEN", emit=False)
        self.env["retail.return.binding"]._shopify_import_return(
            self.backend, self.env["retail.return.binding"]._shopify_fetch_return(self.backend, ret["id"])
        )
        rma = self._imported(ret)
        self.assertEqual(rma.state, "awaiting_receipt")
        refund = self.sandbox.refund_return(ret["id"])
        with self.sandbox.lock:
            body = rest.rest_refund(self.sandbox.store.order(order["id"]), refund)
        with trap_jobs() as trap:
            event = self._deliver_event("refunds/create", body)
            perform_jobs(trap)
            trap.assert_jobs_count(0, only=rma.binding_ids._shopify_export_refund)
        self.assertEqual(event.state, "done", event.error_message)
        credit_note = rma.account_move_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.shopify_refund_bind_ids.external_id, refund["id"])
        self.assertEqual(rma.state, "refunded")
        # never refunded twice: not from Odoo, not from Shopify's echo
        with self.assertRaises(UserError):
            rma.action_refund()
        self.env["shopify.refund.binding"]._import_refund(self.backend, normalize.refund_from_rest(body))
        self.assertEqual(len(rma.account_move_ids), 1)
        self.assertFalse(self.sandbox.returns_received("returnProcess"))

    def test_refund_create_before_2025_07(self):
        self.backend.shopify_api_version = "2025-04"
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        ret = self.sandbox.create_return(order["id"], [(line_ids[self.skus[0]], 1)], status="OPEN", emit=False)
        binding = self.env["retail.return.binding"]._shopify_import_return(
            self.backend, self.env["retail.return.binding"]._shopify_fetch_return(self.backend, ret["id"])
        )
        rma = binding.odoo_id
        rma.action_receive()
        self._inspect(rma, {self.products_by_sku[self.skus[0]]: self.grades["quarantine"]})
        binding._shopify_export_dispositions()
        self.assertEqual(
            [
                item["dispositionType"]
                for item in self.sandbox.returns_received("reverseFulfillmentOrderDispose")[0]["input"]
            ],
            ["PROCESSING_REQUIRED"],
        )
        with trap_jobs() as trap:
            rma.action_refund()
            trap.perform_enqueued_jobs()
        credit_note = rma.account_move_ids
        self.assertEqual(len(self.calls_of("RefundCreate")), 1)
        self.assertFalse(self.sandbox.returns_received("returnProcess"))
        refund_binding = credit_note.shopify_refund_bind_ids
        self.assertEqual(len(refund_binding), 1)
        refund = self.env["shopify.refund.binding"]._fetch_refund(self.backend, refund_binding.external_id)
        self.assertEqual(refund["total"], money(credit_note.amount_total))

    def test_catch_up_imports_returns_of_updated_orders(self):
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        ret = self.sandbox.create_return(order["id"], [(line_ids[self.skus[1]], 1)], emit=False)
        self.assertIn("returns", self.backend._channel_catch_up_entities())
        self.assertIn("returns/request", self.backend._shopify_webhook_topics())
        self.backend._channel_catch_up("returns", None)
        rma = self._imported(ret)
        self.assertEqual(rma.state, "requested", self.env["retail.exception"].search([]).mapped("message"))
        self.backend._channel_catch_up("returns", None)
        self.assertEqual(len(self.env["retail.return.binding"].search([("backend_id", "=", self.backend.id)])), 1)

    def test_return_normalisers_agree(self):
        order, _sale, line_ids = self._fulfilled_order((2, 1))
        ret = self.sandbox.create_return(
            order["id"],
            [(line_ids[self.skus[0]], 2)],
            reason="OTHER",
            note="Too big",
            emit=False,
            exchange=[(self.skus[1], 2)],
        )
        from_rest = normalize.return_from_rest(self.sandbox.return_body(ret["id"]))
        from_graphql = self.env["retail.return.binding"]._shopify_fetch_return(self.backend, ret["id"])
        for key in ("id", "order_id", "status", "lines", "name", "exchange_lines"):
            self.assertEqual(from_rest[key], from_graphql[key], key)
        [exchange] = from_graphql["exchange_lines"]
        self.assertEqual((exchange["sku"], exchange["quantity"]), (self.skus[1], 2))
        self.assertNotIn(exchange["line_id"], line_ids.values(), "the replacement is a line item of its own")
        self.assertEqual(from_rest["lines"][0]["customer_note"], "Too big")
        self.assertEqual(from_rest["lines"][0]["reason"], "other")
        short = normalize.return_from_rest(self.sandbox.return_body(ret["id"], full=False))
        self.assertEqual((short["id"], short["order_id"], short["lines_complete"]), (ret["id"], order["id"], False))

    # ------------------------------------------------------------------ exchanges
    def test_exchange_asked_in_shopify_ships_the_replacements(self):
        """The customer returns 2 of the first item and 1 of the second and asks for them
        swapped: the return carries the replacements, the Odoo exchange ships them and
        invoices the difference."""
        order, sale, line_ids = self._fulfilled_order((2, 1))
        first, second = (self.products_by_sku[sku] for sku in self.skus)
        ret, rma = self._requested_return(
            order,
            [(line_ids[self.skus[0]], 2), (line_ids[self.skus[1]], 1)],
            reason="SIZE_TOO_SMALL",
            exchange=[(self.skus[0], 1), (self.skus[1], 2)],
        )
        by_product = {line.product_id: line for line in rma.line_ids}
        # paired by quantity, not by position: the 2 returned firsts for 2 seconds, and back
        self.assertEqual(by_product[first].exchange_product_id, second)
        self.assertEqual(by_product[second].exchange_product_id, first)
        exchange_ids = [item["id"] for item in self._sandbox_return(ret)["exchange_lines"]]
        self.assertEqual(by_product[second].shopify_exchange_line_id, exchange_ids[0])
        self.assertEqual(by_product[first].shopify_exchange_line_id, exchange_ids[1])
        self.assertIn("asked for an exchange", rma.note)

        rma.with_context(shopify_no_push=True).action_approve()
        rma.action_receive()
        self._inspect(rma, {first: self.grades["restock"], second: self.grades["restock"]})
        rma.action_exchange()
        self.assertEqual(rma.state, "exchanged")
        replacement = rma.replacement_order_id
        self.assertEqual(
            {line.product_id: line.product_uom_qty for line in replacement.order_line}, {second: 2.0, first: 1.0}
        )
        self.assertEqual(replacement.state, "sale")
        document = rma.account_move_ids
        self.assertEqual(len(document), 1, "the difference is settled by one document")
        returned = sum(rma.line_ids.mapped("refund_amount"))
        sign = 1 if document.move_type == "out_invoice" else -1
        self.assertAlmostEqual(sign * document.amount_total, replacement.amount_total - returned, places=2)
        self.assertEqual(sale.retail_return_ids, rma)

    def test_more_replacements_than_returned_items_are_noted(self):
        order, _sale, line_ids = self._fulfilled_order((2, 1))
        first, second = (self.products_by_sku[sku] for sku in self.skus)
        __, rma = self._requested_return(
            order, [(line_ids[self.skus[0]], 1)], exchange=[(self.skus[1], 1), (self.skus[1], 3)]
        )
        self.assertEqual(rma.line_ids.product_id, first)
        self.assertEqual(rma.line_ids.exchange_product_id, second)
        self.assertIn(f"beyond the returned items: {second.display_name} x3", rma.note)

    def test_exchange_of_an_unknown_sku_imports_no_return(self):
        order, _sale, line_ids = self._fulfilled_order((2, 1))
        second = self.products_by_sku[self.skus[1]]
        ret = self.sandbox.create_return(
            order["id"], [(line_ids[self.skus[0]], 1)], emit=False, exchange=[(self.skus[1], 1)]
        )
        # the replacement's product is not (or no longer) bound in Odoo
        self.env["shopify.product.binding"].search([("odoo_id", "=", second.id)]).unlink()
        second.default_code = "NOT-IN-SHOPIFY"
        event = self._deliver_request(ret)
        self.assertFalse(self._imported(ret), "no half-made return")
        self.assertEqual(event.state, "done", "the delivery is handled: the failure is the import's")
        exception = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", ret["id"])]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.type_id.code, "shopify_unknown_sku")
        self.assertIn(self.skus[1], exception.message)

    def test_exchange_for_a_cheaper_item_refunds_the_difference_in_shopify(self):
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        # the replacement is sold at Odoo's price
        self.products_by_sku[cheap].lst_price = 1.0
        ret, rma = self._requested_return(order, [(line_ids[dear], 1)], exchange=[(cheap, 1)])
        self._open_and_inspect(rma)
        with trap_jobs() as trap:
            rma.action_exchange()
            self.assertEqual(len(self._export_jobs(trap, "_shopify_export_refund")), 1)
            trap.perform_enqueued_jobs()
        self.assertEqual(rma.replacement_order_id.order_line.product_id, self.products_by_sku[cheap])
        credit_note = rma.account_move_ids
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        # Shopify refunds the difference (not the returned item's price), once
        [sent] = self.sandbox.returns_received("returnProcess")
        [transaction] = sent["input"]["financialTransfer"]["issueRefund"]["orderTransactions"]
        self.assertEqual(Decimal(transaction["transactionAmount"]["amount"]), money(credit_note.amount_total))
        self.assertLess(money(credit_note.amount_total), money(rma.line_ids.refund_amount))
        self.assertEqual(
            sent["input"]["returnLineItems"],
            [{"id": normalize.to_gid("ReturnLineItem", rma.line_ids.shopify_return_line_id), "quantity": 1}],
        )
        self.assertEqual(len(credit_note.shopify_refund_bind_ids), 1, "the refunds/create echo is recognised")
        # the exchange item is processed with it: Shopify opens its fulfilment order
        [exchange] = self._sandbox_return(ret)["exchange_lines"]
        self.assertEqual(
            sent["input"]["exchangeLineItems"],
            [{"id": normalize.to_gid("ExchangeLineItem", exchange["id"]), "quantity": 1}],
        )
        self.assertTrue(rma.binding_ids.shopify_exchange_processed)

    def _dear_and_cheap(self, sale, line_ids):
        price = {
            sku: sale.order_line.filtered(lambda sol, sku=sku: sol.shopify_line_id == line_ids[sku]).price_unit
            for sku in self.skus
        }
        self.assertNotEqual(price[self.skus[0]], price[self.skus[1]])
        return sorted(self.skus, key=price.get, reverse=True)

    def _open_and_inspect(self, rma):
        with trap_jobs() as trap:
            rma.action_approve()
            trap.perform_enqueued_jobs()
        rma.action_receive()
        self._inspect(rma, {line.product_id: self.grades["restock"] for line in rma.line_ids})

    def test_exchange_for_a_dearer_item_is_processed_and_fulfilled_in_shopify(self):
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        # the replacement is sold at Odoo's price
        self.products_by_sku[dear].lst_price = 500.0
        ret, rma = self._requested_return(order, [(line_ids[cheap], 1)], exchange=[(dear, 1)])
        [exchange] = self._sandbox_return(ret)["exchange_lines"]
        self._open_and_inspect(rma)
        refunds_before = len(self.sandbox.store.order(order["id"])["refunds"])
        binding = rma.binding_ids

        with trap_jobs() as trap:
            rma.action_exchange()
            self.assertEqual(len(self._export_jobs(trap, "_shopify_export_exchange")), 1)
            self.assertFalse(self._export_jobs(trap, "_shopify_export_refund"))
            trap.perform_enqueued_jobs()
        invoice = rma.account_move_ids
        replacement = rma.replacement_order_id
        self.assertEqual(invoice.move_type, "out_invoice", "the customer owes the difference")
        self.assertGreater(invoice.amount_total, 0)
        self.assertAlmostEqual(
            invoice.amount_total, replacement.amount_total - sum(rma.line_ids.mapped("refund_amount")), places=2
        )
        # Shopify: the returned item and the exchange item processed, nothing refunded
        [sent] = self.sandbox.returns_received("returnProcess")
        self.assertEqual(
            sent["input"]["returnLineItems"],
            [{"id": normalize.to_gid("ReturnLineItem", rma.line_ids.shopify_return_line_id), "quantity": 1}],
        )
        self.assertEqual(
            sent["input"]["exchangeLineItems"],
            [{"id": normalize.to_gid("ExchangeLineItem", exchange["id"]), "quantity": 1}],
        )
        self.assertNotIn("financialTransfer", sent["input"])
        self.assertEqual(len(self.sandbox.store.order(order["id"])["refunds"]), refunds_before)
        self.assertTrue(binding.shopify_exchange_processed)
        form = self.env["retail.return"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="shopify_exchange_processed"', form, "shown on the return's Channel tab")
        binding._shopify_export_exchange()  # a second run sends nothing
        self.assertEqual(len(self.sandbox.returns_received("returnProcess")), 1)

        # the replacement delivery fulfils Shopify's exchange item, with its tracking number
        self.assertEqual(replacement.order_line.shopify_line_id, exchange["line"]["id"])
        delivery = replacement.picking_ids
        self.assertEqual(delivery._shopify_order_binding(), sale.shopify_bind_ids)
        delivery.move_ids.write({"quantity": 1, "picked": True})
        delivery.carrier_tracking_ref = "EXCH-1"
        with trap_jobs() as trap:
            delivery.button_validate()
            trap.perform_enqueued_jobs()
        self.assertEqual(delivery.state, "done")
        fulfillment = delivery.shopify_fulfillment_ids
        self.assertEqual(len(fulfillment), 1)
        shopify_order = self.sandbox.store.order(order["id"])
        exchange_orders = [
            fo
            for fo in shopify_order["fulfillment_orders"]
            if any(line["line_item_id"] == exchange["line"]["id"] for line in fo["line_items"])
        ]
        self.assertEqual(len(exchange_orders), 1)
        self.assertEqual(sum(line["remaining"] for line in exchange_orders[0]["line_items"]), 0)
        record = next(f for f in shopify_order["fulfillments"] if f["id"] == fulfillment.external_id)
        self.assertEqual(record["tracking_number"], "EXCH-1")
        self.assertEqual(record["lines"], [{"line_item_id": exchange["line"]["id"], "quantity": 1}])

    def test_customer_data_and_erasure_after_an_exchange(self):
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        __, rma = self._requested_return(order, [(line_ids[cheap], 1)], exchange=[(dear, 1)])
        self._open_and_inspect(rma)
        with trap_jobs() as trap:
            rma.action_exchange()
            trap.perform_enqueued_jobs()
        partner = sale.partner_id
        self.assertEqual(rma.replacement_order_id.partner_id, partner)
        self.assertTrue(rma.account_move_ids)
        request = self.sandbox.privacy_request("customers/data_request", order["customer"]["id"], emit=False)
        self.assertEqual(self.deliver_webhook("customers/data_request", request).state, "done")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "retail.exception"), ("name", "like", "shopify-customer-")], order="id desc", limit=1
        )
        [exported] = [
            o for o in json.loads(base64.b64decode(attachment.datas))["orders"] if o["odoo_reference"] == sale.name
        ]
        self.assertEqual(
            [(r["reference"], r["exchange_order"]) for r in exported["returns"]],
            [(rma.name, rma.replacement_order_id.name)],
        )
        self.assertEqual(exported["returns"][0]["lines"][0]["quantity"], 1)
        body = self.sandbox.privacy_request("customers/redact", order["customer"]["id"], emit=False)
        event = self.deliver_webhook("customers/redact", body)
        self.assertEqual(event.state, "done", event.error_message)
        # the exchange order and its invoice are the shop's: nothing stops the erasure
        self.assertTrue(partner.name.startswith("Anonymised customer"))
        self.assertFalse(partner.email)
        self.assertFalse(
            self.env["retail.exception"].search_count(
                [("backend_id", "=", self.backend.id), ("type_code", "=", "shopify_customer_redact")]
            )
        )

    def test_another_replacement_chosen_in_odoo_is_not_shopify_s_exchange(self):
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        first, second = (self.products_by_sku[sku] for sku in self.skus)
        __, rma = self._requested_return(order, [(line_ids[self.skus[0]], 1)], exchange=[(self.skus[1], 1)])
        self.assertEqual(rma.line_ids.exchange_product_id, second)
        self.assertTrue(rma.line_ids.shopify_exchange_line_item_id)
        rma.line_ids.exchange_product_id = second  # unchanged: still Shopify's
        self.assertTrue(rma.line_ids.shopify_exchange_line_id)
        rma.line_ids.exchange_product_id = first
        self.assertFalse(rma.line_ids.shopify_exchange_line_id)
        self.assertFalse(rma.line_ids.shopify_exchange_line_item_id, "its delivery fulfils nothing in Shopify")

    def test_difference_collected_in_shopify_pays_the_exchange_invoice(self):
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        self.products_by_sku[dear].lst_price = 500.0
        __, rma = self._requested_return(order, [(line_ids[cheap], 1)], exchange=[(dear, 1)])
        self._open_and_inspect(rma)
        with trap_jobs() as trap:
            rma.action_exchange()
            trap.perform_enqueued_jobs()
        invoice = rma.account_move_ids
        self.assertEqual(
            (invoice.move_type, invoice.state, invoice.payment_state), ("out_invoice", "posted", "not_paid")
        )
        payments_before = sale.shopify_bind_ids.payment_binding_ids

        # the merchant collects the difference in Shopify; orders/updated brings it in
        transaction = self.sandbox.collect_payment(order["id"], invoice.amount_total)
        orders = self.env["shopify.order.binding"]
        orders._import_order(self.backend, orders._fetch_order(self.backend, order["id"]))
        new = sale.shopify_bind_ids.payment_binding_ids - payments_before
        self.assertEqual(new.mapped("external_id"), [transaction["id"]])
        self.assertAlmostEqual(new.odoo_id.amount, invoice.amount_total, places=2)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(sale.invoice_ids.filtered(lambda m: m != invoice).payment_state, ("paid", "in_payment"))

    def _exchange_owing(self, shopify_price_after_import=None):
        """A returned cheap item exchanged for the dear one, the customer owing the difference.
        With ``shopify_price_after_import`` the exchange item's price changes in Shopify once
        the return is in Odoo (the books then disagree)."""
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        self.products_by_sku[dear].lst_price = 999.0  # Shopify's price is the one charged
        ret, rma = self._requested_return(order, [(line_ids[cheap], 1)], exchange=[(dear, 1)])
        if shopify_price_after_import:
            with self.sandbox.lock:
                self._sandbox_return(ret)["exchange_lines"][0]["line"]["price"] = shopify_price_after_import
        self._open_and_inspect(rma)
        with trap_jobs() as trap:
            rma.action_exchange()
            perform_jobs(trap, rounds=3)
        return order, sale, rma

    def test_replacement_is_priced_and_taxed_as_shopify_s_exchange_item(self):
        order, sale, line_ids = self._fulfilled_order((1, 1))
        dear, cheap = self._dear_and_cheap(sale, line_ids)
        self.products_by_sku[dear].lst_price = 999.0
        ret, rma = self._requested_return(order, [(line_ids[cheap], 1)], exchange=[(dear, 1)])
        item = self._sandbox_return(ret)["exchange_lines"][0]["line"]
        self.assertTrue(item["tax_lines"], "the sandbox taxes exchange items like the order's lines")
        line = rma.line_ids
        self.assertTrue(line.shopify_exchange_priced)
        self.assertEqual(line.shopify_exchange_price_unit, float(item["price"]))
        origin_line = sale.order_line.filtered(lambda sol: sol.shopify_line_id == line_ids[dear])
        self.assertEqual(line.shopify_exchange_tax_ids, origin_line.tax_ids, "Shopify's taxes, mapped")
        self._open_and_inspect(rma)
        with trap_jobs() as trap:
            rma.action_exchange()
            perform_jobs(trap, rounds=3)
        replacement = rma.replacement_order_id.order_line
        self.assertEqual(
            (replacement.price_unit, replacement.discount, replacement.tax_ids),
            (float(item["price"]), 0.0, origin_line.tax_ids),
        )
        self.assertEqual(replacement.price_total, origin_line.price_total, "as the customer paid for it before")
        # the exchange invoice is Shopify's balance due, to the cent
        self.assertEqual(
            Decimal(str(rma.account_move_ids.amount_total)).quantize(Decimal("0.01")),
            self.sandbox.outstanding(order["id"]),
        )
        # another replacement chosen in Odoo is priced by Odoo again
        line.exchange_product_id = self.products_by_sku[cheap]
        self.assertFalse(line.shopify_exchange_priced)
        self.assertFalse(line.shopify_exchange_tax_ids)

    def test_exchange_balance_is_emailed_by_shopify_and_its_payment_pays_the_invoice(self):
        self.backend.shopify_request_exchange_payment = True
        order, sale, rma = self._exchange_owing()
        invoice = rma.account_move_ids
        self.assertEqual((invoice.move_type, invoice.payment_state), ("out_invoice", "not_paid"))
        binding = rma._shopify_binding()
        self.assertTrue(binding.shopify_exchange_processed)
        owed = self.sandbox.outstanding(order["id"])
        self.assertEqual(owed, Decimal(str(invoice.amount_total)).quantize(Decimal("0.01")))
        sent = self.sandbox.invoices_sent(order["id"])
        self.assertEqual(len(sent), 1, "Shopify emailed its invoice once")
        self.assertEqual((sent[0]["to"], Decimal(sent[0]["outstanding"])), (order["email"], owed))
        self.assertIn(rma.name, sent[0]["custom_message"])
        self.assertAlmostEqual(binding.shopify_payment_requested_amount, float(owed), places=2)
        self.assertTrue(binding.shopify_payment_requested_at)
        self.assertIn("emailed the customer its invoice", rma.message_ids[:1].body)
        self.assertTrue(rma.shopify_payment_requestable, "sent again on request until paid")
        binding._shopify_request_payment()  # the automatic request goes out once
        self.assertEqual(len(self.sandbox.invoices_sent(order["id"])), 1)

        # the customer pays through Shopify's link: the order's payment pays the exchange invoice
        transaction = self.sandbox.collect_payment(order["id"], owed)
        orders = self.env["shopify.order.binding"]
        orders._import_order(self.backend, orders._fetch_order(self.backend, order["id"]))
        self.assertEqual(sale.shopify_bind_ids.payment_binding_ids[-1:].external_id, transaction["id"])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.sandbox.outstanding(order["id"]), 0)
        rma.invalidate_recordset(["shopify_payment_requestable"])
        self.assertFalse(rma.shopify_payment_requestable)
        with self.assertRaises(UserError):
            rma.action_shopify_request_payment()

    def test_exchange_balance_differing_from_the_invoice_waits_for_the_accountant(self):
        self.backend.shopify_request_exchange_payment = True
        order, _sale, rma = self._exchange_owing(shopify_price_after_import="390.00")
        invoice = rma.account_move_ids
        owed = self.sandbox.outstanding(order["id"])
        self.assertNotEqual(Decimal(str(invoice.amount_total)).quantize(Decimal("0.01")), owed)
        self.assertFalse(self.sandbox.invoices_sent(order["id"]), "no bill the books disagree with")
        exception = self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_id.code", "=", "shopify_exchange_balance_mismatch")]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.state, "new")
        self.assertIn(f"{owed:.2f}", exception.message)
        self.assertIn(f"{invoice.amount_total:.2f}", exception.message)
        self.assertEqual((exception.res_model, exception.res_id), ("retail.return", rma.id))

        # the accountant asks for Shopify's amount anyway
        with trap_jobs() as trap:
            rma.action_shopify_request_payment()
            trap.assert_jobs_count(1, only=rma._shopify_binding()._shopify_request_payment)
            trap.perform_enqueued_jobs()
        sent = self.sandbox.invoices_sent(order["id"])
        self.assertEqual([Decimal(row["outstanding"]) for row in sent], [owed])
        self.assertEqual(exception.state, "resolved")

    def test_no_balance_request_without_the_option_or_a_balance(self):
        order, _sale, rma = self._exchange_owing()
        self.assertFalse(self.sandbox.invoices_sent(order["id"]), "the option is off: nothing is emailed")
        self.assertTrue(rma.shopify_payment_requestable)
        # paid in Shopify meanwhile, not yet imported: nothing to ask for
        self.sandbox.collect_payment(order["id"], self.sandbox.outstanding(order["id"]))
        with trap_jobs() as trap:
            rma.action_shopify_request_payment()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.sandbox.invoices_sent(order["id"]))
        log = self.env["retail.sync.log"].search(
            [("entity", "=", "payment_request"), ("external_id", "=", rma._shopify_binding().external_id)], limit=1
        )
        self.assertEqual(log.result, "skipped")
        self.assertIn("no balance due", log.message)

    def test_exchange_removed_in_shopify_is_not_shipped(self):
        order, _sale, line_ids = self._fulfilled_order((1, 1))
        second = self.products_by_sku[self.skus[1]]
        ret, rma = self._requested_return(order, [(line_ids[self.skus[0]], 1)], exchange=[(self.skus[1], 1)])
        self.assertEqual(rma.line_ids.exchange_product_id, second)
        with self.sandbox.lock:
            self.sandbox.store.find_return(ret["id"])[1]["exchange_lines"] = []
        bindings = self.env["retail.return.binding"]
        bindings._shopify_import_return(self.backend, bindings._shopify_fetch_return(self.backend, ret["id"]))
        self.assertFalse(rma.line_ids.exchange_product_id)
        self.assertFalse(rma.line_ids.shopify_exchange_line_id)
        self.assertIn("removed from the return in Shopify", rma.message_ids[:1].body)
