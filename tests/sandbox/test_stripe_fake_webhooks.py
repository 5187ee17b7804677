"""Events, webhook endpoints and signed deliveries (shared/protocols/gateways.md §1)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest
import stripe

from chargeside.sandbox.stripe import API_VERSION, signature_header

P = b'{"id":"evt_test_webhook","object":"event"}'
VECTOR = "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"


def test_signer_matches_the_protocol_vector_and_the_sdk():
    assert signature_header(P, "whsec_test_secret", 1700000000) == VECTOR
    assert stripe.WebhookSignature.generate_signature_header(P.decode(), "whsec_test_secret", 1700000000) == VECTOR
    assert stripe.WebhookSignature.verify_header(P.decode(), VECTOR, "whsec_test_secret", tolerance=None)


def test_deliveries_are_signed_and_carry_the_event(client, fake, receiver, customer):
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url,
                                                          "enabled_events": ["refund.created", "charge.refunded"]})
    assert endpoint.secret.startswith("whsec_") and endpoint.status == "enabled"
    assert "secret" not in client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict()

    pi = client.v1.payment_intents.create(params={"amount": 2_500, "currency": "try", "customer": customer.id,
                                                  "confirm": True,
                                                  "payment_method": customer.invoice_settings.default_payment_method})
    refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1_000},
                                      options={"idempotency_key": "hook-refund"})
    assert fake.webhooks.drain(timeout=5)

    events = []
    for headers, body in receiver.deliveries:
        stripe.WebhookSignature.verify_header(body.decode(), headers["stripe-signature"], endpoint.secret, tolerance=300)
        events.append(json.loads(body))
    assert [e["type"] for e in events] == ["refund.created", "charge.refunded"]
    created, refunded = events
    assert created["data"]["object"]["id"] == refund.id
    assert refunded["data"]["object"]["amount_refunded"] == 1_000
    assert refunded["data"]["previous_attributes"] == {"amount_refunded": 0, "refunded": False}
    assert (created["api_version"], created["livemode"], created["object"]) == (API_VERSION, False, "event")
    assert created["request"] == {"id": refund.last_response.request_id, "idempotency_key": "hook-refund"}
    assert client.v1.events.retrieve(created["id"]).type == "refund.created"


def test_failed_deliveries_are_retried_with_backoff(client, fake, receiver):
    receiver.statuses = [500, 503]
    client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.created"]})
    cus = client.v1.customers.create(params={"email": "retry@example.com"})
    assert fake.webhooks.drain(timeout=5)
    attempts = fake.webhooks.deliveries(event_type="customer.created")
    assert [(a.attempt, a.status) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert len({a.event_id for a in attempts}) == 1
    assert json.loads(receiver.deliveries[-1][1])["data"]["object"]["id"] == cus.id


def test_unreachable_endpoint_gives_up_after_bounded_attempts(client, fake):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/gone"
    client.v1.webhook_endpoints.create(params={"url": dead, "enabled_events": ["*"]})
    client.v1.customers.create(params={"email": "nobody-listens@example.com"})
    assert fake.webhooks.drain(timeout=10)
    attempts = fake.webhooks.deliveries(event_type="customer.created")
    assert len(attempts) == fake.webhooks.max_attempts
    assert all(a.status is None and "Connection refused" in a.error for a in attempts)


def test_enabled_events_filter_wildcard_and_disabled(client, fake, receiver):
    everything = client.v1.webhook_endpoints.create(params={"url": receiver.url + "?all", "enabled_events": ["*"]})
    only_pm = client.v1.webhook_endpoints.create(params={"url": receiver.url + "?pm", "enabled_events": ["payment_method.*"]})
    off = client.v1.webhook_endpoints.create(params={"url": receiver.url + "?off", "enabled_events": ["*"]})
    client.v1.webhook_endpoints.update(off.id, params={"disabled": True})
    cus = client.v1.customers.create(params={"payment_method": "pm_card_amex"})
    assert fake.webhooks.drain(timeout=5)
    seen = {(a.endpoint_id, a.event_type) for a in fake.webhooks.deliveries()}
    assert seen == {(everything.id, "customer.created"), (everything.id, "payment_method.attached"),
                    (only_pm.id, "payment_method.attached")}
    assert client.v1.webhook_endpoints.delete(off.id).deleted is True
    assert {e.id for e in client.v1.webhook_endpoints.list().data} == {everything.id, only_pm.id}
    assert cus.id


def test_events_list_filters(client, fake):
    client.v1.customers.create(params={"email": "e1@example.com"})
    client.v1.customers.create(params={"email": "e2@example.com", "payment_method": "pm_card_visa"})
    created = client.v1.events.list(params={"type": "customer.created"})
    assert [e.data.object.email for e in created.data] == ["e2@example.com", "e1@example.com"]
    both = client.v1.events.list(params={"types": ["customer.created", "payment_method.attached"]})
    assert len(both.data) == 3
    later = client.v1.events.list(params={"created": {"gte": fake.control.now() + 3600}})
    assert later.data == []
    assert {e.type for e in client.v1.events.list(params={"type": "payment_method.*"}).data} == {"payment_method.attached"}


def test_checkout_setup_session_hosted_page_attaches_a_card(client, fake, receiver, customer):
    client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["checkout.session.completed",
                                                                                       "payment_method.attached"]})
    session = client.v1.checkout.sessions.create(params={
        "mode": "setup", "customer": customer.id, "currency": "usd",
        "success_url": "https://app.example.com/done?session={CHECKOUT_SESSION_ID}",
    })
    assert session.url.startswith(fake.base_url + "/checkout/") and session.status == "open"
    page = urllib.request.urlopen(session.url).read().decode()
    assert "Jenny Rosen" in page and "<form" in page

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    form = urllib.parse.urlencode({"card": "mastercard", "exp_month": "7", "exp_year": "2032", "action": "submit"})
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:  # urllib reports the unfollowed 303
        opener.open(urllib.request.Request(session.url, data=form.encode(), method="POST"))
    assert redirect.value.code == 303
    assert redirect.value.headers["Location"] == f"https://app.example.com/done?session={session.id}"
    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent.payment_method"]})
    assert done.status == "complete" and done.setup_intent.status == "succeeded"
    card = done.setup_intent.payment_method
    assert (card.customer, card.card.brand, card.card.exp_month) == (customer.id, "mastercard", 7)
    assert fake.webhooks.drain(timeout=5)
    assert {a.event_type for a in fake.webhooks.deliveries()} == {"payment_method.attached", "checkout.session.completed"}
