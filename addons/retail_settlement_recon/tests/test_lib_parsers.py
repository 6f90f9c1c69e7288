# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plain-Python tests of the settlement parsers (no database needed)."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from odoo.addons.retail_settlement_recon.lib import group_settlements, parse, parse_amount
from odoo.addons.retail_settlement_recon.lib.canonical import ParseError
from odoo.addons.retail_settlement_recon.lib.parsers import parse_paypal_all

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "settlement"
GENERIC_MAPPING = {
    "settlement_ref": "Batch",
    "date": "Booked",
    "type": "Kind",
    "currency": "Cur",
    "gross": "Amount",
    "fee": "Cost",
    "transaction_id": "Tx",
    "order_reference": "Ref",
    "type_map": {"sale": "charge", "transfer": "payout"},
    "date_format": "%d.%m.%Y",
    "decimal_comma": True,
    "fee_positive": True,
}


def fixture(name):
    return (FIXTURES / name).read_bytes()


def test_parse_amount_formats():
    assert parse_amount("1,653.75") == Decimal("1653.75")
    assert parse_amount("4.626,81", decimal_comma=True) == Decimal("4626.81")
    assert parse_amount("(12.50)") == Decimal("-12.50")
    assert parse_amount("") == Decimal("0")
    with pytest.raises(ParseError):
        parse_amount("1.2.3")


def test_stripe_payout_reconciliation_csv():
    rows = parse("stripe", fixture("stripe_payout.csv"))
    assert [r.type for r in rows] == ["charge", "charge", "refund", "payout"]
    assert rows[0].fee == Decimal("-3.20") and rows[0].net == Decimal("96.80")
    assert rows[0].transaction_id == "ch_A1" and rows[0].order_reference == "#1001"
    assert rows[2].transaction_id == "re_A1"
    (settlement,) = group_settlements(rows)
    assert settlement.external_id == "po_T1" and settlement.currency == "USD"
    assert settlement.net == Decimal("115.05")
    assert settlement.fees == Decimal("-4.95")
    assert settlement.gross == Decimal("120.00")
    assert sum(r.net for r in rows) == 0
    assert settlement.date == date(2026, 3, 10)


def test_stripe_balance_transactions_json_minor_units():
    payload = {
        "object": "list",
        "data": [
            {
                "object": "balance_transaction",
                "id": "txn_1",
                "amount": 2500,
                "fee": 103,
                "net": 2397,
                "currency": "eur",
                "created": 1772445600,
                "type": "charge",
                "reporting_category": "charge",
                "source": "ch_1",
            },
            {
                "object": "balance_transaction",
                "id": "txn_2",
                "amount": -2397,
                "fee": 0,
                "net": -2397,
                "currency": "eur",
                "created": 1772532000,
                "type": "payout",
                "reporting_category": "payout",
                "source": "po_9",
            },
            {
                "object": "balance_transaction",
                "id": "txn_3",
                "amount": 1500,
                "fee": 0,
                "net": 1500,
                "currency": "jpy",
                "created": 1772532000,
                "type": "charge",
                "source": "ch_jp",
            },
        ],
    }
    rows = parse("stripe", json.dumps(payload))
    assert rows[0].gross == Decimal("25") and rows[0].fee == Decimal("-1.03") and rows[0].net == Decimal("23.97")
    assert rows[0].settlement_ref == "po_9" and rows[1].type == "payout"
    assert rows[2].gross == Decimal("1500"), "zero-decimal currency is not divided"


def test_paypal_activity_groups_by_withdrawal():
    rows = parse("paypal", fixture("paypal_activity.csv"))
    assert len(rows) == 4, "the payment after the last withdrawal is not paid out yet"
    (settlement,) = group_settlements(rows)
    assert settlement.external_id == "PP-W1"
    assert settlement.net == Decimal("1048.08")
    assert [r.type for r in rows] == ["charge", "charge", "refund", "payout"]
    assert rows[0].gross == Decimal("1200.00") and rows[0].order_reference == "#2001"
    assert rows[2].fee == Decimal("5.85") and rows[0].date == date(2026, 3, 2)
    assert len(parse_paypal_all(fixture("paypal_activity.csv"))) == 5


def test_paypal_spanish_statement_decimal_comma():
    rows = parse("paypal", fixture("paypal_statement_es.csv"))
    assert [r.type for r in rows] == ["charge", "payout"]
    assert rows[0].gross == Decimal("1049.37") and rows[0].fee == Decimal("-31.78")
    assert rows[0].date == date(2026, 3, 2)
    assert group_settlements(rows)[0].net == Decimal("1017.59")


def test_adyen_settlement_detail_by_header_name():
    rows = parse("adyen", fixture("adyen_batch.csv"))
    assert [r.type for r in rows] == ["charge", "charge", "refund", "fee", "payout"]
    assert rows[0].gross == Decimal("60.00") and rows[0].fee == Decimal("-0.60")
    assert rows[0].transaction_id == "8815000000000001" and rows[0].order_reference == "#4001"
    assert rows[3].gross == 0 and rows[3].fee == Decimal("-0.50")
    (settlement,) = group_settlements(rows)
    assert settlement.external_id == "SHOP_EU-12" and settlement.net == Decimal("88.50")
    assert sum(r.net for r in rows) == 0
    # the same report with its columns in another order gives the same rows
    lines = fixture("adyen_batch.csv").decode().splitlines()
    table = [line.split(",") for line in lines]
    order = list(reversed(range(len(table[0]))))
    shuffled = "\n".join(",".join(row[i] for i in order) for row in table)
    assert parse("adyen", shuffled) == rows


def test_shopify_payments_payout_export():
    rows = parse("shopify_payments", fixture("shopify_payments.csv"))
    assert [r.type for r in rows] == ["charge", "chargeback", "payout"]
    assert rows[1].dispute_due_date == date(2026, 3, 20) and rows[1].status == "needs_response"
    assert rows[1].net == Decimal("-55.00") and rows[1].fee == Decimal("-15.00")
    assert group_settlements(rows)[0].net == Decimal("61.22")


def test_generic_csv_with_mapping():
    rows = parse("csv", fixture("generic.csv"), mapping=GENERIC_MAPPING)
    assert [r.type for r in rows] == ["charge", "charge", "payout"]
    assert rows[0].gross == Decimal("25.50") and rows[0].fee == Decimal("-0.80") and rows[0].net == Decimal("24.70")
    assert rows[0].date == date(2026, 3, 5)
    (settlement,) = group_settlements(rows)
    assert settlement.external_id == "B-9" and settlement.net == Decimal("38.20")


def test_generic_csv_errors():
    with pytest.raises(ParseError):
        parse("csv", fixture("generic.csv"), mapping={**GENERIC_MAPPING, "gross": "Nope"})
    with pytest.raises(ParseError):
        parse("csv", fixture("generic.csv"))
    with pytest.raises(ParseError):
        parse("csv", fixture("generic.csv"), mapping={**GENERIC_MAPPING, "type_map": {}})


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference settlement samples not available")
def test_real_adyen_reports():
    batch_238 = parse("adyen", (REFERENCE / "adyen" / "settlement_detail_report_batch_238.csv").read_bytes())
    assert len(batch_238) == 3
    assert sum(r.net for r in batch_238) == 0
    assert sum(r.fee for r in batch_238) == Decimal("-0.09")
    batch_380 = parse("adyen", (REFERENCE / "adyen" / "settlement_detail_report_batch_380.csv").read_bytes())
    assert len(batch_380) == 228
    assert sum(1 for r in batch_380 if r.type == "charge") == 220
    assert sum(1 for r in batch_380 if r.type == "refund") == 6
    (payout,) = [r for r in batch_380 if r.type == "payout"]
    assert payout.net == Decimal("-55308.07")
    assert sum(r.net for r in batch_380) == 0, "the batch balances: payout = settled - refunds - fees"
    assert len(group_settlements(batch_380)) == 1


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference settlement samples not available")
def test_real_paypal_exports():
    activity = (REFERENCE / "paypal" / "activity_en.csv").read_bytes()
    rows = parse_paypal_all(activity)
    assert len(rows) == 76
    assert sum(1 for r in rows if r.type == "payout") == 14
    assert rows[3].gross == Decimal("1653.75") and rows[3].fee == Decimal("-73.07")
    assert all(r.gross + r.fee == r.net for r in rows)
    statement_es = parse_paypal_all((REFERENCE / "paypal" / "statement_es.csv").read_bytes())
    assert len(statement_es) == 4
    assert sum(r.net for r in statement_es) == Decimal("131.08")
    assert parse("paypal", (REFERENCE / "paypal" / "empty_activity.csv").read_bytes()) == []
    statement_en = parse_paypal_all((REFERENCE / "paypal" / "statement_en.csv").read_bytes())
    assert len(statement_en) == 19


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference settlement samples not available")
def test_real_stripe_balance_transaction_fixture():
    resources = json.loads((REFERENCE / "stripe" / "fixtures3.json").read_text())["resources"]
    rows = parse("stripe", json.dumps(resources["balance_transaction"]))
    assert len(rows) == 1
    assert rows[0].gross == Decimal("1") and rows[0].net == Decimal("1") and rows[0].type == "charge"
    assert rows[0].transaction_id == resources["balance_transaction"]["source"]
