"""Webhook signatures: HMAC-SHA256 of the raw body, base64 encoded."""

import base64
import hashlib
import hmac


def compute_signature(secret, body):
    """Return the base64 HMAC-SHA256 of ``body`` (bytes) keyed by ``secret``."""
    if isinstance(secret, str):
        secret = secret.encode()
    digest = hmac.new(secret, body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(body, signature, secrets):
    """Return the index of the secret that signed ``body``, or None.

    ``secrets`` is an ordered iterable (current first, then previous) so a
    secret can be rotated without losing deliveries signed with the old one.
    Comparison is constant-time.
    """
    if not signature:
        return None
    # Compare bytes: a hostile header may hold any character.
    received = signature.strip().encode("utf-8", "replace")
    for index, secret in enumerate(secrets):
        if secret and hmac.compare_digest(compute_signature(secret, body).encode(), received):
            return index
    return None


def first_header(headers, names):
    """Return the first non-empty header among ``names`` (case-insensitive)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value:
            return value
    return None
