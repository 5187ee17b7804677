"""WooCommerce webhook verification (on raw bytes) and parsing into events."""

import json

import pytest

from chargeside.core.signing import SignatureError
from chargeside.gateways.types import ResourceKind
from chargeside.gateways.woocommerce import webhooks

P = b'{"id":"evt_test_webhook","object":"event"}'


def test_protocol_vector():
    assert webhooks.expected_signature("woo_secret", P) == "RNPkVOOusdWCumyjZlRIeuHFFoatPcLZO/177s6/6tc="
    webhooks.verify({"X-WC-Webhook-Signature": "RNPkVOOusdWCumyjZlRIeuHFFoatPcLZO/177s6/6tc="}, P, "woo_secret")
    webhooks.verify({"HTTP_X_WC_WEBHOOK_SIGNATURE": "RNPkVOOusdWCumyjZlRIeuHFFoatPcLZO/177s6/6tc="}, P, "woo_secret")


@pytest.mark.parametrize(("headers", "body", "secret", "reason"), [
    ({"X-WC-Webhook-Signature": "RNPkVOOusdWCumyjZlRIeuHFFoatPcLZO/177s6/6tc="}, P + b" ", "woo_secret", "does not match"),
    ({"X-WC-Webhook-Signature": "RNPkVOOusdWCumyjZlRIeuHFFoatPcLZO/177s6/6tc="}, P, "other", "does not match"),
    ({}, P, "woo_secret", "missing X-WC-Webhook-Signature"),
    ({"X-WC-Webhook-Signature": "x"}, P, "", "no webhook secret"),
    ({}, b"webhook_id=12&x=1", "woo_secret", "missing"),
])
def test_bad_signatures_are_refused(headers, body, secret, reason):
    with pytest.raises(SignatureError, match=reason):
        webhooks.verify(headers, body, secret)


def test_the_secret_is_entity_decoded_as_woocommerce_signs_with_it():
    signature = webhooks.expected_signature("a&b", P)
    webhooks.verify({"X-WC-Webhook-Signature": signature}, P, "a&amp;b")


def test_the_unsigned_ping_passes_and_is_ignored():
    webhooks.verify({}, b"webhook_id=12", "woo_secret")
    [event] = webhooks.parse(b"webhook_id=12")
    assert (event.kind, event.type, event.event_id) == (None, "ping", "wc:ping:12")


def test_an_order_body_is_a_charge_event_plus_its_guest(woo_payload):
    body = json.dumps(woo_payload("order_guest_processing")).replace("/", "\\/").encode()
    charge, guest = webhooks.parse(body)
    assert (charge.kind, charge.remote_id, charge.type, charge.obj.amount) == (ResourceKind.CHARGE, "727", "order.updated", 2935)
    assert (guest.kind, guest.remote_id, guest.obj.email) == (ResourceKind.CUSTOMER, "guest:john.doe@example.com", "john.doe@example.com")
    assert charge.event_id.startswith("wc:charge:727:") and webhooks.parse(body)[0].event_id == charge.event_id
    changed = body.replace(b'"processing"', b'"completed"')
    assert webhooks.parse(changed)[0].event_id != charge.event_id


def test_other_resources(woo_payload):
    assert [e.kind for e in webhooks.parse(json.dumps(woo_payload("customer")).encode())] == [ResourceKind.CUSTOMER]
    assert [e.kind for e in webhooks.parse(json.dumps(woo_payload("subscription_pending_cancel")).encode())] == [ResourceKind.SUBSCRIPTION]
    assert [e.kind for e in webhooks.parse(json.dumps(woo_payload("coupon")).encode())] == [ResourceKind.COUPON]
    [unknown] = webhooks.parse(b'{"id":727}')
    assert (unknown.kind, unknown.remote_id) == (None, "727")
    [deleted] = webhooks.parse(b'{"id":727}', {"X-WC-Webhook-Topic": "order.deleted"})
    assert (deleted.kind, deleted.remote_id, deleted.deleted, deleted.type) == (ResourceKind.CHARGE, "727", True, "order.deleted")
    assert deleted.event_id != unknown.event_id


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"id":"x"}', b"\xff\xfe", b"webhook_id=abc"])
def test_malformed_bodies(body):
    with pytest.raises(ValueError):
        webhooks.parse(body)
