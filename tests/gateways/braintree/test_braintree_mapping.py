"""Mapping: Braintree XML (through the SDK's parser and classes) → DTOs, exact values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from braintree_fixtures import resource

from chargeside.gateways.braintree import mapping, statuses
from chargeside.gateways.types import ChargeStatus, DisputeStatus, RefundStatus, SubscriptionStatus

UTC = dt.UTC


def test_settled_sale_with_a_partial_refund():
    sale, credit = resource("transaction_sale_settled"), resource("transaction_credit")
    charge = mapping.charge(sale, [credit])
    assert (charge.remote_id, charge.customer_remote_id, charge.amount, charge.currency) == ("sale_1", "cust_1", 5000, "EUR")
    assert (charge.status, charge.amount_captured, charge.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 5000, 1250)
    assert charge.payment_method_remote_id == "card_1" and charge.created_at == dt.datetime(2026, 11, 1, 10, tzinfo=UTC)
    json.dumps(charge.raw)  # raw is JSON-safe for the billing tables
    assert charge.raw["amount"] == "50.00" and charge.raw["credit_card"]["last_4"] == "1111"


def test_refund_is_a_credit_pointing_at_its_sale():
    refund = mapping.refund(resource("transaction_credit"))
    assert (refund.remote_id, refund.charge_remote_id, refund.amount, refund.currency, refund.status) == \
        ("credit_1", "sale_1", 1250, "EUR", RefundStatus.SUCCEEDED)


def test_declined_sale_keeps_the_decline_reason():
    charge = mapping.charge(resource("transaction_declined"))
    assert (charge.status, charge.amount, charge.currency, charge.amount_captured) == (ChargeStatus.FAILED, 200100, "TRY", 0)
    assert (charge.failure_code, charge.failure_message) == ("2001", "Insufficient Funds")


def test_past_due_subscription_with_plan_and_discount():
    sub = mapping.subscription(resource("subscription_past_due"), "cust_1", resource("plan_pro"))
    assert (sub.status, sub.price_remote_id, sub.plan_name, sub.amount, sub.currency) == (SubscriptionStatus.PAST_DUE, "pro_eur", "Pro", 2900, "EUR")
    assert (sub.current_period_start, sub.current_period_end) == (dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert (sub.interval, sub.interval_count, sub.coupon_remote_ids, sub.customer_remote_id) == ("month", 1, ("loyal5",), "cust_1")


def test_dispute_customer_plan_and_card():
    dispute = mapping.dispute(resource("dispute_open"))
    assert (dispute.remote_id, dispute.charge_remote_id, dispute.amount, dispute.status, dispute.reason) == \
        ("dsp_1", "sale_1", 5000, DisputeStatus.NEEDS_RESPONSE, "fraud")
    assert dispute.evidence_due_by == dt.datetime(2026, 11, 20, tzinfo=UTC)
    customer = mapping.customer(resource("customer"))
    assert (customer.email, customer.name, customer.phone, customer.default_payment_method_remote_id) == \
        ("ada@example.com", "Ada Lovelace", "+15550000001", "card_1")
    card = mapping.payment_method(resource("customer").credit_cards[0], "cust_1")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("Visa", "1111", 12, 2030)
    price = mapping.price(resource("plan_pro"))
    assert (price.remote_id, price.unit_amount, price.currency, price.interval) == ("pro_eur", 2900, "EUR", "month")


def test_every_status_table_entry_is_a_braintree_constant():
    import braintree

    assert set(statuses.SUBSCRIPTION_STATUS) == {v for k, v in vars(braintree.Subscription.Status).items() if not k.startswith("_")}
    assert set(statuses.DISPUTE_STATUS) == {v for k, v in vars(braintree.Dispute.Status).items() if not k.startswith("_")}
    assert {v for k, v in vars(braintree.Transaction.Status).items() if not k.startswith("_")} <= set(statuses.CHARGE_STATUS) | {"unrecognized"}


def test_unknown_status_fails_loudly_in_tests_and_falls_back_in_production(monkeypatch):
    sale = resource("transaction_sale_settled")
    sale.status = "teleported"
    with pytest.raises(statuses.UnknownStatus):
        mapping.charge(sale)
    monkeypatch.setattr(statuses, "STRICT", False)
    assert mapping.charge(sale).status == ChargeStatus.PENDING
