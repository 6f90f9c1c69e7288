"""Timestamps from channels (ISO 8601 with offsets) as naive UTC datetimes,
the way Odoo stores them."""

import re
from datetime import UTC, datetime

_FRACTION_RE = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(value):
    """Return a naive UTC datetime for an ISO 8601 string, or None.

    Accepts ``Z`` and ``±hh:mm`` offsets and more than six fractional digits
    (Shopify sends nanoseconds in ``X-Shopify-Triggered-At``).
    """
    if not value or not isinstance(value, str):
        return None
    text = _FRACTION_RE.sub(r"\1", value.strip().replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)
