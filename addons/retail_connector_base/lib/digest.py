"""Stable digests and lock keys."""

import hashlib
import json


def payload_digest(payload):
    """SHA-256 of a JSON-able payload in canonical form (sorted keys).

    Two payloads that differ only in key order have the same digest, so an
    unchanged record can be recognised and skipped.
    """
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def advisory_lock_key(*parts):
    """Signed 64-bit key for ``pg_advisory_xact_lock`` built from ``parts``."""
    raw = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big", signed=True)
