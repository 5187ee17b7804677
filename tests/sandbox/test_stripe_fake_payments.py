"""PaymentIntents, charges and refunds through the official SDK."""

from __future__ import annotations

import pytest
import stripe


def _manual_intent(client, customer, amount=10_000, currency="eur"):
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": currency, "customer": customer.id,
        "payment_method": customer.invoice_settings.default_payment_method,
        "capture_method": "manual", "confirm": True, "off_session": True,
    })


def _paid_intent(client, customer, amount=10_000, currency="usd"):
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": currency, "customer": customer.id, "confirm": True,
        "payment_method": customer.invoice_settings.default_payment_method, "off_session": True,
    })


def test_expand_latest_charge_and_customer(client, customer):
    pi = _paid_intent(client, customer)
    expanded = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge", "customer"]})
    assert expanded.latest_charge.object == "charge" and expanded.latest_charge.amount_captured == 10_000
    assert expanded.customer.email == "jenny.rosen@example.com"
    charges = client.v1.charges.list(params={"customer": customer.id, "expand": ["data.payment_intent"]})
    assert charges.data[0].payment_intent.id == pi.id


def test_partial_refunds_up_to_the_remainder_then_over_refund_is_refused(client, customer):
    pi = _paid_intent(client, customer, 10_000, "usd")
    first = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 3_000, "reason": "requested_by_customer",
                                             "metadata": {"ticket": "T-1"}})
    assert (first.amount, first.status, first.charge, first.metadata.to_dict()) == (3_000, "succeeded", pi.latest_charge, {"ticket": "T-1"})

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 8_000})
    err = caught.value
    assert (err.http_status, err.param, err.code) == (400, "amount", None)
    assert err.user_message == "Refund amount ($80.00) is greater than unrefunded amount on charge ($70.00)"

    rest = client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 7_000})
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (10_000, True)
    assert [r.id for r in client.v1.refunds.list(params={"payment_intent": pi.id}).data] == [rest.id, first.id]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert caught.value.code == "charge_already_refunded"
    assert caught.value.user_message == f"Charge {pi.latest_charge} has already been refunded."


def test_first_refund_larger_than_the_charge_and_zero_decimal_currency(client, customer):
    pi = _paid_intent(client, customer, 5_000, "jpy")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 6_000})
    assert caught.value.user_message == "Refund amount (¥6,000) is greater than charge amount (¥5,000)"
    full = client.v1.refunds.create(params={"payment_intent": pi.id})
    assert (full.amount, full.currency) == (5_000, "jpy")


def test_decline_surfaces_as_card_error_and_keeps_the_failed_charge(client):
    cus = client.v1.customers.create(params={"email": "broke@example.com",
                                             "payment_method": "pm_card_chargeDeclinedInsufficientFunds"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_intents.create(params={"amount": 2_000, "currency": "try", "customer": cus.id,
                                                 "payment_method": pm.id, "confirm": True, "off_session": True})
    err = caught.value
    assert (err.http_status, err.code, err.error.decline_code) == (402, "card_declined", "insufficient_funds")
    assert err.user_message == "Your card has insufficient funds."
    charge = client.v1.charges.retrieve(err.error.charge)
    assert (charge.status, charge.failure_code, charge.outcome.reason, charge.outcome.type) == (
        "failed", "card_declined", "insufficient_funds", "issuer_declined")
    pi = client.v1.payment_intents.retrieve(err.error.payment_intent.id)
    assert pi.status == "requires_payment_method" and pi.last_payment_error.decline_code == "insufficient_funds"


def test_charge_search_update_and_list_filters(client, customer, fake):
    pi = _paid_intent(client, customer, 1_234, "eur")
    fake.control.charge(customer.id, 999, "try", decline="expired_card")
    updated = client.v1.charges.update(pi.latest_charge, params={"description": "Order #1", "metadata": {"order": "1"}})
    assert (updated.description, updated.metadata["order"]) == ("Order #1", "1")
    failed = client.v1.charges.search(params={"query": f"customer:'{customer.id}' AND status:'failed'"})
    assert [(c.amount, c.failure_code) for c in failed.data] == [(999, "expired_card")]
    by_pi = client.v1.charges.list(params={"payment_intent": pi.id})
    assert [c.id for c in by_pi.data] == [pi.latest_charge]


def test_disputes_list_retrieve_and_evidence(client, customer, fake):
    pi = _paid_intent(client, customer, 8_900, "eur")
    dispute = fake.control.create_dispute(pi.latest_charge, reason="product_not_received", due_in_days=5)
    listed = client.v1.disputes.list(params={"charge": pi.latest_charge})
    assert [d.id for d in listed.data] == [dispute["id"]]
    got = client.v1.disputes.retrieve(dispute["id"])
    assert (got.status, got.reason, got.amount) == ("needs_response", "product_not_received", 8_900)
    assert got.evidence_details.due_by > fake.control.now()
    assert client.v1.charges.retrieve(pi.latest_charge).disputed is True

    submitted = client.v1.disputes.update(dispute["id"], params={"evidence": {"uncategorized_text": "Delivered on 3 May"},
                                                                 "submit": True})
    assert (submitted.status, submitted.evidence.uncategorized_text) == ("under_review", "Delivered on 3 May")
    lost = client.v1.disputes.close(dispute["id"])
    assert lost.status == "lost"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": pi.latest_charge})
    assert caught.value.code == "charge_disputed"
