# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify Payments end to end: sandbox orders → payments → payout fetched → settlement → bank."""

from decimal import Decimal

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_shopify.tests.common import ShopifyCase
from odoo.addons.retail_connector_shopify.tests.test_order_import import OrderImportMixin

from ..lib.shopify_payouts import fetch_settlements, settlement_from_graphql


@tagged("post_install", "-at_install")
class TestShopifyPayouts(OrderImportMixin, ShopifyCase):
    store_orders = 2
    store_problems = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        account = cls.env["account.account"]
        cls.clearing = account.create(
            {"name": "Shopify in transit", "code": "109951", "account_type": "asset_current", "reconcile": True}
        )
        cls.fee_account = account.create({"name": "Shopify fees", "code": "626951", "account_type": "expense"})
        cls.adjustment_account = account.create(
            {"name": "Shopify differences", "code": "658951", "account_type": "expense"}
        )
        journal = cls.journal_by_gateway.get("shopify_payments")
        if not journal:
            journal = cls.env["account.journal"].create(
                {"name": "Shopify Payments", "code": "SHPSP", "type": "bank", "company_id": cls.company.id}
            )
            cls.env["shopify.gateway.map"].create(
                {"backend_id": cls.backend.id, "gateway": "shopify_payments", "journal_id": journal.id}
            )
        cls.gateway_journal = journal
        # the documented wiring: the gateway's payments land in the provider's clearing account
        for line in journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids:
            line.payment_account_id = cls.clearing
        cls.bank_journal = cls.env["account.journal"].create(
            {"name": "Payout Bank", "code": "PBNK", "type": "bank", "company_id": cls.company.id}
        )
        cls.provider = cls.env["retail.settlement.provider"].create(
            {
                "name": "Shopify Payments",
                "code": "shopify_payments",
                "company_id": cls.company.id,
                "backend_id": cls.backend.id,
                "clearing_account_id": cls.clearing.id,
                "fee_account_id": cls.fee_account.id,
                "adjustment_account_id": cls.adjustment_account.id,
                "journal_id": cls.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1)
                .id,
                "bank_journal_id": cls.bank_journal.id,
            }
        )
        cls.skus = sorted(cls.products_by_sku)

    def setUp(self):
        super().setUp()
        # the sandbox lives for the class, the database for the test: forget earlier payouts
        with self.sandbox.lock:
            self.sandbox.state["payouts"] = []

    # ------------------------------------------------------------------
    def paid_orders(self, count=2):
        """New paid orders in the sandbox, imported into Odoo; [(sandbox order, binding)]."""
        result = []
        for index in range(count):
            order = self.sandbox.create_order(lines=[(self.skus[index % len(self.skus)], index + 1)])
            canonical = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
            binding = self.env["shopify.order.binding"]._import_order(self.backend, canonical)
            self.assertTrue(binding, canonical["name"])
            result.append((order, binding))
        return result

    def fetch(self):
        with trap_jobs() as trap:
            self.backend.action_shopify_fetch_payouts()
            trap.assert_jobs_count(1, only=self.backend._shopify_fetch_payouts_job)
            trap.perform_enqueued_jobs()
        return self.env["retail.settlement"].search([("provider_id", "=", self.provider.id)])

    def payments_of(self, bindings):
        return bindings.payment_binding_ids.odoo_id

    def clearing_balance(self, moves):
        lines = moves.line_ids.filtered(lambda aml: aml.account_id == self.clearing and aml.parent_state == "posted")
        return self.company.currency_id.round(sum(lines.mapped("balance")))

    # ------------------------------------------------------------------
    def test_payout_end_to_end(self):
        orders = self.paid_orders(2)
        bindings = self.env["shopify.order.binding"].union(*(binding for _o, binding in orders))
        payments = self.payments_of(bindings)
        self.assertEqual(len(payments), 2)
        self.assertEqual(payments.outstanding_account_id, self.clearing)
        payout = self.sandbox.create_payout(order_ids=[order["id"] for order, _b in orders])
        net = float(self.sandbox.payout_net(payout))
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": fields.Date.context_today(self.env.user),
                "amount": net,
                "payment_ref": f"SHOPIFY {payout['id']}",
            }
        )
        settlement = self.fetch()
        self.assertEqual(len(settlement), 1)
        self.assertEqual(settlement.external_id, payout["id"])
        self.assertEqual(settlement.backend_id, self.backend)
        self.assertAlmostEqual(settlement.net, net)
        self.assertEqual(settlement.state, "matched")
        charges = settlement.line_ids.filtered(lambda line: line.type == "charge")
        self.assertEqual(len(charges), 2)
        self.assertTrue(all(line.match_state == "matched" for line in settlement.line_ids))
        self.assertEqual(set(charges.mapped("match_rule")), {"transaction_id"})
        self.assertEqual(charges.payment_id, payments)
        settlement.action_post()
        move = settlement.move_id
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        fee = sum(Decimal(tx["fee"]) for tx in payout["transactions"])
        self.assertAlmostEqual(
            sum(move.line_ids.filtered(lambda aml: aml.account_id == self.fee_account).mapped("debit")), float(fee)
        )
        self.assertEqual(self.clearing_balance(move | payments.move_id), 0.0)
        clearing = (move | payments.move_id).line_ids.filtered(lambda aml: aml.account_id == self.clearing)
        self.assertTrue(all(clearing.mapped("reconciled")))
        self.assertEqual(settlement.state, "reconciled")
        self.assertEqual(settlement.statement_line_id, st_line)
        self.assertTrue(st_line.is_reconciled)

    def test_fetch_twice_creates_nothing(self):
        orders = self.paid_orders(1)
        self.sandbox.create_payout(order_ids=[orders[0][0]["id"]])
        first = self.fetch()
        self.assertEqual(len(first), 1)
        lines_before = self.env["retail.settlement.line"].search_count([])
        calls_before = len(self.calls_of("ShopifyPayoutTransactions"))
        second = self.fetch()
        self.assertEqual(second, first)
        self.assertEqual(self.env["retail.settlement.line"].search_count([]), lines_before)
        # the known payout's transactions are not even asked for again
        self.assertEqual(len(self.calls_of("ShopifyPayoutTransactions")), calls_before)
        # a new payout is imported on the next fetch, and only it
        more = self.paid_orders(1)
        self.sandbox.create_payout(order_ids=[more[0][0]["id"]])
        third = self.fetch()
        self.assertEqual(len(third - first), 1)

    def test_payout_with_refund(self):
        [(order, binding)] = self.paid_orders(1)
        line = order["line_items"][0]
        self.sandbox.create_refund(order["id"], lines=[(line["id"], 1)])
        fresh = self.env["shopify.order.binding"]._fetch_order(self.backend, order["id"])
        self.env["shopify.order.binding"]._import_order(self.backend, fresh)
        refund_payment = binding.payment_binding_ids.filtered(lambda p: p.kind == "refund").odoo_id
        self.assertEqual(refund_payment.payment_type, "outbound")
        payout = self.sandbox.create_payout(order_ids=[order["id"]])
        settlement = self.fetch()
        refund_line = settlement.line_ids.filtered(lambda item: item.type == "refund")
        self.assertEqual(len(refund_line), 1)
        self.assertLess(refund_line.gross, 0)
        self.assertEqual(refund_line.payment_id, refund_payment)
        self.assertEqual(refund_line.match_state, "matched")
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        payments = self.payments_of(binding)
        self.assertEqual(self.clearing_balance(settlement.move_id | payments.move_id), 0.0)
        self.assertAlmostEqual(settlement.net, float(self.sandbox.payout_net(payout)))

    def test_cron_enqueues_one_job_per_backend(self):
        with trap_jobs() as trap:
            self.env["retail.backend"]._cron_shopify_fetch_payouts()
            trap.assert_jobs_count(1, only=self.backend._shopify_fetch_payouts_job)

    def test_lib_without_transfer_row_uses_payout_net(self):
        payout = {
            "id": "77",
            "date": fields.Date.to_date("2026-03-06"),
            "status": "PAID",
            "withdrawal": False,
            "net": Decimal("96.80"),
            "currency": "USD",
        }
        node = {
            "id": "gid://shopify/ShopifyPaymentsBalanceTransaction/5",
            "type": "CHARGE",
            "amount": {"amount": "100.00", "currencyCode": "USD"},
            "fee": {"amount": "3.20", "currencyCode": "USD"},
            "net": {"amount": "96.80", "currencyCode": "USD"},
            "sourceOrderTransactionId": "123",
            "associatedOrder": {"id": "gid://shopify/Order/1", "name": "#1001"},
            "transactionDate": "2026-03-05T10:00:00Z",
        }
        parsed = settlement_from_graphql(payout, [node])
        self.assertEqual([row.type for row in parsed.rows], ["charge", "payout"])
        self.assertEqual(parsed.rows[0].fee, Decimal("-3.20"))
        self.assertEqual(parsed.rows[0].transaction_id, "123")
        self.assertEqual(parsed.net, Decimal("96.80"))
        self.assertEqual(parsed.gross + parsed.fees - parsed.net, 0)
        # and through the sandbox: no payout, nothing; a payout is fetched with its rows
        self.assertEqual(fetch_settlements(self.client, known_ids=[]), [])
        [(order, _binding)] = self.paid_orders(1)
        payout = self.sandbox.create_payout(order_ids=[order["id"]], date="2026-03-06")
        [fetched] = fetch_settlements(self.client, known_ids=[])
        self.assertEqual(fetched.external_id, payout["id"])
        self.assertEqual(fetched.date, fields.Date.to_date("2026-03-06"))
        self.assertEqual([row.type for row in fetched.rows], ["charge", "payout"])
        self.assertEqual(fetched.net, self.sandbox.payout_net(payout))
        self.assertEqual(fetch_settlements(self.client, known_ids=[payout["id"]]), [])
