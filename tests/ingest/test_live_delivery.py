"""End to end over real HTTP: the fake Stripe signs and delivers its own events to our live endpoint."""

import pytest

from chargeside.billing import models as billing
from chargeside.ingest.models import ProcessedEvent, WebhookDelivery
from chargeside.ingest.pipeline import drain


@pytest.fixture
def registered(live_server, stripe_fake, stripe_connection, sdk):
    """Our endpoint registered at the fake, with the signing secret it issued stored on the connection."""
    endpoint = sdk.v1.webhook_endpoints.create(params={
        "url": f"{live_server.url}/hooks/{stripe_connection.webhook_token}/", "enabled_events": ["*"],
    })
    stripe_connection.set_credentials({**stripe_connection.credentials, "webhook_secret": endpoint.secret})
    stripe_connection.save()
    return endpoint


def test_gateway_events_arrive_verified_and_are_applied(registered, stripe_fake, stripe_connection, sdk):
    # given a customer who pays and is partly refunded at the gateway
    customer = sdk.v1.customers.create(params={"email": "live@example.com", "name": "Live Customer"})
    intent = sdk.v1.payment_intents.create(params={
        "amount": 7000, "currency": "try", "customer": customer.id, "payment_method": "pm_card_visa", "confirm": True})
    sdk.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2500})
    # when the fake has delivered every event and the queue is drained
    assert stripe_fake.webhooks.drain(timeout=10)
    attempts = stripe_fake.webhooks.deliveries()
    assert attempts and all(attempt.status == 200 for attempt in attempts)
    result = drain()
    # then every delivery was verified and stored, and the local state matches the gateway
    assert WebhookDelivery.objects.count() == len(attempts)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) <= {"processed", "ignored"}
    assert result.failed == result.retrying == 0
    charge = billing.Charge.objects.get(connection=stripe_connection, intent_remote_id=intent.id)
    assert (charge.amount, charge.currency, charge.amount_refunded, charge.status) == (7000, "TRY", 2500, "partially_refunded")
    assert charge.gateway_customer.email == "live@example.com"
    assert billing.Refund.objects.get(connection=stripe_connection).amount == 2500
    assert ProcessedEvent.objects.filter(type="customer.created", remote_id=customer.id).count() == 1


def test_a_forged_delivery_over_http_is_refused(registered, live_server, stripe_connection, sign, make_event):
    import json
    import urllib.error
    import urllib.request

    body = json.dumps(make_event("customer.created", {"id": "cus_forged", "object": "customer"})).encode()
    request = urllib.request.Request(
        f"{live_server.url}/hooks/{stripe_connection.webhook_token}/", data=body, method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body, secret="whsec_guessed")},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    assert WebhookDelivery.objects.get().status == "rejected"
