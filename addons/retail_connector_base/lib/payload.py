# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook bodies: only what PostgreSQL's jsonb can store is accepted as a
payload; anything else gets a clear reason (and is kept as text)."""

import json


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _has_nul(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def decode_json_body(body):
    """``(payload, None)`` for a storable JSON object or array, ``(None, reason)`` otherwise."""
    try:
        payload = json.loads(body or b"null", parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        return None, f"The body is not valid JSON ({exc})"
    if not isinstance(payload, dict | list):
        return None, "The body is not a JSON object"
    if _has_nul(payload):
        # jsonb cannot hold U+0000
        return None, "The body contains NUL characters"
    return payload, None


def raw_excerpt(body, limit=10000):
    """The body as text for the record: undecodable bytes and NULs replaced."""
    return body.decode("utf-8", "replace")[:limit].replace("\x00", "\ufffd")
