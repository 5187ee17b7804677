"""Pure mapping of WooCommerce payloads (fixtures/) to DTOs: money, statuses, guests, refunds, subscriptions."""

import datetime as dt

import pytest

from chargeside.core.money import MoneyError
from chargeside.gateways.types import ChargeStatus, RefundStatus, SubscriptionStatus
from chargeside.gateways.woocommerce import mapping, statuses


def test_guest_order_is_a_charge_of_a_guest_identity(woo_payload):
    order = woo_payload("order_guest_processing")
    charge = mapping.charge(order)
    assert (charge.remote_id, charge.customer_remote_id, charge.amount, charge.currency) == ("727", "guest:john.doe@example.com", 2935, "USD")
    assert (charge.status, charge.amount_captured, charge.amount_refunded) == (ChargeStatus.SUCCEEDED, 2935, 0)
    assert charge.description == "Order #727 (Direct Bank Transfer)"
    assert charge.created_at == dt.datetime(2017, 3, 22, 19, 28, 2, tzinfo=dt.UTC)  # the _gmt field, not the local one
    assert charge.raw is order
    guest = mapping.guest_customer(order)
    assert (guest.remote_id, guest.email, guest.name, guest.phone) == ("guest:john.doe@example.com", "john.doe@example.com", "John Doe", "(555) 555-5555")


def test_negative_refund_totals_make_a_partial_refund(woo_payload):
    charge = mapping.charge(woo_payload("order_partially_refunded"))
    assert (charge.customer_remote_id, charge.amount, charge.amount_refunded, charge.status) == ("12", 5000, 2000, ChargeStatus.PARTIALLY_REFUNDED)


def test_three_decimal_currency_and_refunded_status(woo_payload):
    charge = mapping.charge(woo_payload("order_refunded_kwd"))
    assert (charge.amount, charge.amount_refunded, charge.currency, charge.status) == (12345, 12345, "KWD", ChargeStatus.REFUNDED)


def test_failed_order_keeps_the_plugins_decline_note(woo_payload):
    notes = [{"id": 2, "note": "Order status changed from Pending payment to Failed."},
             {"id": 1, "note": "Payment failed: Your card has insufficient funds."}]
    charge = mapping.charge(woo_payload("order_failed_try"), failure_message=mapping.decline_message(notes))
    assert (charge.status, charge.amount, charge.currency, charge.amount_captured) == (ChargeStatus.FAILED, 125000, "TRY", 0)
    assert (charge.failure_code, charge.failure_message) == ("payment_failed", "Payment failed: Your card has insufficient funds.")


def test_on_hold_bank_transfer_is_pending_and_not_captured(woo_payload):
    charge = mapping.charge(woo_payload("order_on_hold_bacs"))
    assert (charge.status, charge.amount_captured) == (ChargeStatus.PENDING, 0)


@pytest.mark.parametrize(("status", "expected"), [("pending", "pending"), ("processing", "succeeded"), ("completed", "succeeded"),
                                                  ("cancelled", "voided"), ("refunded", "refunded"), ("failed", "failed"),
                                                  ("checkout-draft", "pending"), ("trash", "voided")])
def test_order_status_table(status, expected):
    assert statuses.ORDER_STATUS[status] == expected


def test_unknown_status_raises_when_strict_and_falls_back_otherwise(woo_payload, monkeypatch):
    order = woo_payload("order_unknown_status")
    with pytest.raises(statuses.UnknownStatus):
        mapping.charge(order)
    monkeypatch.setattr(statuses, "STRICT", False)
    assert mapping.charge(order).status == ChargeStatus.PENDING


def test_refund_object_amount_is_positive_and_takes_its_orders_currency(woo_payload):
    refund = mapping.refund(woo_payload("refund"), order_id=723, currency="eur")
    assert (refund.remote_id, refund.charge_remote_id, refund.amount, refund.currency, refund.status) == ("726", "723", 1000, "EUR", RefundStatus.SUCCEEDED)
    assert mapping.refund({"id": 1, "amount": "-4.50"}, order_id=2, currency="USD").amount == 450


def test_money_is_exact():
    assert mapping.minor("29.35", "EUR") == 2935
    assert mapping.minor("1000", "JPY") == 1000
    with pytest.raises(MoneyError):
        mapping.minor("10.005", "EUR")
    with pytest.raises(MoneyError):
        mapping.minor("ten", "EUR")


def test_customer(woo_payload):
    customer = mapping.customer(woo_payload("customer"))
    assert (customer.remote_id, customer.email, customer.name, customer.phone) == ("25", "john.doe@example.com", "John Doe", "(555) 555-5555")


def test_subscription_pending_cancel(woo_payload):
    sub = mapping.subscription(woo_payload("subscription_pending_cancel"))
    assert (sub.remote_id, sub.customer_remote_id, sub.status, sub.cancel_at_period_end) == ("910", "12", SubscriptionStatus.ACTIVE, True)
    assert (sub.amount, sub.currency, sub.interval, sub.interval_count, sub.plan_name, sub.price_remote_id) == (1900, "USD", "month", 1, "Coffee club", "900")
    assert (sub.current_period_start, sub.current_period_end) == (dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))


def test_subscription_statuses():
    assert statuses.SUBSCRIPTION_STATUS["on-hold"] == SubscriptionStatus.PAST_DUE
    assert {statuses.SUBSCRIPTION_STATUS[s] for s in ("cancelled", "expired", "switched")} == {SubscriptionStatus.CANCELED}


def test_percent_coupon(woo_payload):
    coupon = mapping.coupon(woo_payload("coupon"), store_currency="EUR")
    assert (coupon.name, coupon.percent_off_bp, coupon.amount_off, coupon.currency) == ("10off", 1000, None, "")
    fixed = mapping.coupon({**woo_payload("coupon"), "discount_type": "fixed_cart", "amount": "5.00"}, store_currency="EUR")
    assert (fixed.percent_off_bp, fixed.amount_off, fixed.currency) == (None, 500, "EUR")
