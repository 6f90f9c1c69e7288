# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The canonical settlement row and helpers shared by the parsers."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

LINE_TYPES = (
    "charge",
    "refund",
    "fee",
    "chargeback",
    "dispute_reversal",
    "adjustment",
    "reserve",
    "currency_conversion",
    "payout",
)

ZERO = Decimal("0")


class ParseError(ValueError):
    """The file is not what the parser expects (missing column, bad value)."""


@dataclass
class Row:
    """One movement of the provider balance."""

    settlement_ref: str
    date: date
    type: str
    currency: str
    gross: Decimal
    fee: Decimal = ZERO
    net: Decimal | None = None
    transaction_id: str = ""
    source_id: str = ""
    order_reference: str = ""
    partner_email: str = ""
    partner_name: str = ""
    description: str = ""
    status: str = ""
    dispute_due_date: date | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.type not in LINE_TYPES:
            raise ParseError(f"unknown line type {self.type!r}")
        if self.net is None:
            self.net = self.gross + self.fee
        self.currency = (self.currency or "").upper()


@dataclass
class Settlement:
    """Rows of one payout (or batch)."""

    external_id: str
    currency: str
    rows: list

    @property
    def date(self):
        payout = [r.date for r in self.rows if r.type == "payout"]
        return max(payout or [r.date for r in self.rows])

    @property
    def date_start(self):
        return min(r.date for r in self.rows)

    @property
    def gross(self):
        return sum((r.gross for r in self.rows if r.type != "payout"), ZERO)

    @property
    def fees(self):
        return sum((r.fee for r in self.rows), ZERO)

    @property
    def net(self):
        """The amount paid out to the bank (positive), from the payout rows."""
        return -sum((r.net for r in self.rows if r.type == "payout"), ZERO)


def group_settlements(rows):
    """Group rows by settlement reference, keeping file order."""
    groups = {}
    for row in rows:
        groups.setdefault((row.settlement_ref, row.currency), []).append(row)
    return [Settlement(external_id=ref, currency=currency, rows=items) for (ref, currency), items in groups.items()]


_NUMBER = re.compile(r"[^0-9,.\-]")


def parse_amount(value, decimal_comma=False):
    """``"1,653.75"`` → ``Decimal("1653.75")``; ``"4.626,81"`` with ``decimal_comma``."""
    text = (value or "").strip()
    if not text:
        return ZERO
    negative = text.startswith("(") and text.endswith(")")
    text = _NUMBER.sub("", text)
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        amount = Decimal(text or "0")
    except InvalidOperation as exc:
        raise ParseError(f"not an amount: {value!r}") from exc
    return -amount if negative else amount


def parse_date(value, formats):
    text = (value or "").strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ParseError(f"not a date: {value!r}")


def decode(content):
    """Text of an uploaded file (UTF-8, BOM tolerated); a clear error otherwise."""
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"the file is not UTF-8 text (byte {exc.start}): export it again as CSV UTF-8") from exc
    return content


def read_csv(content):
    """Rows as dicts keyed by the stripped header (bytes or text, BOM tolerated)."""
    content = decode(content).lstrip("\ufeff")
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], []
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append({name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header) if name})
    return [h for h in header if h], rows


def pick(header, *aliases, required=True):
    """The first header among ``aliases`` present in the file (case-insensitive)."""
    lowered = {name.lower(): name for name in header}
    for alias in aliases:
        if alias.lower() in lowered:
            return lowered[alias.lower()]
    if required:
        raise ParseError(f"missing column {aliases[0]!r}")
    return None
