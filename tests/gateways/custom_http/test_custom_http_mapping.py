"""Contract JSON → DTOs: exact values, statuses derived from amounts, and clear refusals of what the contract forbids."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chargeside.gateways.custom_http import mapping, webhooks
from chargeside.gateways.types import ChargeStatus, InvoiceStatus, ResourceKind, SubscriptionStatus

PAYMENT = {"id": "pay_1", "customer_id": "cus_1", "amount": 5000, "currency": "EUR", "status": "succeeded", "amount_refunded": 0,
           "description": "Order 1001", "invoice_id": None, "created_at": "2026-11-02T10:00:00.250Z"}


@pytest.mark.parametrize(("status", "refunded", "expected", "captured"), [
    ("succeeded", 0, ChargeStatus.SUCCEEDED, 5000),
    ("succeeded", 1200, ChargeStatus.PARTIALLY_REFUNDED, 5000),
    ("succeeded", 5000, ChargeStatus.REFUNDED, 5000),
    ("pending", 0, ChargeStatus.PENDING, 0),
    ("failed", 0, ChargeStatus.FAILED, 0),
])
def test_payment_status_follows_the_refunded_amount(status, refunded, expected, captured):
    dto = mapping.payment({**PAYMENT, "status": status, "amount_refunded": refunded})
    assert (dto.status, dto.amount, dto.amount_captured, dto.amount_refunded) == (expected, 5000, captured, refunded)


def test_payment_fields():
    dto = mapping.payment({**PAYMENT, "currency": "eur", "created_at": "2026-11-02T12:00:00+02:00"})
    assert (dto.remote_id, dto.customer_remote_id, dto.currency, dto.description, dto.invoice_remote_id) == (
        "pay_1", "cus_1", "EUR", "Order 1001", "")
    assert dto.created_at == dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("amount", 50.0, "'amount' must be a whole number of minor units"),
    ("amount", "50.00", "'amount' must be a whole number of minor units"),
    ("amount", True, "'amount' must be a whole number of minor units"),
    ("amount", -1, "'amount' must be a whole number of minor units"),
    ("amount_refunded", 5001, "'amount_refunded' must be at most the amount \\(5000\\)"),
    ("currency", "EURO", "'currency' must be an ISO 4217 code"),
    ("status", "refunded", "'status' must be one of failed, pending, succeeded"),
    ("created_at", "2026-11-02T10:00:00", "'created_at' must be a timestamp with an offset"),
    ("created_at", 1793613600, "'created_at' must be an RFC 3339 timestamp string or null"),
    ("id", "", "'id' must be a non-empty string"),
])
def test_contract_violations_name_the_object_and_the_field(field, value, message):
    with pytest.raises(mapping.ContractError, match=message):
        mapping.payment({**PAYMENT, field: value})


def test_subscription_and_invoice():
    sub = mapping.subscription({"id": "sub_1", "customer_id": "cus_1", "status": "past_due", "plan_id": "pro", "plan_name": "Pro",
                                "amount": 2900, "currency": "EUR", "interval": "month", "interval_count": 1, "quantity": 2,
                                "current_period_start": "2026-11-01T00:00:00Z", "current_period_end": "2026-12-01T00:00:00Z",
                                "cancel_at_period_end": True, "canceled_at": None})
    assert (sub.status, sub.price_remote_id, sub.quantity, sub.cancel_at_period_end, sub.current_period_end) == (
        SubscriptionStatus.PAST_DUE, "pro", 2, True, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    inv = mapping.invoice({"id": "inv_1", "customer_id": "cus_1", "status": "open", "currency": "JPY", "total": 750, "amount_paid": 250,
                           "lines": [{"description": "Pro", "amount": 800, "quantity": 1}, {"description": "Discount", "amount": -50}]})
    assert (inv.status, inv.total, inv.amount_due, inv.amount_paid, inv.amount_remaining) == (InvoiceStatus.OPEN, 750, 750, 250, 500)
    assert [(line.amount, line.currency) for line in inv.lines] == [(800, "JPY"), (-50, "JPY")]
    with pytest.raises(mapping.ContractError, match="subscription 'sub_2': 'interval' must be one of day, week, month, year"):
        mapping.subscription({"id": "sub_2", "customer_id": "c", "status": "active", "amount": 1, "currency": "EUR", "interval": "fortnight"})


def event(**fields) -> bytes:
    return json.dumps({"id": "evt_1", "type": "payment.refunded", "occurred_at": "2026-11-02T10:00:00Z", "object_type": "payment",
                       "object": {**PAYMENT, "amount_refunded": 1200}, **fields}).encode()


def test_webhook_event_carries_the_mapped_object():
    (parsed,) = webhooks.parse(event())
    assert (parsed.event_id, parsed.type, parsed.kind, parsed.remote_id, parsed.deleted) == (
        "evt_1", "payment.refunded", ResourceKind.CHARGE, "pay_1", False)
    assert parsed.obj.status == ChargeStatus.PARTIALLY_REFUNDED and parsed.occurred_at == dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


def test_webhook_of_an_unknown_object_type_is_stored_not_acted_on():
    (parsed,) = webhooks.parse(event(type="ping", object_type="ping", object=None))
    assert (parsed.kind, parsed.remote_id, parsed.obj) == (None, "", None)


def test_webhook_object_that_does_not_map_is_refetched_instead_of_lost():
    (parsed,) = webhooks.parse(event(object={**PAYMENT, "amount": "50.00"}))
    assert (parsed.kind, parsed.remote_id, parsed.obj) == (ResourceKind.CHARGE, "pay_1", None)


@pytest.mark.parametrize(("body", "message"), [
    (b"not json", "not JSON"),
    (b"[]", "event must be a JSON object"),
    (event(id=None), "'id' must be a non-empty string"),
    (event(object={"amount": 1}), "'object' must be the changed object, with its 'id'"),
])
def test_malformed_webhook_bodies_are_value_errors(body, message):
    with pytest.raises(ValueError, match=message):
        webhooks.parse(body)
