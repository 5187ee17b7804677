"""The fake's default shape is the current API's: every object it serves has only fields the SDK's
models know (stripe 16.1.0, API 2026-10-28) or the bundled 2023 spec requires.
``StripeFake(legacy_fields=True)`` also serves a few fields older code reads (``invoice.charge``,
``charge.invoice``…).
"""

from __future__ import annotations

import json

import pytest
import sandbox_stripe_spec as spec_check
import stripe
from sandbox_stripe_client import make_client

from chargeside.sandbox.stripe import legacy
from chargeside.sandbox.stripe.seed import seed

MODELS = {
    "account": stripe.Account, "charge": stripe.Charge, "coupon": stripe.Coupon, "customer": stripe.Customer,
    "discount": stripe.Discount, "dispute": stripe.Dispute, "event": stripe.Event, "invoice": stripe.Invoice,
    "invoice_payment": stripe.InvoicePayment, "invoiceitem": stripe.InvoiceItem, "line_item": stripe.InvoiceLineItem,
    "payment_intent": stripe.PaymentIntent, "payment_method": stripe.PaymentMethod, "price": stripe.Price,
    "product": stripe.Product, "promotion_code": stripe.PromotionCode, "refund": stripe.Refund,
    "setup_intent": stripe.SetupIntent, "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem, "tax_id": stripe.TaxId,
}


@pytest.fixture
def shop(current_fake):
    seed(current_fake, 40)
    client = make_client(current_fake.base_url)
    cus = client.v1.customers.create(params={"email": "now@example.com", "payment_method": "pm_card_visa"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    client.v1.customers.update(cus.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    price = client.v1.prices.create(params={"product_data": {"name": "Pro"}, "currency": "usd", "unit_amount": 2_900,
                                            "recurring": {"interval": "month"}})
    sub = client.v1.subscriptions.create(params={"customer": cus.id, "items": [{"price": price.id}]})
    return client, cus, sub


def _objects(node):
    if isinstance(node, dict):
        if isinstance(node.get("object"), str) and node["object"] in MODELS:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _unknown_fields(fake) -> set[str]:
    required = {name: set(schema.get("required", [])) for name, schema in spec_check.spec_dict()["components"]["schemas"].items()} \
        if spec_check.SPEC_PATH.exists() else {}
    out = set()
    for _, _, status, body, _ in fake.exchanges:
        if status == 200:
            for obj in _objects(json.loads(body)):
                known = set(MODELS[obj["object"]].__annotations__) | required.get(obj["object"], set())
                out |= {f"{obj['object']}.{k}" for k in obj if k not in known}
    return out


def test_invoices_and_charges_link_through_payments_only(shop):
    client, _, sub = shop
    plain = client.v1.invoices.retrieve(sub.latest_invoice)
    assert "payments" not in plain  # includable: only sent when expanded
    invoice = client.v1.invoices.retrieve(sub.latest_invoice, params={"expand": ["payments.data.payment.payment_intent"]})
    for gone in ("charge", "payment_intent", "subscription", "subscription_details", "tax"):
        assert gone not in invoice
    assert invoice.parent.subscription_details.subscription == sub.id
    paid = invoice.payments.data[0]
    assert (paid.status, paid.payment.type) == ("paid", "payment_intent")
    intent = paid.payment.payment_intent
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount, charge.captured, charge.payment_intent) == (2_900, True, intent.id)
    assert "invoice" not in charge and "invoice" not in intent
    listed = client.v1.invoices.list(params={"subscription": sub.id, "expand": ["data.payments"]}).data[0]
    assert listed.payments.data[0].payment.payment_intent == intent.id
    line = invoice.lines.data[0]
    assert "price" not in line and line.pricing.price_details.price == sub["items"].data[0].price.id
    assert "plan" not in sub and "quantity" not in sub and sub["items"].data[0].quantity == 1


def test_webhook_payloads_leave_out_the_same_fields(shop, current_fake):
    events = current_fake.control.events("invoice.paid")
    assert events and all("charge" not in e["data"]["object"] for e in events)
    charge_events = current_fake.control.events("charge.succeeded")
    assert charge_events and all("invoice" not in e["data"]["object"] for e in charge_events)


def test_everything_served_is_in_the_sdk_models_or_required_by_the_2023_spec(shop, current_fake):
    client, cus, _ = shop
    for resource in (client.v1.customers, client.v1.charges, client.v1.payment_intents, client.v1.refunds,
                     client.v1.invoices, client.v1.disputes, client.v1.prices, client.v1.products,
                     client.v1.coupons, client.v1.promotion_codes, client.v1.events, client.v1.invoice_payments):
        assert resource.list(params={"limit": 100}).data
    client.v1.subscriptions.list(params={"status": "all", "limit": 100, "expand": ["data.discounts"]})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 500, "currency": "usd"})
    client.v1.invoice_items.list(params={"customer": cus.id})
    client.v1.customers.tax_ids.create(cus.id, params={"type": "eu_vat", "value": "DE123456789"})
    client.v1.tax_ids.list(params={"owner": {"type": "customer", "customer": cus.id}})
    client.v1.accounts.retrieve_current()
    assert _unknown_fields(current_fake) == set()


def test_the_legacy_mode_still_serves_the_removed_fields(legacy_fake):
    fake = legacy_fake
    client = make_client(fake.base_url)
    customer = client.v1.customers.create(params={"email": "legacy@example.com", "payment_method": "pm_card_visa",
                                                  "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = client.v1.prices.create(params={"product_data": {"name": "Pro"}, "currency": "usd", "unit_amount": 2_900,
                                            "recurring": {"interval": "month"}})
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.subscription == sub.id and invoice.charge.startswith("ch_")
    assert client.v1.charges.retrieve(invoice.charge).invoice == invoice.id
    assert _unknown_fields(fake) >= {"invoice.charge", "charge.invoice", "subscription.plan"}
    assert {f.split(".")[1] for f in _unknown_fields(fake)} <= set().union(*legacy.REMOVED.values())
