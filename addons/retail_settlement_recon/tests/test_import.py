# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SettlementCase


@tagged("post_install", "-at_install")
class TestImport(SettlementCase):
    def test_stripe_import_creates_settlement_and_lines(self):
        settlement = self.import_file("stripe_payout.csv", auto_match=False)
        self.assertEqual(len(settlement), 1)
        self.assertEqual(settlement.external_id, "po_T1")
        self.assertEqual(settlement.state, "imported")
        self.assertEqual(str(settlement.date), "2026-03-10")
        self.assertEqual(len(settlement.line_ids), 4)
        self.assertAlmostEqual(settlement.net, 115.05)
        self.assertAlmostEqual(settlement.fees, -4.95)
        self.assertAlmostEqual(settlement.gross, 120.0)
        self.assertAlmostEqual(settlement.difference, 0.0)
        charges = settlement.line_ids.filtered(lambda line: line.type == "charge")
        self.assertEqual(charges.mapped("match_state"), ["unmatched", "unmatched"])
        payout = settlement.line_ids.filtered(lambda line: line.type == "payout")
        self.assertEqual(payout.match_state, "matched")
        self.assertEqual(payout.match_rule, "account")

    def test_duplicate_import_creates_nothing(self):
        first = self.import_file("stripe_payout.csv")
        again = self.import_file("stripe_payout.csv")
        self.assertFalse(again)
        self.assertEqual(self.env["retail.settlement"].search_count([("provider_id", "=", self.provider.id)]), 1)
        self.assertEqual(len(first.line_ids), 4)
        self.assertEqual(self.env["retail.settlement.line"].search_count([("settlement_id", "=", first.id)]), 4)

    def test_unique_constraint_on_provider_and_payout(self):
        self.import_file("stripe_payout.csv")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["retail.settlement"].create(
                {
                    "provider_id": self.provider.id,
                    "external_id": "po_T1",
                    "date": "2026-03-10",
                    "currency_id": self.company.currency_id.id,
                }
            )

    def test_paypal_import(self):
        self.provider.code = "paypal"
        eur = self.env.ref("base.EUR")
        eur.active = True
        settlement = self.import_file("paypal_activity.csv")
        self.assertEqual(settlement.external_id, "PP-W1")
        self.assertEqual(settlement.currency_id, eur)
        self.assertEqual(len(settlement.line_ids), 4)
        self.assertAlmostEqual(settlement.net, 1048.08)

    def test_adyen_import(self):
        self.provider.code = "adyen"
        self.env.ref("base.EUR").active = True
        settlement = self.import_file("adyen_batch.csv")
        self.assertEqual(settlement.external_id, "SHOP_EU-12")
        self.assertEqual(sorted(settlement.line_ids.mapped("type")), ["charge", "charge", "fee", "payout", "refund"])
        self.assertAlmostEqual(settlement.fees, -1.50)
        self.assertAlmostEqual(settlement.net, 88.50)

    def test_generic_csv_import_with_profile(self):
        profile = self.env["retail.settlement.csv.profile"].create(
            {
                "name": "Bank X acquirer",
                "col_settlement_ref": "Batch",
                "col_date": "Booked",
                "col_type": "Kind",
                "col_currency": "Cur",
                "col_gross": "Amount",
                "col_fee": "Cost",
                "col_transaction_id": "Tx",
                "col_order_reference": "Ref",
                "date_format": "%d.%m.%Y",
                "decimal_comma": True,
                "fee_positive": True,
                "type_map": '{"sale": "charge", "transfer": "payout"}',
            }
        )
        self.provider.write({"code": "csv", "csv_profile_id": profile.id})
        settlement = self.import_file("generic.csv")
        self.assertEqual(settlement.external_id, "B-9")
        self.assertAlmostEqual(settlement.net, 38.20)
        self.assertAlmostEqual(sum(settlement.line_ids.mapped("fee")), -1.30)

    def test_bad_file_is_refused(self):
        with self.assertRaises(UserError):
            self.import_file("generic.csv")
        self.assertFalse(self.env["retail.settlement"].search([("provider_id", "=", self.provider.id)]))
