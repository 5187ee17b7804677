"""Webhook verification (signature, then age) and parsing; protocol vector; stale, forged, malformed bodies."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

import braintree
import pytest

from chargeside.core.signing import SignatureError
from chargeside.gateways.braintree import webhooks
from chargeside.gateways.braintree.adapter import BraintreeAdapter
from chargeside.gateways.types import ResourceKind as K

PUBLIC, PRIVATE = "integration_public_key", "integration_private_key"


@pytest.fixture
def adapter():
    return BraintreeAdapter(settings={"merchant_id": "integration_merchant_id"}, credentials={"public_key": PUBLIC, "private_key": PRIVATE})


def sdk_sample(kind: str, object_id: str) -> bytes:
    """What Braintree posts, built by the SDK's own webhook_testing.sample_notification."""
    gateway = braintree.BraintreeGateway(braintree.Configuration(braintree.Environment.Sandbox, merchant_id="m", public_key=PUBLIC,
                                                                 private_key=PRIVATE))
    sample = gateway.webhook_testing.sample_notification(kind, object_id)
    return urllib.parse.urlencode({"bt_signature": sample["bt_signature"], "bt_payload": sample["bt_payload"]}).encode()


def form(payload: bytes, signature: str) -> bytes:
    return urllib.parse.urlencode({"bt_signature": signature, "bt_payload": payload.decode()}).encode()


def test_protocol_vector():
    payload = b"PG5vdGlmaWNhdGlvbj48L25vdGlmaWNhdGlvbj4=\n"
    mac = hmac.new(hashlib.sha1(PRIVATE.encode()).digest(), payload, hashlib.sha1).hexdigest()
    assert mac == "9d8c26221276dbabd81c02e5f37208929f074e90"


def test_sdk_sample_verifies_and_parses(adapter):
    body = sdk_sample("subscription_went_past_due", "sub_9")
    adapter.verify_webhook(headers={}, body=body)
    [event] = adapter.parse_webhook(body)
    assert (event.type, event.kind, event.remote_id, event.obj) == ("subscription_went_past_due", K.SUBSCRIPTION, "sub_9", None)
    assert event.event_id.startswith("bt_") and adapter.event_needs_refetch(event)


def test_dispute_and_transaction_kinds(adapter):
    [dispute] = adapter.parse_webhook(sdk_sample("dispute_opened", "dsp_7"))
    assert (dispute.kind, dispute.remote_id) == (K.DISPUTE, "dsp_7")
    [settled] = adapter.parse_webhook(sdk_sample("transaction_settled", "tx_7"))
    assert (settled.kind, settled.remote_id) == (K.CHARGE, "tx_7")
    events = adapter.parse_webhook(sdk_sample("subscription_charged_successfully", "sub_7"))
    assert [(e.kind, e.remote_id) for e in events] == [(K.SUBSCRIPTION, "sub_7"), (K.CHARGE, "sub_7")]
    [check] = adapter.parse_webhook(sdk_sample("check", ""))
    assert check.kind is None


def test_the_same_notification_has_the_same_event_id(adapter):
    body = sdk_sample("subscription_canceled", "sub_1")
    assert adapter.parse_webhook(body)[0].event_id == adapter.parse_webhook(body)[0].event_id


def test_forged_signature_is_rejected(adapter):
    body = sdk_sample("subscription_canceled", "sub_1")
    fields = urllib.parse.parse_qs(body.decode())
    with pytest.raises(SignatureError, match="signature"):
        adapter.verify_webhook(headers={}, body=form(fields["bt_payload"][0].encode(), f"{PUBLIC}|{'0' * 40}"))
    with pytest.raises(SignatureError, match="public key"):
        adapter.verify_webhook(headers={}, body=form(fields["bt_payload"][0].encode(), "other_key|" + fields["bt_signature"][0].split("|")[1]))


def test_changed_payload_is_rejected(adapter):
    fields = urllib.parse.parse_qs(sdk_sample("subscription_canceled", "sub_1").decode())
    xml = base64.decodebytes(fields["bt_payload"][0].encode()).replace(b"sub_1", b"sub_2")
    with pytest.raises(SignatureError):
        adapter.verify_webhook(headers={}, body=form(base64.encodebytes(xml), fields["bt_signature"][0]))


def signed(xml: bytes) -> bytes:
    payload = base64.encodebytes(xml)
    return form(payload, f"{PUBLIC}|" + hmac.new(hashlib.sha1(PRIVATE.encode()).digest(), payload, hashlib.sha1).hexdigest())


def notification(at: dt.datetime) -> bytes:
    return (f'<notification><timestamp type="datetime">{at.strftime("%Y-%m-%dT%H:%M:%SZ")}</timestamp><kind>subscription_canceled</kind>'
            "<subject><subscription><id>sub_1</id></subscription></subject></notification>").encode()


def test_stale_and_future_notifications_are_rejected(adapter):
    now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    adapter.verify_webhook(headers={}, body=signed(notification(now - dt.timedelta(hours=24))), now=now.timestamp())  # a retry
    with pytest.raises(SignatureError, match="older than 25 hours"):
        adapter.verify_webhook(headers={}, body=signed(notification(now - dt.timedelta(hours=26))), now=now.timestamp())
    with pytest.raises(SignatureError, match="tolerance"):
        adapter.verify_webhook(headers={}, body=signed(notification(now + dt.timedelta(minutes=10))), now=now.timestamp())


@pytest.mark.parametrize("body", [b"", b"not a form", b"bt_signature=x", b"bt_payload=abc", b"\xff\xfe", b"bt_signature=a|b&bt_payload=%%%"])
def test_malformed_bodies_are_rejected_not_crashing(adapter, body):
    with pytest.raises(SignatureError):
        adapter.verify_webhook(headers={}, body=body)


def test_signed_but_unreadable_payload_is_rejected(adapter):
    with pytest.raises(SignatureError):
        adapter.verify_webhook(headers={}, body=signed(b"<notification><kind>x"))
    with pytest.raises(ValueError):
        adapter.parse_webhook(b"bt_signature=a&bt_payload=bm90IHhtbA==")


def test_challenge_answer_matches_the_sdk(adapter):
    assert webhooks.verify_challenge(adapter._webhook_gateway, "20f9f8ed05f77439fe955c977e4c8a53") == \
        f"{PUBLIC}|" + hmac.new(hashlib.sha1(PRIVATE.encode()).digest(), b"20f9f8ed05f77439fe955c977e4c8a53", hashlib.sha1).hexdigest()
