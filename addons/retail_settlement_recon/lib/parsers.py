# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One parser per provider format; each returns a list of canonical rows."""

import csv
import functools
import json
from datetime import UTC, datetime
from decimal import Decimal

from .canonical import ZERO, ParseError, Row, decode, parse_amount, parse_date, pick, read_csv

ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
STRIPE_ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf"}

# ----------------------------------------------------------------------
# Stripe
# ----------------------------------------------------------------------
STRIPE_CATEGORIES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "refund_failure": "adjustment",
    "fee": "fee",
    "stripe_fee": "fee",
    "application_fee": "fee",
    "dispute": "chargeback",
    "dispute_reversal": "dispute_reversal",
    "payout": "payout",
    "payout_reversal": "payout",
    "reserve_transaction": "reserve",
    "risk_reserved_funds": "reserve",
    "adjustment": "adjustment",
    "other_adjustment": "adjustment",
    "currency_conversion": "currency_conversion",
}


def _stripe_type(category):
    try:
        return STRIPE_CATEGORIES[(category or "").strip().lower()]
    except KeyError as exc:
        raise ParseError(f"unknown Stripe reporting category {category!r}") from exc


def parse_stripe_csv(content, settlement_ref=None):
    """Stripe "Payout reconciliation" / "Balance change from activity" itemised CSV.

    Amounts are in major units, fees positive (Stripe's convention): the fee is
    negated so that ``gross + fee == net``.
    """
    header, records = read_csv(content)
    if not header:
        return []
    col_id = pick(header, "balance_transaction_id", "id")
    col_created = pick(header, "created_utc", "created", "automatic_payout_effective_at_utc")
    col_currency = pick(header, "currency")
    col_gross = pick(header, "gross", "amount")
    col_fee = pick(header, "fee", required=False)
    col_net = pick(header, "net", required=False)
    col_category = pick(header, "reporting_category", "type")
    col_source = pick(header, "source_id", "source", required=False)
    col_charge = pick(header, "charge_id", "payment_intent_id", required=False)
    col_payout = pick(header, "automatic_payout_id", "payout_id", required=False)
    col_order = pick(header, "payment_metadata[order_id]", "order_id", "order_reference", required=False)
    col_email = pick(header, "customer_email", required=False)
    col_name = pick(header, "customer_name", required=False)
    col_description = pick(header, "description", required=False)
    rows = []
    for record in records:
        row_type = _stripe_type(record[col_category])
        gross = parse_amount(record[col_gross])
        fee = -parse_amount(record.get(col_fee)) if col_fee else ZERO
        net = parse_amount(record[col_net]) if col_net and record.get(col_net) else gross + fee
        payout = settlement_ref or (record.get(col_payout) if col_payout else "")
        if not payout and row_type == "payout":
            payout = record.get(col_source) or record[col_id]
        source = record.get(col_source) if col_source else ""
        rows.append(
            Row(
                settlement_ref=payout or "",
                date=parse_date(record[col_created], ISO_FORMATS),
                type=row_type,
                currency=record[col_currency],
                gross=gross,
                fee=fee,
                net=net,
                transaction_id=(record.get(col_charge) if col_charge else "") or source or "",
                source_id=record[col_id],
                order_reference=record.get(col_order, "") if col_order else "",
                partner_email=record.get(col_email, "") if col_email else "",
                partner_name=record.get(col_name, "") if col_name else "",
                description=record.get(col_description, "") if col_description else "",
            )
        )
    _assign_payout(rows)
    return rows


def _assign_payout(rows):
    """Rows without a payout reference belong to the file's single payout, if any."""
    payouts = {r.settlement_ref for r in rows if r.type == "payout" and r.settlement_ref}
    if len(payouts) == 1:
        (ref,) = payouts
        for row in rows:
            if not row.settlement_ref:
                row.settlement_ref = ref


def _stripe_minor(amount, currency):
    amount = Decimal(amount or 0)
    return amount if (currency or "").lower() in STRIPE_ZERO_DECIMAL else amount / 100


def parse_stripe_json(content, settlement_ref=None):
    """Stripe API balance transactions: one object, a list, or ``{"data": [...]}``.

    Amounts are in minor units. A ``payout`` balance transaction's ``source`` is
    the payout id, used as settlement reference unless one is given.
    """
    data = json.loads(content) if isinstance(content, str | bytes) else content
    if isinstance(data, dict):
        data = data.get("data", [data]) if data.get("object") != "balance_transaction" else [data]
    objects = [obj for obj in data if obj.get("object") == "balance_transaction"]
    rows = []
    for obj in objects:
        currency = obj["currency"]
        gross = _stripe_minor(obj["amount"], currency)
        fee = -_stripe_minor(obj.get("fee"), currency)
        net = _stripe_minor(obj["net"], currency) if obj.get("net") is not None else gross + fee
        row_type = _stripe_type(obj.get("reporting_category") or obj.get("type"))
        source = obj.get("source") or ""
        if isinstance(source, dict):
            source = source.get("id", "")
        ref = settlement_ref or (source if row_type == "payout" else "") or obj.get("payout") or ""
        rows.append(
            Row(
                settlement_ref=ref,
                date=datetime.fromtimestamp(obj["created"], UTC).date(),
                type=row_type,
                currency=currency,
                gross=gross,
                fee=fee,
                net=net,
                transaction_id=source,
                source_id=obj["id"],
                description=obj.get("description") or "",
                status=obj.get("status") or "",
            )
        )
    _assign_payout(rows)
    return rows


# ----------------------------------------------------------------------
# PayPal
# ----------------------------------------------------------------------
PAYPAL_TYPES = (
    ("withdrawal", "payout"),
    ("retiro", "payout"),
    ("currency conversion", "currency_conversion"),
    ("conversión de divisa", "currency_conversion"),
    ("chargeback reversal", "dispute_reversal"),
    ("cancellation of hold for dispute", "dispute_reversal"),
    ("chargeback fee", "fee"),
    ("dispute fee", "fee"),
    ("chargeback", "chargeback"),
    ("hold on balance for dispute", "chargeback"),
    ("refund", "refund"),
    ("reembolso", "refund"),
    ("payment hold", "reserve"),
    ("payment release", "reserve"),
    ("hold", "reserve"),
    ("release", "reserve"),
    ("fee", "fee"),
    ("payment", "charge"),
    ("pago", "charge"),
)
PAYPAL_SKIPPED_STATUSES = {"denied", "failed", "reversed", "canceled", "cancelled"}


def _paypal_type(label, gross):
    text = (label or "").lower()
    for needle, row_type in PAYPAL_TYPES:
        if needle in text:
            return row_type
    return "charge" if gross >= 0 else "adjustment"


def parse_paypal(content, settlement_ref=None):
    """PayPal activity download or statement CSV (English or Spanish headers).

    A settlement is a bank withdrawal: the rows of a currency since the previous
    withdrawal of that currency, referenced by the withdrawal's transaction id.
    Rows after the last withdrawal are not paid out yet and are left out
    (``settlement_ref`` forces every row into one settlement instead).
    """
    header, records = read_csv(content)
    if not header:
        return []
    spanish = "Fecha" in header
    col_date = pick(header, "Date", "Fecha")
    col_type = pick(header, "Type", "Description", "Descripción")
    col_status = pick(header, "Status", "Estado", required=False)
    col_currency = pick(header, "Currency", "Divisa")
    col_gross = pick(header, "Gross", "Bruto")
    col_fee = pick(header, "Fee", "Comisión")
    col_net = pick(header, "Net", "Neto")
    col_id = pick(header, "Transaction ID", "Id. de transacción")
    col_ref = pick(header, "Reference Txn ID", "Id. de referencia de trans.", required=False)
    col_invoice = pick(header, "Invoice Number", "Invoice ID", "Id. de factura", required=False)
    col_email = pick(header, "From Email Address", "Correo electrónico del remitente", required=False)
    col_name = pick(header, "Name", "Nombre", required=False)
    # Activity exports are D/M/Y, statement exports M/D/Y (PayPal's US locale).
    date_formats = ("%d/%m/%Y",) if ("Type" in header or spanish) else ("%m/%d/%Y",)
    pending = {}
    rows = []
    for record in records:
        status = (record.get(col_status) or "") if col_status else ""
        if status.lower() in PAYPAL_SKIPPED_STATUSES:
            continue
        gross = parse_amount(record[col_gross], decimal_comma=spanish)
        row_type = _paypal_type(record[col_type], gross)
        row = Row(
            settlement_ref=settlement_ref or "",
            date=parse_date(record[col_date], date_formats),
            type=row_type,
            currency=record[col_currency],
            gross=gross,
            fee=parse_amount(record[col_fee], decimal_comma=spanish),
            net=parse_amount(record[col_net], decimal_comma=spanish),
            transaction_id=(record.get(col_ref) if row_type == "refund" and col_ref else "") or record[col_id],
            source_id=record[col_id],
            order_reference=(record.get(col_invoice) or "") if col_invoice else "",
            partner_email=(record.get(col_email) or "") if col_email else "",
            partner_name=(record.get(col_name) or "") if col_name else "",
            description=record[col_type],
            status=status,
        )
        if settlement_ref:
            rows.append(row)
            continue
        bucket = pending.setdefault(row.currency, [])
        bucket.append(row)
        if row_type == "payout" and row.gross < 0:
            for item in bucket:
                item.settlement_ref = row.source_id
            rows.extend(bucket)
            pending[row.currency] = []
    return rows


def parse_paypal_all(content):
    """Every row of a PayPal file, paid out or not (for totals and previews)."""
    return parse_paypal(content, settlement_ref="*")


# ----------------------------------------------------------------------
# Adyen
# ----------------------------------------------------------------------
ADYEN_TYPES = {
    "settled": "charge",
    "settledbulk": "charge",
    "refunded": "refund",
    "refundedbulk": "refund",
    "chargeback": "chargeback",
    "secondchargeback": "chargeback",
    "chargebackreversed": "dispute_reversal",
    "refundedreversed": "adjustment",
    "fee": "fee",
    "invoicededuction": "fee",
    "merchantpayout": "payout",
    "balancetransfer": "reserve",
    "depositcorrection": "reserve",
    "reserveadjustment": "reserve",
    "misccosts": "fee",
    "paymentcost": "fee",
}
ADYEN_FEE_COLUMNS = ("Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)")


def parse_adyen(content, settlement_ref=None):
    """Adyen Settlement details report; columns are read by header name."""
    header, records = read_csv(content)
    if not header:
        return []
    col = {
        name: pick(header, name, required=required)
        for name, required in (
            ("Psp Reference", True),
            ("Merchant Reference", True),
            ("Creation Date", True),
            ("Type", True),
            ("Modification Reference", False),
            ("Gross Currency", True),
            ("Gross Debit (GC)", True),
            ("Gross Credit (GC)", True),
            ("Net Currency", True),
            ("Net Debit (NC)", True),
            ("Net Credit (NC)", True),
            ("Batch Number", True),
            ("Merchant Account", False),
        )
    }
    fee_columns = [pick(header, name, required=False) for name in ADYEN_FEE_COLUMNS]
    rows = []
    for record in records:
        raw_type = record[col["Type"]]
        try:
            row_type = ADYEN_TYPES[raw_type.lower()]
        except KeyError as exc:
            raise ParseError(f"unknown Adyen record type {raw_type!r}") from exc
        net = parse_amount(record[col["Net Credit (NC)"]]) - parse_amount(record[col["Net Debit (NC)"]])
        has_gross = record[col["Gross Credit (GC)"]] or record[col["Gross Debit (GC)"]]
        gross_currency = record[col["Gross Currency"]] or record[col["Net Currency"]]
        if row_type == "fee":
            gross, fee = ZERO, net
        elif has_gross and gross_currency == record[col["Net Currency"]]:
            gross = parse_amount(record[col["Gross Credit (GC)"]]) - parse_amount(record[col["Gross Debit (GC)"]])
            fee = net - gross
        else:
            # Gross in another currency: the net currency is the settlement's; fees summed.
            fee = -sum((parse_amount(record.get(c)) for c in fee_columns if c), ZERO)
            gross = net - fee
        psp = record[col["Psp Reference"]]
        modification = record.get(col["Modification Reference"], "") if col["Modification Reference"] else ""
        batch = record[col["Batch Number"]]
        account = record.get(col["Merchant Account"], "") if col["Merchant Account"] else ""
        rows.append(
            Row(
                settlement_ref=settlement_ref or (f"{account}-{batch}" if account else batch),
                date=parse_date(record[col["Creation Date"]], ISO_FORMATS),
                type=row_type,
                currency=record[col["Net Currency"]],
                gross=gross,
                fee=fee,
                net=net,
                transaction_id=psp,
                source_id=f"{psp or raw_type}:{modification}:{len(rows) + 1}" if not psp else f"{psp}:{modification}",
                order_reference=record[col["Merchant Reference"]],
                description=raw_type,
                extra={"gross_currency": gross_currency},
            )
        )
    return rows


# ----------------------------------------------------------------------
# Shopify Payments
# ----------------------------------------------------------------------
SHOPIFY_TYPES = {
    "charge": "charge",
    "refund": "refund",
    "dispute": "chargeback",
    "chargeback": "chargeback",
    "dispute_won": "dispute_reversal",
    "chargeback_won": "dispute_reversal",
    "chargeback_reversal": "dispute_reversal",
    "adjustment": "adjustment",
    "reserve": "reserve",
    "payout": "payout",
    "fee": "fee",
}


def parse_shopify_payments(content, settlement_ref=None):
    """Shopify Payments payout transactions export (Admin → Payouts → Export)."""
    header, records = read_csv(content)
    if not header:
        return []
    col_date = pick(header, "Transaction Date", "Processed At")
    col_type = pick(header, "Type")
    col_order = pick(header, "Order", required=False)
    col_payout = pick(header, "Payout ID", required=False)
    col_amount = pick(header, "Amount")
    col_fee = pick(header, "Fee")
    col_net = pick(header, "Net")
    col_currency = pick(header, "Currency")
    col_id = pick(header, "Transaction ID", "ID", required=False)
    col_source = pick(header, "Source Order Transaction ID", "Checkout", required=False)
    col_due = pick(header, "Evidence Due By", required=False)
    col_status = pick(header, "Dispute Status", "Payout Status", required=False)
    rows = []
    for index, record in enumerate(records, start=1):
        raw = record[col_type].strip().lower().replace(" ", "_")
        try:
            row_type = SHOPIFY_TYPES[raw]
        except KeyError as exc:
            raise ParseError(f"unknown Shopify Payments transaction type {record[col_type]!r}") from exc
        ref = settlement_ref or (record.get(col_payout) if col_payout else "") or ""
        due = (record.get(col_due) or "").strip() if col_due else ""
        rows.append(
            Row(
                settlement_ref=ref,
                date=parse_date(record[col_date][:19], ISO_FORMATS),
                type=row_type,
                currency=record[col_currency],
                gross=parse_amount(record[col_amount]),
                fee=-abs(parse_amount(record[col_fee])),
                net=parse_amount(record[col_net]),
                transaction_id=(record.get(col_source) if col_source else "") or "",
                source_id=(record.get(col_id) if col_id else "") or f"{ref}:{index}",
                order_reference=(record.get(col_order) if col_order else "") or "",
                status=(record.get(col_status) if col_status else "") or "",
                dispute_due_date=parse_date(due[:10], ("%Y-%m-%d",)) if due else None,
            )
        )
    return rows


# ----------------------------------------------------------------------
# Generic CSV
# ----------------------------------------------------------------------
GENERIC_FIELDS = (
    "settlement_ref",
    "date",
    "type",
    "currency",
    "gross",
    "fee",
    "net",
    "transaction_id",
    "source_id",
    "order_reference",
    "partner_email",
    "partner_name",
    "description",
    "dispute_due_date",
)


def parse_generic(content, mapping, settlement_ref=None):
    """Any CSV, with ``mapping`` = ``{canonical field: column header}`` plus options.

    Options: ``type_map`` (raw type → canonical type, default identity),
    ``date_format`` (default ISO), ``decimal_comma`` (bool), ``fee_positive``
    (fees written as positive costs), ``currency`` (fixed currency when no column).
    """
    header, records = read_csv(content)
    if not header:
        return []
    columns = {name: mapping[name] for name in GENERIC_FIELDS if mapping.get(name)}
    for required in ("date", "gross"):
        if required not in columns:
            raise ParseError(f"the mapping has no column for {required!r}")
    missing = [c for c in columns.values() if c not in header]
    if missing:
        raise ParseError(f"missing column {missing[0]!r}")
    type_map = {str(k).strip().lower(): v for k, v in (mapping.get("type_map") or {}).items()}
    date_formats = (mapping["date_format"],) if mapping.get("date_format") else ISO_FORMATS
    comma = bool(mapping.get("decimal_comma"))
    rows = []
    for index, record in enumerate(records, start=1):
        value = {name: record.get(column, "") for name, column in columns.items()}
        raw_type = (value.get("type") or "charge").strip().lower()
        row_type = type_map.get(raw_type, raw_type)
        gross = parse_amount(value["gross"], comma)
        fee = parse_amount(value.get("fee"), comma)
        if mapping.get("fee_positive"):
            fee = -fee
        due = value.get("dispute_due_date")
        rows.append(
            Row(
                settlement_ref=settlement_ref or value.get("settlement_ref") or "",
                date=parse_date(value["date"], date_formats),
                type=row_type,
                currency=value.get("currency") or mapping.get("currency") or "",
                gross=gross,
                fee=fee,
                net=parse_amount(value["net"], comma) if value.get("net") else gross + fee,
                transaction_id=value.get("transaction_id", ""),
                source_id=value.get("source_id") or str(index),
                order_reference=value.get("order_reference", ""),
                partner_email=value.get("partner_email", ""),
                partner_name=value.get("partner_name", ""),
                description=value.get("description", ""),
                dispute_due_date=parse_date(due, date_formats) if due else None,
            )
        )
    _assign_payout(rows)
    return rows


def _parse_stripe(content, settlement_ref=None):
    text = decode(content)
    if text.lstrip().startswith(("{", "[")):
        return parse_stripe_json(text, settlement_ref)
    return parse_stripe_csv(text, settlement_ref)


PARSERS = {
    "stripe": _parse_stripe,
    "paypal": parse_paypal,
    "adyen": parse_adyen,
    "shopify_payments": parse_shopify_payments,
}


def parse(provider_code, content, mapping=None, settlement_ref=None):
    """Canonical rows of ``content`` for a provider code (``csv`` needs ``mapping``)."""
    if provider_code == "csv":
        if not mapping:
            raise ParseError("a generic CSV import needs a column mapping")
        parser = functools.partial(parse_generic, mapping=mapping)
    else:
        try:
            parser = PARSERS[provider_code]
        except KeyError as exc:
            raise ParseError(f"no parser for provider {provider_code!r}") from exc
    try:
        return parser(content, settlement_ref=settlement_ref)
    except ParseError:
        raise
    except (TypeError, KeyError, IndexError, ValueError, ArithmeticError, AttributeError, csv.Error) as exc:
        # a damaged file: one clear error class for the wizard, never a traceback
        raise ParseError(f"the {provider_code} file cannot be read: {type(exc).__name__}: {exc}") from exc
