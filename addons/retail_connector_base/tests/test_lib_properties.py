# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Property-based tests of the protocol helpers: hostile input never crashes
them and never leaks what they must hide."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.retail_connector_base.lib import digest, masking, retry, signature

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=2048), secret=st.text(min_size=1, max_size=64), header=st.text(max_size=100))
def test_verify_signature_never_crashes_and_only_accepts_the_real_signature(body, secret, header):
    real = signature.compute_signature(secret, body)
    assert signature.verify_signature(body, real, [secret]) == 0
    assert signature.verify_signature(body, header, [secret]) == (0 if header.strip() == real else None)


@settings(max_examples=100, deadline=None)
@given(payload=json_values)
def test_digest_is_stable_through_a_json_round_trip(payload):
    assert digest.payload_digest(json.loads(json.dumps(payload))) == digest.payload_digest(payload)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_mask_text_never_crashes_and_is_idempotent(text):
    once = masking.mask_text(text)
    assert masking.mask_text(once) == once


@settings(max_examples=100, deadline=None)
@given(local=st.from_regex(r"[a-z]{3,10}", fullmatch=True), domain=st.from_regex(r"[a-z]{3,10}", fullmatch=True))
def test_mask_text_hides_every_email(local, domain):
    email = f"{local}@{domain}.com"
    assert email not in masking.mask_text(f"Customer {email} paid")


@settings(max_examples=100, deadline=None)
@given(payload=json_values, email=st.emails())
def test_mask_payload_hides_email_values_anywhere(payload, email):
    masked = masking.mask_payload({"customer": {"email": email, "data": payload}})
    assert masked["customer"]["email"] == masking.MASK


@settings(max_examples=150, deadline=None)
@given(
    status=st.integers(min_value=100, max_value=599),
    retry_after=st.one_of(st.none(), st.text(max_size=20), st.integers(-10, 10**6).map(str)),
)
def test_any_http_status_maps_to_a_bounded_job_outcome(status, retry_after):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    error = retry.classify_http(status, headers, "body")
    if status < 400:
        assert error is None
        return
    outcome = retry.to_job_error(error)
    if error.kind in ("throttled", "transient"):
        assert 1 <= outcome.seconds <= retry.MAX_DELAY
    else:
        assert outcome is error


@settings(max_examples=150, deadline=None)
@given(
    requested=st.floats(0, 10_000, allow_nan=False),
    available=st.floats(0, 10_000, allow_nan=False),
    rate=st.floats(0, 1_000, allow_nan=False),
)
def test_throttle_wait_is_never_negative(requested, available, rate):
    wait = retry.throttle_wait(requested, available, rate)
    assert wait >= 0
    if rate > 0 and requested <= available:
        assert wait == 0
