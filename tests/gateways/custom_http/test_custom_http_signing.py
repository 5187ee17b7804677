"""The signing scheme (docs/custom-gateways.md, "Signing"): the documented vectors, and what verification refuses."""

from __future__ import annotations

import pytest

from chargeside.core.signing import SignatureError
from chargeside.gateways.custom_http import signing

SECRET = "cs_shared_secret_example_0123456789"
T = 1767225600  # 2026-01-01T00:00:00Z
REFUND_BODY = b'{"amount":1200,"currency":"EUR","reason":"requested_by_customer","metadata":{}}'
REFUND_TARGET, REFUND_KEY = "/v1/payments/pay_00002/refunds", "attempt-7f3a9c"
REFUND_SIGNATURE = "4a32d0a1f848a246f9b7325e8bb730429e5ab06f161f5c0852ab238e8497549f"
LOOKUP_TARGET = "/v1/customers?email=ada%40example.com&limit=100"
LOOKUP_SIGNATURE = "105f29f72dbedb67cfacfd7f7faebc3f39030de88e63ab7ed121703aa31af29d"
PING = b'{"id":"evt_0001","type":"ping","occurred_at":"2026-01-01T00:00:00Z","object_type":"ping","object":null,"deleted":false}'
PING_SIGNATURE = "691930568ff66f4805afbd8f96138a2225d1832b2a7bd80ed3ccb42c49332baa"


def headers(value: str, timestamp: int = T) -> dict[str, str]:
    return {"X-Chargeside-Timestamp": str(timestamp), "X-Chargeside-Signature": value}


def test_the_documented_message_layout():
    assert signing.message(str(T), "POST", REFUND_TARGET, REFUND_KEY, REFUND_BODY) == (
        b"1767225600\nPOST\n/v1/payments/pay_00002/refunds\nattempt-7f3a9c\n" + REFUND_BODY)


@pytest.mark.parametrize(("method", "target", "key", "body", "expected"), [
    ("POST", REFUND_TARGET, REFUND_KEY, REFUND_BODY, REFUND_SIGNATURE),
    ("GET", LOOKUP_TARGET, "", b"", LOOKUP_SIGNATURE),
    ("WEBHOOK", "", "", PING, PING_SIGNATURE),
])
def test_documented_vectors(method, target, key, body, expected):
    assert signing.signature(SECRET, str(T), method, target, key, body) == expected
    assert signing.sign([SECRET], method, target, key, body, now=T) == headers(f"v1={expected}")


def test_a_documented_request_verifies_at_its_time_and_up_to_300_s_either_way():
    for now in (T, T - 300, T + 300):
        signing.verify(headers(f"v1={REFUND_SIGNATURE}"), "POST", REFUND_TARGET, REFUND_KEY, REFUND_BODY, [SECRET], now=now)
    for now in (T - 301, T + 301):
        with pytest.raises(SignatureError, match="tolerance"):
            signing.verify(headers(f"v1={REFUND_SIGNATURE}"), "POST", REFUND_TARGET, REFUND_KEY, REFUND_BODY, [SECRET], now=now)


@pytest.mark.parametrize(("change", "reason"), [
    ({"body": REFUND_BODY.replace(b"1200", b"1201")}, "no v1 signature matches"),
    ({"target": "/v1/payments/pay_00003/refunds"}, "no v1 signature matches"),
    ({"key": "attempt-fresh"}, "no v1 signature matches"),  # a replay with a fresh key is a different message
    ({"method": "PUT"}, "no v1 signature matches"),
    ({"secrets": ["another-secret"]}, "no v1 signature matches"),
])
def test_any_change_to_a_signed_part_is_refused(change, reason):
    args = {"method": "POST", "target": REFUND_TARGET, "key": REFUND_KEY, "body": REFUND_BODY, "secrets": [SECRET], **change}
    with pytest.raises(SignatureError, match=reason):
        signing.verify(headers(f"v1={REFUND_SIGNATURE}"), args["method"], args["target"], args["key"], args["body"], args["secrets"], now=T)


def test_a_request_signature_never_passes_as_a_webhook():
    body = REFUND_BODY
    request_headers = signing.sign([SECRET], "POST", "", "", body, now=T)
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        signing.verify_webhook(request_headers, body, [SECRET], now=T)
    signing.verify_webhook(signing.sign_webhook([SECRET], body, now=T), body, [SECRET], now=T)


@pytest.mark.parametrize(("given", "reason"), [
    ({}, "missing X-Chargeside-Timestamp"),
    ({"X-Chargeside-Timestamp": str(T)}, "missing X-Chargeside-Signature"),
    ({"X-Chargeside-Timestamp": "1767225600.5", "X-Chargeside-Signature": f"v1={PING_SIGNATURE}"}, "decimal Unix seconds"),
    ({"X-Chargeside-Timestamp": str(T), "X-Chargeside-Signature": PING_SIGNATURE}, "garbled"),
    ({"X-Chargeside-Timestamp": str(T), "X-Chargeside-Signature": f"v0={PING_SIGNATURE}"}, "no v1 signature in"),
])
def test_malformed_headers_are_refused_with_a_reason(given, reason):
    with pytest.raises(SignatureError, match=reason):
        signing.verify_webhook(given, PING, [SECRET], now=T)


def test_no_secret_configured_is_a_signature_error_not_a_crash():
    with pytest.raises(SignatureError, match="no shared secret"):
        signing.verify_webhook(headers(f"v1={PING_SIGNATURE}"), PING, ["", ""], now=T)


def test_rotation_any_v1_by_any_configured_secret_passes():
    old = signing.signature("cs_previous_secret", str(T), "WEBHOOK", "", "", PING)
    signing.verify_webhook(headers(f"v1={old}"), PING, [SECRET, "cs_previous_secret"], now=T)
    signing.verify_webhook(headers(f"v1={'0' * 64},v1={PING_SIGNATURE}"), PING, [SECRET], now=T)
    both = signing.sign([SECRET, "cs_previous_secret"], "WEBHOOK", "", "", PING, now=T)
    assert both["X-Chargeside-Signature"] == f"v1={PING_SIGNATURE},v1={old}"


def test_header_names_are_case_insensitive_and_wsgi_spellings_work():
    signing.verify_webhook({"x-chargeside-timestamp": str(T), "x-chargeside-signature": f"v1={PING_SIGNATURE}"}, PING, [SECRET], now=T)
    signing.verify_webhook({"HTTP_X_CHARGESIDE_TIMESTAMP": str(T), "HTTP_X_CHARGESIDE_SIGNATURE": f"v1={PING_SIGNATURE}"}, PING, [SECRET], now=T)


def test_line_breaks_cannot_be_smuggled_into_signed_fields():
    with pytest.raises(ValueError, match="line break"):
        signing.message(str(T), "POST", "/v1/x\nGET", "", b"")
    with pytest.raises(SignatureError, match="line break"):
        signing.verify(headers(f"v1={REFUND_SIGNATURE}"), "POST", REFUND_TARGET, "a\nb", REFUND_BODY, [SECRET], now=T)


def test_the_reference_server_signs_and_verifies_the_same_way(reference):
    """The example server's own implementation (hashlib/hmac, no Chargeside import) agrees with the vectors."""
    assert reference.signature(SECRET, str(T), "POST", REFUND_TARGET, REFUND_KEY, REFUND_BODY) == REFUND_SIGNATURE
    assert reference.signature(SECRET, str(T), "WEBHOOK", "", "", PING) == PING_SIGNATURE
