"""Invoice payments (``client.v1.invoice_payments``): since basil the only link from an invoice to the
PaymentIntent (and so the charge) that paid it, and back."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def paid_invoices(client, customer):
    price = client.v1.prices.create(params={"product_data": {"name": "Pro"}, "currency": "usd", "unit_amount": 2_900,
                                            "recurring": {"interval": "month"}})
    first = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    second = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    return [client.v1.invoices.retrieve(s.latest_invoice, params={"expand": ["payments"]}) for s in (first, second)]


def test_from_an_invoice_to_its_charge_and_back(client, paid_invoices):
    invoice = paid_invoices[0]
    listed = client.v1.invoice_payments.list(params={"invoice": invoice.id})
    assert [p.id for p in listed.data] == [invoice.payments.data[0].id] and listed.url == "/v1/invoice_payments"
    payment = listed.data[0]
    assert (payment.status, payment.amount_paid, payment.amount_requested, payment.is_default) == ("paid", 2_900, 2_900, True)
    intent = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount, charge.payment_intent) == (2_900, intent.id)

    back = client.v1.invoice_payments.list(params={"payment": {"type": "payment_intent", "payment_intent": intent.id}})
    assert [(p.id, p.invoice) for p in back.data] == [(payment.id, invoice.id)]
    assert client.v1.invoice_payments.retrieve(payment.id).to_dict() == payment.to_dict()
    expanded = client.v1.invoice_payments.retrieve(payment.id, params={"expand": ["payment.payment_intent", "invoice"]})
    assert (expanded.payment.payment_intent.latest_charge, expanded.invoice.id) == (charge.id, invoice.id)


def test_all_invoice_payments_page_newest_first(client, paid_invoices):
    first_page = client.v1.invoice_payments.list(params={"limit": 1})
    assert first_page.has_more and first_page.data[0].invoice == paid_invoices[1].id
    rest = client.v1.invoice_payments.list(params={"limit": 1, "starting_after": first_page.data[0].id})
    assert [p.invoice for p in rest.data] == [paid_invoices[0].id] and not rest.has_more
    assert client.v1.invoice_payments.list(params={"status": "open"}).data == []


def test_unknown_invoice_payments(client, customer):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoice_payments.retrieve("inpay_nope")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoice_payments.list(params={"invoice": "in_nope"})
    assert caught.value.param == "invoice"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.invoice_payments.list(params={"payment": {"type": "payment_intent"}})
    assert caught.value.param == "payment[payment_intent]"
