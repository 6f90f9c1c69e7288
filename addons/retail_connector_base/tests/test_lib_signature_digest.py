"""Plain-Python tests for lib.signature and lib.digest (no database needed)."""

import base64
import hashlib
import hmac

from odoo.addons.retail_connector_base.lib import digest, signature

BODY = b'{"id": 1001, "email": "jane@example.com"}'
CURRENT = "current-secret"
PREVIOUS = "previous-secret"


def _reference_signature(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# --------------------------------------------------------------------------- signature


def test_compute_signature_is_base64_hmac_sha256_for_str_and_bytes_secret():
    expected = _reference_signature(CURRENT, BODY)
    assert signature.compute_signature(CURRENT, BODY) == expected
    assert signature.compute_signature(CURRENT.encode(), BODY) == expected


def test_verify_signature_good_signature_returns_current_secret_index():
    sig = signature.compute_signature(CURRENT, BODY)
    assert signature.verify_signature(BODY, sig, [CURRENT, PREVIOUS]) == 0


def test_verify_signature_previous_secret_returns_index_one():
    sig = signature.compute_signature(PREVIOUS, BODY)
    assert signature.verify_signature(BODY, sig, [CURRENT, PREVIOUS]) == 1


def test_verify_signature_rejects_tampered_body_and_unknown_secret():
    sig = signature.compute_signature(CURRENT, BODY)
    assert signature.verify_signature(BODY + b" ", sig, [CURRENT, PREVIOUS]) is None
    foreign = signature.compute_signature("someone-else", BODY)
    assert signature.verify_signature(BODY, foreign, [CURRENT, PREVIOUS]) is None


def test_verify_signature_missing_signature_or_no_secrets_is_none():
    sig = signature.compute_signature(CURRENT, BODY)
    assert signature.verify_signature(BODY, None, [CURRENT]) is None
    assert signature.verify_signature(BODY, "", [CURRENT]) is None
    assert signature.verify_signature(BODY, sig, []) is None


def test_verify_signature_skips_empty_secret_but_keeps_index_positions():
    sig = signature.compute_signature(PREVIOUS, BODY)
    # an unset current secret must not match anything, and the previous one keeps index 1
    assert signature.verify_signature(BODY, sig, ["", PREVIOUS]) == 1
    assert signature.verify_signature(BODY, signature.compute_signature("", BODY), ["", None]) is None


def test_verify_signature_tolerates_surrounding_whitespace():
    sig = signature.compute_signature(CURRENT, BODY)
    assert signature.verify_signature(BODY, f"  {sig}\r\n", [CURRENT]) == 0


def test_first_header_is_case_insensitive():
    headers = {"X-Shopify-Hmac-Sha256": "abc"}
    assert signature.first_header(headers, ["x-shopify-hmac-sha256"]) == "abc"
    assert signature.first_header(headers, ["X-SHOPIFY-HMAC-SHA256"]) == "abc"


def test_first_header_follows_names_order_and_skips_empty_values():
    headers = {"x-signature": "second", "X-Hmac": "first", "X-Empty": ""}
    assert signature.first_header(headers, ["X-Hmac", "X-Signature"]) == "first"
    assert signature.first_header(headers, ["X-Signature", "X-Hmac"]) == "second"
    assert signature.first_header(headers, ["X-Empty", "X-Signature"]) == "second"
    assert signature.first_header(headers, ["X-Absent", "X-Empty"]) is None


# --------------------------------------------------------------------------- digest


def test_payload_digest_ignores_key_order_even_nested():
    first = {"id": 7, "title": "Mug", "variants": [{"sku": "M-1", "price": "9.90"}], "tags": {"a": 1, "b": 2}}
    second = {"tags": {"b": 2, "a": 1}, "variants": [{"price": "9.90", "sku": "M-1"}], "title": "Mug", "id": 7}
    assert digest.payload_digest(first) == digest.payload_digest(second)
    assert len(digest.payload_digest(first)) == 64  # hex SHA-256


def test_payload_digest_changes_when_a_value_or_list_order_changes():
    base = {"id": 7, "price": "9.90", "variants": [1, 2]}
    assert digest.payload_digest(base) != digest.payload_digest({**base, "price": "9.91"})
    assert digest.payload_digest(base) != digest.payload_digest({**base, "variants": [2, 1]})


def test_advisory_lock_key_is_stable_signed_64_bit():
    key = digest.advisory_lock_key("shopify", 42, "product")
    # stable: same parts -> same key, and equal to a hand-computed reference
    reference = int.from_bytes(hashlib.sha256(b"shopify\x1f42\x1fproduct").digest()[:8], "big", signed=True)
    assert key == reference
    assert key == digest.advisory_lock_key("shopify", 42, "product")
    assert -(2**63) <= key <= 2**63 - 1
    assert digest.advisory_lock_key("shopify", 43, "product") != key


def test_advisory_lock_key_can_be_negative_signed_range():
    keys = [digest.advisory_lock_key("backend", index) for index in range(64)]
    # a signed interpretation must produce negative keys for roughly half of the inputs
    assert any(key < 0 for key in keys)
    assert all(-(2**63) <= key <= 2**63 - 1 for key in keys)
