# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from .common import UNMAPPED_TAX_TITLE, ShopifyCase


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


class OrderImportMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Shopify rounds taxes per line: so must Odoo for the totals to agree to the cent
        cls.company.tax_calculation_rounding_method = "round_per_line"

    def import_all(self):
        binding_model = self.env["shopify.order.binding"]
        orders = self.canonical_orders()
        for order in orders:
            binding_model._import_order(self.backend, order)
        return orders

    def binding_of(self, order):
        return self.env["shopify.order.binding"]._lookup(self.backend, order["id"])

    def problem_of(self, order):
        if any(tax["title"] == UNMAPPED_TAX_TITLE for line in order["lines"] for tax in line["taxes"]):
            return "mapping_missing"
        if any(line["sku"] not in self.products_by_sku for line in order["lines"]):
            return "shopify_unknown_sku"
        return None

    def open_exceptions(self, code, external_id=None):
        domain = [
            ("backend_id", "=", self.backend.id),
            ("type_code", "=", code),
            ("state", "in", ("new", "in_progress")),
        ]
        if external_id:
            domain.append(("external_id", "=", external_id))
        return self.env["retail.exception"].search(domain)


class TestOrderImport(OrderImportMixin, ShopifyCase):
    def test_full_store_import(self):
        orders = self.import_all()
        statuses = self.backend._shopify_import_statuses()
        importable = [o for o in orders if o["financial_status"] in statuses and not self.problem_of(o)]
        bindings = self.env["shopify.order.binding"].search([("backend_id", "=", self.backend.id)])
        failures = self.env["retail.exception"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(bindings), len(importable), "\n".join(failures.mapped("message")))
        self.assertEqual(len(bindings.odoo_id), len(importable))
        for order in orders:
            binding = self.binding_of(order)
            problem = self.problem_of(order)
            if order["financial_status"] not in statuses:
                self.assertFalse(binding, order["name"])
                continue
            if problem:
                self.assertFalse(binding, order["name"])
                self.assertTrue(self.open_exceptions(problem, order["id"]), f"{order['name']}: {problem}")
                continue
            sale = binding.odoo_id
            credit_notes = binding.refund_binding_ids.odoo_id
            # what Odoo books minus the credit notes is Shopify's current total, to the cent
            self.assertEqual(
                money(sale.amount_total) - sum((money(m.amount_total) for m in credit_notes), Decimal(0)),
                order["total"],
                order["name"],
            )
            self.assertEqual(len(credit_notes), len(order["refund_ids"]))
            self.assertEqual(sale.currency_id.name, order["currency"])
            self.assertEqual(sale.client_order_ref, order["name"])
            self.assertEqual(
                {line.shopify_line_id for line in sale.order_line if not line.is_delivery},
                {line["id"] for line in order["lines"]},
            )
            # payments: one per successful sale/capture/refund transaction, on the mapped journal
            money_txs = [
                tx
                for tx in order["transactions"]
                if tx["status"] == "success" and tx["kind"] in ("sale", "capture", "refund")
            ]
            self.assertEqual(len(binding.payment_binding_ids), len(money_txs), order["name"])
            for tx in money_txs:
                payment_binding = binding.payment_binding_ids.filtered(lambda p, t=tx: p.external_id == t["id"])
                self.assertEqual(money(payment_binding.odoo_id.amount), tx["amount"])
                self.assertEqual(payment_binding.odoo_id.journal_id, self.journal_by_gateway[tx["gateway"]])
                self.assertEqual(payment_binding.authorization or None, tx["authorization"])
                self.assertEqual(
                    payment_binding.odoo_id.payment_type, "outbound" if tx["kind"] == "refund" else "inbound"
                )
            risky = order["risk"] in ("investigate", "cancel")
            if order["cancelled_at"]:
                self.assertEqual(sale.state, "cancel")
            elif risky:
                self.assertIn(sale.state, ("draft", "sent"), order["name"])
                self.assertTrue(sale.activity_ids)
                self.assertTrue(self.open_exceptions("shopify_risky_order", order["id"]))
            elif order["financial_status"] in ("paid", "partially_refunded", "partially_paid"):
                self.assertEqual(sale.state, "sale", order["name"])
            if sale.state == "sale" and order["financial_status"] in ("paid", "partially_refunded"):
                invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
                self.assertEqual(len(invoice), 1)
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(money(invoice.amount_total), money(sale.amount_total))
                for credit_note in credit_notes:
                    self.assertEqual(credit_note.reversed_entry_id, invoice)
            if order["presentment_currency"] != order["currency"]:
                self.assertEqual(sale.shopify_presentment_currency, order["presentment_currency"])
                self.assertAlmostEqual(sale.shopify_presentment_total, float(order["total_presentment"]), places=2)

    def test_reimport_is_skipped(self):
        orders = self.import_all()
        count = self.env["sale.order"].search_count([])
        payments = self.env["account.payment"].search_count([])
        moves = self.env["account.move"].search_count([])
        for order in orders:
            self.env["shopify.order.binding"]._import_order(self.backend, order)
        self.assertEqual(self.env["sale.order"].search_count([]), count)
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    def test_unknown_sku_creates_nothing(self):
        order = next(o for o in self.canonical_orders() if self.problem_of(o) == "shopify_unknown_sku")
        count = self.env["sale.order"].search_count([])
        partners = self.env["res.partner"].search_count([])
        self.assertFalse(self.env["shopify.order.binding"]._import_order(self.backend, order))
        self.assertEqual(self.env["sale.order"].search_count([]), count)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        exception = self.open_exceptions("shopify_unknown_sku", order["id"])
        self.assertEqual(len(exception), 1)
        log = self.env["retail.sync.log"].search([("external_id", "=", order["id"])], limit=1)
        self.assertEqual(log.result, "failed")

    def test_unmapped_tax_names_title_and_rate(self):
        order = next(o for o in self.canonical_orders() if self.problem_of(o) == "mapping_missing")
        self.assertFalse(self.env["shopify.order.binding"]._import_order(self.backend, order))
        exception = self.open_exceptions("mapping_missing", order["id"])
        self.assertEqual(len(exception), 1)
        self.assertIn(UNMAPPED_TAX_TITLE, exception.message)
        self.assertIn("0.05", exception.message)
