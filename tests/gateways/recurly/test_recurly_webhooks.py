"""recurly-signature verification: the protocol file's vectors, rotation, replay window, malformed input."""

import hashlib
import hmac
import json

import pytest

from chargeside.core.signing import SignatureError
from chargeside.gateways.recurly import webhooks

P = b'{"id":"evt_test_webhook","object":"event"}'
VECTOR_MS = "ddc6a5995f6a26ecfcf85acfea1c292d60211da8fa73ec4228ec80f22f4f6d1a"  # shared/protocols/gateways.md §5
VECTOR_S = "77fa909fc72ee468956d7710282cd729e6a148cbc02b04e6be3e0b51790aecf1"


def independent(body: bytes, secret: str, ts: int) -> str:
    # Written from the wire description, not imported from the adapter.
    return hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


def test_protocol_vectors_milliseconds_and_seconds():
    assert independent(P, "recurly_secret", 1700000000000) == VECTOR_MS
    assert webhooks.signature_header(P, "recurly_secret", 1700000000000) == f"1700000000000,{VECTOR_MS}"
    webhooks.verify({"recurly-signature": f"1700000000000,{VECTOR_MS}"}, P, "recurly_secret", now=1700000000.5)
    webhooks.verify({"Recurly-Signature": f"1700000000,{VECTOR_S}"}, P, "recurly_secret", now=1700000100)


def test_any_of_two_signatures_passes_during_rotation():
    header = f"1700000000000,{independent(P, 'old_secret', 1700000000000)},{VECTOR_MS}"
    webhooks.verify({"recurly-signature": header}, P, "recurly_secret", now=1700000000)


def test_django_meta_header_name_is_read():
    webhooks.verify({"HTTP_RECURLY_SIGNATURE": f"1700000000000,{VECTOR_MS}"}, P, "recurly_secret", now=1700000000)


@pytest.mark.parametrize("now", [1700000000 + 301, 1700000000 - 301])
def test_outside_five_minutes_is_a_replay(now):
    with pytest.raises(SignatureError, match="tolerance"):
        webhooks.verify({"recurly-signature": f"1700000000000,{VECTOR_MS}"}, P, "recurly_secret", now=now)


@pytest.mark.parametrize("headers,reason", [
    ({}, "missing"),
    ({"recurly-signature": VECTOR_MS}, "garbled"),
    ({"recurly-signature": f"abc,{VECTOR_MS}"}, "garbled"),
    ({"recurly-signature": "1700000000000,"}, "no signature"),
    ({"recurly-signature": f"1700000000000,{VECTOR_S}"}, "no signature matches"),
    ({"recurly-signature": f"01700000000000,{VECTOR_MS}"}, "no signature matches"),  # signed as spelled
])
def test_bad_headers_are_refused(headers, reason):
    with pytest.raises(SignatureError, match=reason):
        webhooks.verify(headers, P, "recurly_secret", now=1700000000)


def test_wrong_secret_changed_body_and_no_secret():
    header = {"recurly-signature": f"1700000000000,{VECTOR_MS}"}
    with pytest.raises(SignatureError):
        webhooks.verify(header, P, "other_secret", now=1700000000)
    with pytest.raises(SignatureError):
        webhooks.verify(header, P + b" ", "recurly_secret", now=1700000000)
    with pytest.raises(SignatureError, match="no webhook signing secret"):
        webhooks.verify(header, P, "", now=1700000000)
    with pytest.raises(TypeError):
        webhooks.verify(header, P.decode(), "recurly_secret", now=1700000000)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"object_type":"account"}', json.dumps({"id": "x", "object_type": "account", "event_type": "created", "event_time": "yesterday"}).encode(), b"\xff\xfe"])
def test_malformed_bodies_are_value_errors(body):
    with pytest.raises(ValueError):
        webhooks.parse(body)


def test_adapter_verifies_with_its_connection_secret(adapter):
    body = json.dumps({"id": "abc", "object_type": "account", "site_id": "s", "event_type": "updated", "event_time": "2026-01-01T00:00:00Z"}).encode()
    header = webhooks.signature_header(body, "recurly_test_secret", 1767225600000)
    adapter.verify_webhook(headers={"recurly-signature": header}, body=body, now=1767225600)
    (event,) = adapter.parse_webhook(body)
    assert event.remote_id == "abc" and adapter.event_needs_refetch(event)
