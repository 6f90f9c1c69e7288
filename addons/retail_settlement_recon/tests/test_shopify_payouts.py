# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify Payments end to end: sandbox orders → payments → payout fetched → settlement → bank."""

from decimal import Decimal

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_shopify.tests.common import ShopifyCase
from odoo.addons.retail_connector_shopify.tests.test_order_import import OrderImportMixin

from ..lib.shopify_payouts import DISPUTE_DOCUMENT, fetch_settlements, settlement_from_graphql


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
        cls.chargeback_account = account.create(
            {"name": "Shopify chargebacks", "code": "658952", "account_type": "expense"}
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
                "chargeback_account_id": cls.chargeback_account.id,
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
            self.sandbox.state["disputes"] = []

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

    # ------------------------------------------------------------------ disputes
    def charge_of(self, order):
        return next(tx for tx in order["transactions"] if tx["kind"] in ("SALE", "CAPTURE"))

    def paid_out(self, count=1):
        """Paid orders whose first payout is imported, posted and reconciled with the bank."""
        orders = self.paid_orders(count)
        payout = self.sandbox.create_payout(order_ids=[order["id"] for order, _b in orders])
        self.deposit(payout)
        settlement = self.fetch()
        settlement.action_post()
        self.assertEqual(settlement.state, "reconciled")
        return orders, settlement

    def deposit(self, payout):
        """The bank statement line of a payout (negative when Shopify debits the bank)."""
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": fields.Date.context_today(self.env.user),
                "amount": float(self.sandbox.payout_net(payout)),
                "payment_ref": f"SHOPIFY {payout['id']}",
            }
        )

    def dispute_exceptions(self):
        return self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", "settlement_dispute_open")]
        )

    def test_sandbox_dispute_withdrawn_by_the_next_payout(self):
        [(order, _binding)] = self.paid_orders(1)
        charge = self.charge_of(order)
        self.sandbox.create_payout(order_ids=[order["id"]])
        dispute = self.sandbox.open_dispute(order["id"], evidence_due_by="2026-12-24")
        self.assertEqual((dispute["status"], dispute["transaction_id"]), ("NEEDS_RESPONSE", charge["id"]))
        payout = self.sandbox.create_payout(order_ids=[order["id"]])
        [withdrawal, transfer] = payout["transactions"]
        amount = Decimal(charge["amount"])
        self.assertEqual(withdrawal["type"], "DISPUTE_WITHDRAWAL")
        self.assertEqual(withdrawal["source_type"], "DISPUTE")
        self.assertEqual(withdrawal["source_id"], dispute["id"])
        self.assertEqual(withdrawal["source_order_transaction_id"], charge["id"])
        self.assertEqual(
            (Decimal(withdrawal["amount"]), Decimal(withdrawal["fee"]), Decimal(withdrawal["net"])),
            (-amount, Decimal("15.00"), -amount - Decimal("15.00")),
        )
        self.assertEqual(Decimal(transfer["amount"]), amount + Decimal("15.00"))
        self.assertEqual(self.sandbox.payout_net(payout), -amount - Decimal("15.00"), "Shopify debits the bank")
        self.assertEqual(self.sandbox.create_payout(order_ids=[order["id"]])["transactions"][0]["type"], "TRANSFER")
        # the dispute is served over GraphQL as Shopify serves it
        data = self.client.execute(DISPUTE_DOCUMENT, {"id": f"gid://shopify/ShopifyPaymentsDispute/{dispute['id']}"})
        self.assertEqual(data["dispute"]["status"], "NEEDS_RESPONSE")
        self.assertEqual(data["dispute"]["evidenceDueBy"], "2026-12-24")
        self.assertEqual(data["dispute"]["order"]["name"], order["name"])
        # and parsed into a chargeback row that carries the dispute's status and deadline
        [_first, second, _third] = sorted(fetch_settlements(self.client, known_ids=[]), key=lambda s: s.external_id)
        [row, _payout_row] = second.rows
        self.assertEqual((row.type, row.gross, row.fee, row.net), ("chargeback", -amount, Decimal("-15.00"), row.net))
        self.assertEqual(row.net, -amount - Decimal("15.00"))
        self.assertEqual((row.status, row.dispute_due_date), ("needs_response", fields.Date.to_date("2026-12-24")))
        self.assertEqual((row.transaction_id, row.order_reference), (charge["id"], order["name"]))
        self.assertIn("fraudulent", row.description)
        # won: the next payout gives the amount back (the fee stays taken)
        self.sandbox.close_dispute(dispute["id"], "WON")
        [reversal, _transfer] = self.sandbox.create_payout(order_ids=[order["id"]])["transactions"]
        self.assertEqual((reversal["type"], Decimal(reversal["net"])), ("DISPUTE_REVERSAL", amount))

    def test_sandbox_dispute_needs_a_shopify_payments_charge(self):
        [(order, _binding)] = self.paid_orders(1)
        with self.assertRaisesRegex(ValueError, "at most"):
            self.sandbox.open_dispute(order["id"], amount=Decimal(self.charge_of(order)["amount"]) + 1)
        with self.sandbox.lock:
            self.charge_of(order)["gateway"] = "manual"
        with self.assertRaisesRegex(ValueError, "no Shopify Payments charge"):
            self.sandbox.open_dispute(order["id"])

    def test_lost_dispute_closes_its_exception_at_the_next_fetch(self):
        [(order, _binding)], first = self.paid_out(1)
        dispute = self.sandbox.open_dispute(order["id"], evidence_due_by="2026-12-24")
        self.sandbox.create_payout(order_ids=[order["id"]])
        second = self.fetch() - first
        chargeback = second.line_ids.filtered(lambda line: line.type == "chargeback")
        self.assertEqual((chargeback.dispute_ref, chargeback.provider_status), (dispute["id"], "needs_response"))
        [exception] = self.dispute_exceptions()
        # nothing decided yet: the next fetch asks again and leaves the exception as it is
        calls = len(self.sandbox.calls)
        self.fetch()
        self.assertEqual((exception.state, exception.occurrence_count), ("new", 1))
        reads = [call for call in self.sandbox.calls[calls:] if call.get("operation") == "ShopifyPaymentsDispute"]
        self.assertEqual(len(reads), 1, "one read per open dispute")
        # the bank decides against the shop: no money moves, so no payout says so
        self.sandbox.close_dispute(dispute["id"], "LOST")
        self.assertEqual(self.fetch(), first | second, "no new settlement")
        self.assertEqual(chargeback.provider_status, "lost")
        self.assertEqual(exception.state, "resolved")
        self.assertIn("lost", exception.resolution_note)
        # closed disputes are not asked about again
        self.assertFalse(self.env["retail.settlement.line"]._open_disputes(self.provider))

    def test_chargeback_booked_against_the_disputed_payment(self):
        [(order, binding)], first = self.paid_out(1)
        payment = self.payments_of(binding)
        charge_line = first.line_ids.filtered(lambda line: line.type == "charge")
        self.assertEqual(charge_line.payment_id, payment)
        amount = payment.amount
        dispute = self.sandbox.open_dispute(order["id"], evidence_due_by="2026-12-24")
        payout = self.sandbox.create_payout(order_ids=[order["id"]])
        st_line = self.deposit(payout)
        self.assertAlmostEqual(st_line.amount, -(amount + 15.0))
        second = self.fetch() - first
        self.assertEqual(second.external_id, payout["id"])
        self.assertEqual(second.state, "matched")
        chargeback = second.line_ids.filtered(lambda line: line.type == "chargeback")
        self.assertEqual(len(chargeback), 1)
        self.assertEqual((chargeback.gross, chargeback.fee, chargeback.net), (-amount, -15.0, -(amount + 15.0)))
        self.assertEqual(chargeback.match_state, "matched")
        self.assertEqual(chargeback.match_rule, "transaction_id")
        self.assertEqual(chargeback.payment_id, payment, "the chargeback names the payment it takes back")
        self.assertEqual(chargeback.dispute_due_date, fields.Date.to_date("2026-12-24"))
        self.assertEqual(chargeback.provider_status, "needs_response")
        self.assertEqual(charge_line.match_state, "matched", "the charge stays paid out")
        # the accountant is told what to do, and by when
        [exception] = self.dispute_exceptions()
        self.assertEqual(exception.state, "new")
        self.assertEqual(exception.severity, "critical")
        self.assertIn("2026-12-24", exception.message)
        self.assertIn(order["name"], exception.message)
        self.assertIn(payment.name, exception.message)
        # posted: amount to chargebacks (with the customer), fee to fees, net out of the bank; no plug line
        second.action_post()
        self.assertEqual(second.state, "reconciled")
        self.assertEqual(second.statement_line_id, st_line)
        self.assertTrue(st_line.is_reconciled)
        lines = second.move_id.line_ids
        by_account = {aml.account_id: aml for aml in lines}
        self.assertEqual(
            set(by_account),
            {self.chargeback_account, self.fee_account, self.provider._bank_outstanding_account()},
        )
        self.assertAlmostEqual(by_account[self.chargeback_account].debit, amount)
        self.assertEqual(by_account[self.chargeback_account].partner_id, payment.partner_id)
        self.assertIn(order["name"], by_account[self.chargeback_account].name)
        self.assertAlmostEqual(by_account[self.fee_account].debit, 15.0)
        self.assertAlmostEqual(by_account[self.provider._bank_outstanding_account()].credit, amount + 15.0)
        self.assertEqual(self.clearing_balance(first.move_id | second.move_id | payment.move_id), 0.0)
        self.assertFalse(self.env["retail.settlement.line"]._report_payouts_missing(self.provider))
        self.assertEqual(exception.state, "new", "the dispute stays open until the bank decides")
        # won: the amount comes back, the dispute closes, chargebacks net to the fee only
        self.sandbox.close_dispute(dispute["id"], "WON")
        self.deposit(self.sandbox.create_payout(order_ids=[order["id"]]))
        third = self.fetch() - first - second
        reversal = third.line_ids.filtered(lambda line: line.type == "dispute_reversal")
        self.assertEqual((reversal.gross, reversal.payment_id), (amount, payment))
        self.assertEqual(exception.state, "resolved")
        self.assertIn("won", exception.resolution_note)
        third.action_post()
        chargebacks = self.env["account.move.line"].search(
            [("account_id", "=", self.chargeback_account.id), ("parent_state", "=", "posted")]
        )
        self.assertAlmostEqual(sum(chargebacks.mapped("balance")), 0.0)

    def test_charge_and_its_chargeback_in_one_payout(self):
        [(order, binding)] = self.paid_orders(1)
        payment = self.payments_of(binding)
        self.sandbox.open_dispute(order["id"], amount="10.00")
        payout = self.sandbox.create_payout(order_ids=[order["id"]])
        st_line = self.deposit(payout)
        settlement = self.fetch()
        charge = settlement.line_ids.filtered(lambda line: line.type == "charge")
        chargeback = settlement.line_ids.filtered(lambda line: line.type == "chargeback")
        self.assertEqual(charge.payment_id, payment, "a chargeback of the payment is no duplicate payout")
        self.assertEqual(chargeback.payment_id, payment)
        self.assertEqual(chargeback.gross, -10.0)
        self.assertEqual(chargeback.amount_difference, 0.0, "a partial chargeback is no difference to resolve")
        self.assertEqual(settlement.state, "matched")
        settlement.action_post()
        self.assertEqual(settlement.state, "reconciled")
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(self.clearing_balance(settlement.move_id | payment.move_id), 0.0)
        self.assertFalse(settlement.move_id.line_ids.filtered(lambda aml: aml.account_id == self.adjustment_account))
        self.assertEqual(len(self.dispute_exceptions()), 1)
