"""Subscriptions, invoices, coupons and promotion codes through the official SDK."""

from __future__ import annotations

import json
import urllib.request

import pytest
import stripe
from sandbox_stripe_client import API_KEY


@pytest.fixture
def plans(client):
    product = client.v1.products.create(params={"name": "Team"})
    monthly = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 3_000,
                                              "recurring": {"interval": "month"}, "lookup_key": "team_monthly"})
    bigger = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 6_000,
                                             "recurring": {"interval": "month"}})
    yearly = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 30_000,
                                             "recurring": {"interval": "year"}})
    return {"product": product, "monthly": monthly, "bigger": bigger, "yearly": yearly}


def _subscribe(client, customer, price, **extra):
    return client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}], **extra})


def test_catalogue_lists_and_filters(client, plans):
    prices = client.v1.prices.list(params={"product": plans["product"].id, "recurring": {"interval": "month"}})
    assert {p.unit_amount for p in prices.data} == {3_000, 6_000}
    assert client.v1.prices.list(params={"lookup_keys": ["team_monthly"]}).data[0].id == plans["monthly"].id
    one_time = client.v1.prices.create(params={"product_data": {"name": "Setup"}, "currency": "try", "unit_amount": 150_000})
    assert (one_time.type, one_time.recurring) == ("one_time", None)
    assert client.v1.products.retrieve(plans["product"].id).name == "Team"


def test_create_pays_the_first_invoice(client, customer, plans):
    sub = _subscribe(client, customer, plans["monthly"])
    assert sub.status == "active" and sub["items"].data[0].price.id == plans["monthly"].id
    assert sub.current_period_end > sub.current_period_start == sub["items"].data[0].current_period_start
    invoice = client.v1.invoices.retrieve(sub.latest_invoice, params={"expand": ["payments.data.payment.payment_intent"]})
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == ("paid", 3_000, "subscription_create")
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.payments.data[0].payment.payment_intent.status == "succeeded"
    listed = client.v1.invoices.list(params={"subscription": sub.id, "status": "paid"})
    assert [i.id for i in listed.data] == [invoice.id]


def test_trial_then_renewal_failure_past_due_and_retry(client, customer, plans, fake):
    sub = _subscribe(client, customer, plans["monthly"], trial_period_days=14)
    assert sub.status == "trialing" and sub.trial_end - sub.trial_start == 14 * 86400
    assert client.v1.invoices.retrieve(sub.latest_invoice).amount_due == 0

    renewed = fake.control.renew_subscription(sub.id, outcome="failed")
    assert renewed["status"] == "past_due"
    open_invoice = client.v1.invoices.retrieve(renewed["latest_invoice"])
    assert (open_invoice.status, open_invoice.attempt_count, open_invoice.amount_remaining) == ("open", 1, 3_000)

    paid = client.v1.invoices.pay(open_invoice.id)
    assert paid.status == "paid"
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_cancel_at_period_end_then_undo_and_cancel_now(client, customer, plans):
    sub = _subscribe(client, customer, plans["monthly"])
    ending = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert (ending.status, ending.cancel_at_period_end, ending.cancel_at) == ("active", True, sub.current_period_end)
    undone = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})
    assert (undone.cancel_at_period_end, undone.cancel_at) == (False, None)

    canceled = client.v1.subscriptions.cancel(sub.id, params={"prorate": True, "invoice_now": True,
                                                              "cancellation_details": {"comment": "moving"}})
    assert (canceled.status, canceled.cancellation_details.comment) == ("canceled", "moving")
    assert canceled.ended_at is not None
    final = client.v1.invoices.retrieve(canceled.latest_invoice)
    assert final.total < 0 and final.lines.data[0].proration is True  # credit for the unused month
    assert client.v1.customers.retrieve(customer.id).balance == final.total
    assert client.v1.subscriptions.list(params={"customer": customer.id}).data == []
    assert [s.id for s in client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"}).data] == [sub.id]


def test_price_change_preview_and_prorations(client, customer, plans):
    sub = _subscribe(client, customer, plans["monthly"])
    item = sub["items"].data[0].id
    preview = client.v1.invoices.create_preview(params={
        "customer": customer.id, "subscription": sub.id,
        "subscription_details": {"items": [{"id": item, "price": plans["bigger"].id}],
                                 "proration_date": sub.current_period_start},
    })
    assert preview.id.startswith("upcoming_in_")
    assert [(line.amount, line.proration) for line in preview.lines.data] == [(-3_000, True), (6_000, True), (6_000, False)]
    assert preview.amount_due == 9_000 and preview.period_start == sub.current_period_end

    query = (f"customer={customer.id}&subscription={sub.id}&subscription_items[0][id]={item}"
             f"&subscription_items[0][price]={plans['bigger'].id}&subscription_proration_date={sub.current_period_start}")
    request = urllib.request.Request(f"{client._requestor.base_addresses['api']}/v1/invoices/upcoming?{query}",
                                     headers={"Authorization": f"Bearer {API_KEY}"})
    legacy = json.loads(urllib.request.urlopen(request).read())
    assert legacy["amount_due"] == 9_000 and "id" not in legacy

    changed = client.v1.subscriptions.update(sub.id, params={"items": [{"id": item, "price": plans["bigger"].id}],
                                                             "proration_behavior": "always_invoice"})
    assert changed["items"].data[0].price.id == plans["bigger"].id
    invoice = client.v1.invoices.retrieve(changed.latest_invoice)
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid"
    assert sum(line.amount for line in invoice.lines.data) == invoice.total == invoice.amount_paid


def test_interval_change_bills_immediately(client, customer, plans):
    sub = _subscribe(client, customer, plans["monthly"])
    item = sub["items"].data[0].id
    yearly = client.v1.subscriptions.update(sub.id, params={"items": [{"id": item, "price": plans["yearly"].id}]})
    assert yearly.current_period_end - yearly.current_period_start >= 365 * 86400
    invoice = client.v1.invoices.retrieve(yearly.latest_invoice)
    # Credit for the (whole, just started) unused month, then the year in advance.
    assert [line.amount for line in invoice.lines.data] == [-3_000, 30_000]
    assert (invoice.status, invoice.amount_paid) == ("paid", 27_000)


def test_coupon_validation(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.coupons.create(params={"percent_off": 10, "amount_off": 100, "currency": "usd"})
    assert caught.value.http_status == 400


def test_manual_invoice_finalize_send_void(client, customer):
    draft = client.v1.invoices.create(params={"customer": customer.id, "collection_method": "send_invoice",
                                              "days_until_due": 14, "currency": "eur"})
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": draft.id, "amount": 12_500,
                                           "currency": "eur", "description": "Onboarding"})
    draft = client.v1.invoices.retrieve(draft.id)
    assert (draft.status, draft.amount_due, draft.lines.data[0].description) == ("draft", 12_500, "Onboarding")

    final = client.v1.invoices.finalize_invoice(draft.id)
    assert final.status == "open" and final.number and final.due_date > final.status_transitions.finalized_at
    sent = client.v1.invoices.send_invoice(final.id)
    assert sent.status == "open"
    voided = client.v1.invoices.void_invoice(final.id)
    assert (voided.status, voided.amount_remaining) == ("void", 0)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.send_invoice(final.id)

    auto = client.v1.invoices.create(params={"customer": customer.id, "currency": "eur"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoices.send_invoice(auto.id)
    assert "collection method is 'send_invoice'" in caught.value.user_message


def test_declined_first_payment_leaves_incomplete_or_refuses(client, plans):
    cus = client.v1.customers.create(params={"payment_method": "pm_card_chargeCustomerFail"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    client.v1.customers.update(cus.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    sub = client.v1.subscriptions.create(params={"customer": cus.id, "items": [{"price": plans["monthly"].id}]})
    assert sub.status == "incomplete"
    assert client.v1.invoices.retrieve(sub.latest_invoice).status == "open"

    with pytest.raises(stripe.CardError) as caught:
        client.v1.subscriptions.create(params={"customer": cus.id, "items": [{"price": plans["monthly"].id}],
                                               "payment_behavior": "error_if_incomplete"})
    assert caught.value.code == "card_declined"
    assert len(client.v1.subscriptions.list(params={"customer": cus.id}).data) == 1

    bare = client.v1.customers.create(params={"email": "nocard@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.create(params={"customer": bare.id, "items": [{"price": plans["monthly"].id}]})
    assert caught.value.user_message.startswith("This customer has no attached payment source or default payment method.")


def test_setup_intent_saves_a_card_for_later(client, customer):
    seti = client.v1.setup_intents.create(params={"customer": customer.id, "usage": "off_session"})
    assert (seti.status, seti.client_secret.startswith(seti.id + "_secret_")) == ("requires_payment_method", True)
    done = client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_amex"})
    assert done.status == "succeeded"
    card = client.v1.payment_methods.retrieve(done.payment_method)
    assert (card.customer, card.card.brand, card.card.last4) == (customer.id, "amex", "0005")
    assert [s.id for s in client.v1.setup_intents.list(params={"customer": customer.id}).data] == [seti.id]
