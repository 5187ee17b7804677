"""Idempotency keys and injected faults, as seen by the official SDK."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
import stripe
from sandbox_stripe_client import API_KEY, make_client


@pytest.fixture
def paid(client, customer):
    return client.v1.payment_intents.create(params={
        "amount": 5_000, "currency": "usd", "customer": customer.id, "confirm": True,
        "payment_method": customer.invoice_settings.default_payment_method,
    })


def test_same_key_same_params_replays_byte_for_byte(client, paid):
    params = {"payment_intent": paid.id, "amount": 1_000}
    first = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-attempt-1"})
    again = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-attempt-1"})
    assert again.id == first.id
    assert again.last_response.body == first.last_response.body
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert len(client.v1.refunds.list(params={"payment_intent": paid.id}).data) == 1


def test_same_key_other_params_or_endpoint_is_an_idempotency_error(client, paid, customer):
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 1_000}, options={"idempotency_key": "k-42"})
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 2_000}, options={"idempotency_key": "k-42"})
    assert caught.value.http_status == 400
    assert caught.value.user_message == (
        "Keys for idempotent requests can only be used with the same parameters they were first used with. "
        "Try using a key other than 'k-42' if you meant to execute a different request.")
    assert caught.value.error.type == "idempotency_error"
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.update(customer.id, params={"name": "x"}, options={"idempotency_key": "k-42"})
    assert "same endpoint" in caught.value.user_message


def test_errors_are_saved_and_replayed_too(client):
    cus = client.v1.customers.create(params={"payment_method": "pm_card_chargeDeclined"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    params = {"amount": 700, "currency": "eur", "customer": cus.id, "payment_method": pm.id, "confirm": True}
    errors = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as caught:
            client.v1.payment_intents.create(params=params, options={"idempotency_key": "declined-once"})
        errors.append(caught.value)
    assert errors[0].http_body == errors[1].http_body
    assert errors[1].headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.charges.list(params={"customer": cus.id}).data) == 1


def test_twenty_concurrent_requests_with_one_key_make_one_refund(fake, paid):
    results, failures = [], []

    def refund():
        try:
            c = make_client(fake.base_url)
            r = c.v1.refunds.create(params={"payment_intent": paid.id, "amount": 500},
                                    options={"idempotency_key": "one-click-refund"})
            results.append(r.id)
        except Exception as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=refund) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(results) == 20 and len(set(results)) == 1
    charge = make_client(fake.base_url).v1.charges.retrieve(paid.latest_charge)
    assert charge.amount_refunded == 500


def test_injected_rate_limit_and_server_errors(client, fake, paid):
    fake.faults.add(path_prefix="/v1/refunds", status=429, times=1)
    with pytest.raises(stripe.RateLimitError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid.id})
    assert (caught.value.http_status, caught.value.error.code) == (429, "rate_limit")

    fake.faults.add(path_prefix="/v1/refunds", status=500, times=1)
    with pytest.raises(stripe.APIError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid.id})
    assert caught.value.http_status == 500 and caught.value.error.type == "api_error"
    assert client.v1.refunds.list(params={"payment_intent": paid.id}).data == []  # nothing ran


def test_sdk_retry_after_a_503_reuses_its_key_and_succeeds(fake, paid):
    fake.faults.add(path_prefix="/v1/refunds", status=503, times=1, method="POST")
    refund = make_client(fake.base_url, retries=2).v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    assert refund.amount == 100
    assert len(make_client(fake.base_url).v1.refunds.list(params={"payment_intent": paid.id}).data) == 1


def test_answer_lost_after_execution_then_retry_is_replayed(client, fake, paid):
    fake.faults.add(path_prefix="/v1/refunds", times=1, when="after", drop=True)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 300}, options={"idempotency_key": "lost"})
    retried = client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 300}, options={"idempotency_key": "lost"})
    assert retried.last_response.headers["Idempotent-Replayed"] == "true"
    assert [r.id for r in client.v1.refunds.list(params={"payment_intent": paid.id}).data] == [retried.id]


def test_unreachable_then_back(client, fake):
    fake.faults.unreachable = True
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.list()
    fake.faults.clear()
    assert client.v1.customers.list().object == "list"


def test_http_control_surface_for_other_processes(fake, customer):
    def post(action, payload):
        request = urllib.request.Request(f"{fake.base_url}/_sandbox/{action}", data=json.dumps(payload).encode(),
                                         method="POST", headers={"Authorization": f"Bearer {API_KEY}"})
        return json.loads(urllib.request.urlopen(request).read())

    charge = post("charge", {"customer": customer.id, "amount": 1_999, "currency": "try", "decline": "lost_card"})
    assert (charge["status"], charge["outcome"]["reason"]) == ("failed", "lost_card")
    assert post("faults", {"path_prefix": "/v1/customers", "status": 503, "times": 1})["times"] == 1
    with pytest.raises(stripe.APIError):
        make_client(fake.base_url).v1.customers.list()
    assert post("faults", {"clear": True}) == {"cleared": True}


def test_key_held_by_a_slow_request_gives_409_key_in_use(client, fake):
    fake.idempotency.wait = 0.05
    with fake.idempotency.hold("busy-key"):
        with pytest.raises(stripe.APIError) as caught:
            client.v1.customers.create(params={"email": "slow@example.com"}, options={"idempotency_key": "busy-key"})
    assert (caught.value.http_status, caught.value.error.code) == (409, "idempotency_key_in_use")
    created = client.v1.customers.create(params={"email": "slow@example.com"}, options={"idempotency_key": "busy-key"})
    assert created.email == "slow@example.com"  # nothing was saved for the refused attempt


def test_delete_with_a_key_is_replayed_too(client, customer):
    product = client.v1.products.create(params={"name": "Solo"})
    price = client.v1.prices.create(params={"product": product.id, "currency": "gbp", "unit_amount": 800,
                                            "recurring": {"interval": "month"}})
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    first = client.v1.subscriptions.cancel(sub.id, options={"idempotency_key": "cancel-sub"})
    again = client.v1.subscriptions.cancel(sub.id, options={"idempotency_key": "cancel-sub"})
    assert first.status == again.status == "canceled"
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    with pytest.raises(stripe.InvalidRequestError):  # without the key it is a new request: already gone
        client.v1.subscriptions.cancel(sub.id)
