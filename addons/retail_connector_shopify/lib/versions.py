"""Shopify Admin API versions the connector speaks, and what changes between them.

From 2026-04 ``inventorySetQuantities`` takes ``changeFromQuantity`` (no more
``compareQuantity``/``ignoreCompareQuantity``) and, like ``refundCreate``, needs
an ``@idempotent(key:)`` directive; older versions get the ``*_2025_01`` documents.
"""

SUPPORTED_VERSIONS = ("2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07")
DEFAULT_VERSION = "2026-07"
#: first version with changeFromQuantity and mandatory @idempotent
IDEMPOTENT_SINCE = "2026-04"
#: first version with ``returnProcess`` (older versions refund a return with ``refundCreate``)
RETURN_PROCESS_SINCE = "2025-07"

#: document kinds that have a pre-2026-04 variant
_VERSIONED_DOCUMENTS = {"inventory_set": "inventory_set_2025_01", "refund_create": "refund_create_2025_01"}


def check_version(version):
    """Return ``version`` when supported, else raise ValueError."""
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"Unsupported Shopify API version {version!r} (supported: {', '.join(SUPPORTED_VERSIONS)})")
    return version


def requires_idempotency(version):
    """True when mutations need the ``@idempotent(key:)`` directive."""
    # "YYYY-MM" strings compare chronologically
    return check_version(version) >= IDEMPOTENT_SINCE


def uses_change_from_quantity(version):
    """True when ``inventorySetQuantities`` expects ``changeFromQuantity``."""
    return check_version(version) >= IDEMPOTENT_SINCE


def uses_return_process(version):
    """True when a return is refunded with ``returnProcess`` (else ``refundCreate``)."""
    return check_version(version) >= RETURN_PROCESS_SINCE


def document_for(kind, version):
    """Name of the GraphQL document to send for ``kind`` in ``version``."""
    if kind in _VERSIONED_DOCUMENTS and not requires_idempotency(version):
        return _VERSIONED_DOCUMENTS[kind]
    check_version(version)
    return kind
