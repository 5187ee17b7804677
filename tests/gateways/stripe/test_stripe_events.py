"""Stripe event payloads → InboundEvent: one captured fixture per event type."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chargeside.gateways.stripe import mapping, statuses, webhooks
from chargeside.gateways.stripe.adapter import StripeAdapter
from chargeside.gateways.types import (
    ChargeStatus,
    DisputeStatus,
    InvoiceStatus,
    ResourceKind,
)

EVENT_AT = dt.datetime(2026, 2, 1, 2, 0, tzinfo=dt.UTC)
adapter = StripeAdapter(settings={}, credentials={"secret_key": "sk_test_x", "webhook_secret": "whsec_x"})


def test_charge_refunded(payload):
    event = mapping.event(payload("event_charge_refunded"))
    assert (event.event_id, event.type, event.kind, event.remote_id) == (
        "evt_3SfullXYZ0000000000000010", "charge.refunded", ResourceKind.CHARGE, "ch_3SfullXYZ0000000000000003")
    assert (event.occurred_at, event.deleted) == (EVENT_AT, False)
    assert (event.obj.status, event.obj.amount_refunded) == (ChargeStatus.REFUNDED, 5000)
    assert event.raw["data"]["previous_attributes"] == {"amount_refunded": 0, "refunded": False}
    assert adapter.event_needs_refetch(event) is True


def test_subscription_updated(payload):
    event = mapping.event(payload("event_customer_subscription_updated"))
    assert (event.kind, event.remote_id, event.deleted) == (ResourceKind.SUBSCRIPTION, "sub_1TmTrialing000000000001", False)
    assert event.obj.cancel_at_period_end is True
    assert event.obj.plan_name == ""  # events never expand the product: the re-fetch fills it in
    assert event.obj.coupon_remote_ids == ()  # nor discounts ("di_..." ids only)
    assert adapter.event_needs_refetch(event) is True


def test_invoice_paid(payload):
    event = mapping.event(payload("event_invoice_paid"))
    assert (event.kind, event.remote_id) == (ResourceKind.INVOICE, "in_1TmPaidTax00000000000001")
    assert (event.obj.status, event.obj.tax, event.obj.charge_remote_id) == (InvoiceStatus.PAID, 1900, "")  # payments not expanded


def test_dispute_created(payload):
    event = mapping.event(payload("event_charge_dispute_created"))
    assert (event.kind, event.remote_id) == (ResourceKind.DISPUTE, "dp_1TmDispute0000000000001")
    assert event.obj.status == DisputeStatus.NEEDS_RESPONSE
    assert event.obj.evidence_due_by == dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=dt.UTC)


def test_unknown_event_type_is_kept_but_not_acted_on(payload):
    event = mapping.event(payload("event_unknown_payout_paid"))
    assert (event.event_id, event.type, event.kind, event.remote_id, event.obj) == (
        "evt_1TmPayout00000000000014", "payout.paid", None, "", None)
    assert event.raw["data"]["object"]["id"] == "po_1TmPayout0000000000001"
    assert adapter.event_needs_refetch(event) is False


def test_customer_deleted_is_final(payload):
    event = mapping.event(payload("event_customer_deleted"))
    assert (event.kind, event.remote_id, event.deleted, event.obj.deleted) == (ResourceKind.CUSTOMER, "cus_TmNq8Yr4LxQ2Ab", True, True)
    assert adapter.event_needs_refetch(event) is False


def test_payment_intent_canceled_points_at_its_charge(payload):
    event = mapping.event(payload("event_payment_intent_canceled"))
    assert (event.kind, event.remote_id, event.obj) == (ResourceKind.CHARGE, "ch_3SvoidXYZ0000000000000006", None)
    assert adapter.event_needs_refetch(event) is True


def test_payment_intent_without_charge_is_ignored(payload):
    raw = payload("event_payment_intent_canceled")
    raw["data"]["object"]["latest_charge"] = None
    assert mapping.event(raw).kind is None


def test_customer_discount_points_at_the_subscription(payload):
    event = mapping.event(payload("event_customer_discount_created"))
    assert (event.kind, event.remote_id, event.obj) == (ResourceKind.SUBSCRIPTION, "sub_1TmTrialing000000000001", None)
    raw = payload("event_customer_discount_created")
    raw["data"]["object"]["subscription"] = None
    assert (mapping.event(raw).kind, mapping.event(raw).remote_id) == (ResourceKind.CUSTOMER, "cus_TmNq8Yr4LxQ2Ab")


def test_legacy_plan_event_maps_to_price(payload):
    event = mapping.event(payload("event_plan_created"))
    assert (event.kind, event.remote_id, event.obj.unit_amount) == (ResourceKind.PRICE, "price_1PgafmB7WZ01zgkW6dKueIc5", 2000)


def test_subscription_deleted_means_canceled_not_gone(payload):
    raw = payload("event_customer_subscription_updated")
    raw["type"] = "customer.subscription.deleted"
    assert mapping.event(raw).deleted is False


def test_every_table_entry_names_a_real_kind():
    assert set(mapping.EVENT_KINDS.values()) == set(ResourceKind)  # every kind is kept fresh by some event
    assert all(t.count(".") >= 1 and t == t.strip() for t in mapping.EVENT_KINDS)


def test_unreadable_payload_still_yields_the_event_in_production(payload, monkeypatch):
    monkeypatch.setattr(statuses, "STRICT", False)
    raw = payload("event_charge_refunded")
    raw["data"]["object"]["created"] = "yesterday"  # a shape the mapper cannot read
    event = mapping.event(raw)
    assert (event.kind, event.remote_id, event.obj) == (ResourceKind.CHARGE, "ch_3SfullXYZ0000000000000003", None)
    monkeypatch.setattr(statuses, "STRICT", True)
    with pytest.raises(ValueError):
        mapping.event(raw)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"object": "list"}', b'{"id": "evt_1", "object": "event"}', b"\xff\xfe"])
def test_parse_rejects_what_is_not_one_event(body):
    with pytest.raises(ValueError):
        webhooks.parse(body)


def test_parse_returns_one_event(payload):
    events = webhooks.parse(json.dumps(payload("event_invoice_paid")).encode())
    assert [(e.event_id, e.kind) for e in events] == [("evt_1TmInvPaid0000000000012", ResourceKind.INVOICE)]
