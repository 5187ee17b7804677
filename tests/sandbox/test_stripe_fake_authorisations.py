"""Authorise, capture (in full or in part) and release, as API 2025-03-31.basil and later do it.

Since basil a partial capture releases the rest without a refund: ``amount_refunded`` and
``refunded`` are untouched, no refund object or ``charge.refunded`` event exists, and a canceled
PaymentIntent leaves its charge unrefunded (docs.stripe.com/changelog/basil/2025-03-31/
remove-refund-from-partial-capture-and-payment-cancellation-flow).
"""

from __future__ import annotations

import pytest
import stripe


def _hold(client, customer, amount=10_000, currency="usd"):
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": currency, "customer": customer.id,
        "payment_method": customer.invoice_settings.default_payment_method,
        "capture_method": "manual", "confirm": True, "off_session": True,
    })


def _event_types(fake, object_id):
    return [e["type"] for e in reversed(fake.control.events()) if e["data"]["object"]["id"] == object_id]


def test_an_authorisation_holds_without_moving_money(client, customer):
    pi = _hold(client, customer)
    assert (pi.status, pi.amount_capturable, pi.amount_received) == ("requires_capture", 10_000, 0)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded, charge.paid) == (False, 0, 0, True)
    assert charge.balance_transaction is None


def test_partial_capture_releases_the_remainder_without_a_refund(client, customer, fake):
    pi = _hold(client, customer)
    captured = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 7_500})
    assert (captured.status, captured.amount_received, captured.amount_capturable) == ("succeeded", 7_500, 0)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount, charge.captured, charge.amount_captured) == (10_000, True, 7_500)
    assert (charge.amount_refunded, charge.refunded) == (0, False)
    assert charge.balance_transaction == "txn_" + charge.id[3:]
    assert client.v1.refunds.list(params={"payment_intent": pi.id}).data == []
    assert _event_types(fake, charge.id) == ["charge.succeeded", "charge.captured"]
    captured_event = fake.control.events("charge.captured")[0]
    assert captured_event["data"]["previous_attributes"] == {
        "amount_captured": 0, "balance_transaction": None, "captured": False}

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(pi.id)
    assert caught.value.code == "payment_intent_unexpected_state"


def test_refunds_after_a_partial_capture_stop_at_the_captured_amount(client, customer):
    pi = _hold(client, customer)
    client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 7_500})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 8_000})
    assert (caught.value.param, caught.value.user_message) == (
        "amount", "Refund amount ($80.00) is greater than charge amount ($75.00)")

    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 5_000})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 3_000})
    assert caught.value.user_message == "Refund amount ($30.00) is greater than unrefunded amount on charge ($25.00)"

    rest = client.v1.refunds.create(params={"payment_intent": pi.id})
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (rest.amount, charge.amount_refunded, charge.refunded) == (2_500, 7_500, True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert caught.value.code == "charge_already_refunded"


def test_cancel_releases_an_authorisation_without_refunding_the_charge(client, customer, fake):
    pi = _hold(client, customer, 4_200, "eur")
    canceled = client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "requested_by_customer"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "requested_by_customer")
    assert (canceled.amount_capturable, canceled.amount_received) == (0, 0)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded, charge.refunded) == (False, 0, 0, False)
    assert client.v1.refunds.list(params={"charge": charge.id}).data == []
    assert _event_types(fake, charge.id) == ["charge.succeeded"]
    assert _event_types(fake, pi.id)[-1] == "payment_intent.canceled"

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.cancel(pi.id)
    assert caught.value.code == "payment_intent_unexpected_state"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": charge.id})
    assert (caught.value.http_status, caught.value.param) == (400, "charge")


def test_a_held_charge_is_released_by_canceling_its_intent_not_by_a_refund(client, customer):
    pi = _hold(client, customer, 3_000)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": pi.latest_charge})
    assert caught.value.user_message == (f"Charge {pi.latest_charge} has not been captured. Cancel its "
                                         f"PaymentIntent ({pi.id}) to release the authorization.")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert caught.value.param == "payment_intent"
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_capture"


def test_a_payment_intents_charge_cannot_be_captured_directly(client, customer):
    pi = _hold(client, customer, 3_000)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.charges.capture(pi.latest_charge)
    assert caught.value.user_message == (
        f"This uncaptured Charge was created by a PaymentIntent ({pi.id}). You must capture the PaymentIntent "
        "instead. For more information, see https://stripe.com/docs/payments/place-a-hold-on-a-payment-method")
    assert client.v1.charges.retrieve(pi.latest_charge).captured is False


def test_legacy_charge_partial_capture_then_refunds(client, customer):
    held = client.v1.charges.create(params={"amount": 6_000, "currency": "usd", "customer": customer.id,
                                            "capture": False})
    assert (held.captured, held.amount_captured, held.balance_transaction) == (False, 0, None)
    captured = client.v1.charges.capture(held.id, params={"amount": 4_000})
    assert (captured.captured, captured.amount_captured, captured.amount_refunded, captured.refunded) == (
        True, 4_000, 0, False)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.charges.capture(held.id)
    assert caught.value.code == "charge_already_captured"
    refund = client.v1.refunds.create(params={"charge": held.id})
    assert (refund.amount, client.v1.charges.retrieve(held.id).refunded) == (4_000, True)


def test_an_uncaptured_legacy_charge_is_released_by_refunding_it(client, customer):
    held = client.v1.charges.create(params={"amount": 2_500, "currency": "usd", "customer": customer.id,
                                            "capture": False})
    refund = client.v1.refunds.create(params={"charge": held.id})
    charge = client.v1.charges.retrieve(held.id)
    assert (refund.amount, charge.captured, charge.amount_refunded, charge.refunded) == (2_500, False, 2_500, True)
