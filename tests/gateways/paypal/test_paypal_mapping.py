"""PayPal payloads → DTOs: money through Decimal, explicit statuses, customers derived from payers."""

from __future__ import annotations

import datetime as dt

import pytest

from chargeside.gateways.paypal import mapping, statuses
from chargeside.gateways.types import ChargeStatus, DisputeStatus, InvoiceStatus, RefundStatus, SubscriptionStatus


def test_capture_with_its_order_counts_refunds(paypal_payload):
    order = paypal_payload("order_partially_refunded")
    capture = order["purchase_units"][0]["payments"]["captures"][0]
    charge = mapping.charge_from_capture(capture, order)
    assert (charge.remote_id, charge.customer_remote_id, charge.amount, charge.currency) == (capture["id"], "QYR5Z8XDVJNXQ", 5000, "EUR")
    assert (charge.status, charge.amount_captured, charge.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 5000, 1250)
    assert charge.description == "Support plan" and charge.raw["capture"] == capture


def test_capture_alone_as_a_webhook_carries_it(paypal_payload):
    charge = mapping.charge_from_capture(paypal_payload("capture_completed"))
    assert (charge.status, charge.amount_captured, charge.amount_refunded, charge.customer_remote_id) == (ChargeStatus.SUCCEEDED, 5000, 0, "")
    assert charge.created_at.tzinfo is dt.UTC


def test_declined_capture_names_the_reason(paypal_payload):
    charge = mapping.charge_from_capture(paypal_payload("capture_declined"))
    assert (charge.status, charge.amount_captured) == (ChargeStatus.FAILED, 0)
    assert (charge.failure_code, charge.failure_message) == ("insufficient_funds", "The payment was declined (insufficient funds).")


def test_held_authorisation_is_authorized(paypal_payload):
    charge = mapping.charge_from_authorization(paypal_payload("authorization_created"))
    assert (charge.status, charge.amount, charge.currency, charge.amount_captured) == (ChargeStatus.AUTHORIZED, 9000, "USD", 0)


def test_captured_authorisation_folds_its_capture_and_refunds(paypal_payload):
    order = paypal_payload("order_authorized_captured_refunded")
    paid = order["purchase_units"][0]["payments"]
    (charge,) = mapping.charges_of_order(order)  # the capture is not a second charge
    assert charge.remote_id == paid["authorizations"][0]["id"]
    assert (charge.status, charge.amount, charge.amount_captured, charge.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 9000, 6000, 1000)
    assert charge.intent_remote_id == paid["captures"][0]["id"]  # what refunds target
    assert charge.customer_remote_id == "7HN2KQ4XW9ZLS"


def test_refund(paypal_payload):
    obj = paypal_payload("refund_completed")
    refund = mapping.refund(obj)
    assert (refund.amount, refund.currency, refund.status) == (1250, "EUR", RefundStatus.SUCCEEDED)
    assert refund.charge_remote_id == obj["links"][1]["href"].rsplit("/", 1)[1]
    assert mapping.refund(obj, charge_remote_id="AUTH1").charge_remote_id == "AUTH1"


def test_customers_from_payer_subscriber_transaction_row_and_invoice(paypal_payload):
    order = paypal_payload("order_partially_refunded")
    assert mapping.customer_from_payer(order["payer"]).__repr__().startswith("CustomerDTO(remote_id='QYR5Z8XDVJNXQ', email='ada@example.com', name='Ada Lovelace'")
    sub = mapping.customer_from_payer(paypal_payload("subscription_active")["subscriber"])
    assert (sub.remote_id, sub.email) == ("QYR5Z8XDVJNXQ", "ada@example.com")
    row = mapping.customer_from_payer_info(paypal_payload("transaction_search_row")["payer_info"])
    assert (row.remote_id, row.email, row.name) == ("QYR5Z8XDVJNXQ", "ada@example.com", "Ada Lovelace")
    invoiced = mapping.customer_from_invoice(paypal_payload("invoice_paid"))
    assert (invoiced.remote_id, invoiced.email) == ("email:ada@example.com", "Ada@Example.com")
    assert mapping.customer_from_payer({}) is None and mapping.customer_from_payer_info({"email_address": "x@y"}) is None


def test_transaction_search_times_with_plus_0000():
    assert mapping.ts("2026-11-20T10:15:00+0000") == dt.datetime(2026, 11, 20, 10, 15, tzinfo=dt.UTC)
    assert mapping.ts("2026-11-20T10:15:00.123Z") == dt.datetime(2026, 11, 20, 10, 15, 0, 123000, tzinfo=dt.UTC)


def test_plan_is_a_price_and_product(paypal_payload):
    price = mapping.price(paypal_payload("plan"))
    assert (price.unit_amount, price.currency, price.interval, price.interval_count, price.nickname, price.active) == (2900, "EUR", "month", 1, "Pro monthly", True)
    product = mapping.product(paypal_payload("product"))
    assert (product.name, product.description) == ("Support seats", "Seats for the help desk")
    assert price.product_remote_id == product.remote_id


def test_subscriptions(paypal_payload):
    plan = paypal_payload("plan")
    active = mapping.subscription(paypal_payload("subscription_active"), plan)
    assert (active.status, active.amount, active.currency, active.interval, active.price_remote_id) == (SubscriptionStatus.ACTIVE, 2900, "EUR", "month", plan["id"])
    assert active.current_period_end > active.current_period_start and active.plan_name == "Pro monthly"
    assert mapping.subscription(paypal_payload("subscription_past_due"), plan).status == SubscriptionStatus.PAST_DUE
    cancelled = mapping.subscription(paypal_payload("subscription_cancelled"), plan)
    assert (cancelled.status, cancelled.canceled_at is not None, cancelled.current_period_end) == (SubscriptionStatus.CANCELED, True, None)


def test_invoice(paypal_payload):
    invoice = mapping.invoice(paypal_payload("invoice_paid"))
    assert (invoice.status, invoice.total, invoice.amount_paid, invoice.amount_due, invoice.currency) == (InvoiceStatus.PAID, 12050, 12050, 0, "EUR")
    assert invoice.customer_remote_id == "email:ada@example.com" and invoice.number == "0001"
    assert invoice.hosted_url.startswith("https://www.sandbox.paypal.com/invoice/p/#INV2-")
    assert [(line.description, line.amount, line.quantity) for line in invoice.lines] == [("Consulting", 12050, 1)]
    assert invoice.charge_remote_id and invoice.due_at is not None


def test_fractional_invoice_quantity_rounds_half_up(paypal_payload):
    obj = paypal_payload("invoice_paid")
    obj["items"] = [{"name": "Hours", "quantity": "1.5", "unit_amount": {"currency_code": "EUR", "value": "33.33"}}]
    assert mapping.invoice(obj).lines[0].amount == 5000  # 49.995 → 50.00


def test_disputes(paypal_payload):
    open_ = mapping.dispute(paypal_payload("dispute_needs_response"))
    assert (open_.status, open_.amount, open_.currency, open_.reason) == (DisputeStatus.NEEDS_RESPONSE, 5000, "EUR", "merchandise_or_service_not_received")
    assert open_.evidence_due_by is not None and open_.charge_remote_id
    assert mapping.dispute(paypal_payload("dispute_inquiry")).status == DisputeStatus.WARNING
    assert mapping.dispute(paypal_payload("dispute_lost")).status == DisputeStatus.LOST


def test_money_in_zero_and_three_decimal_currencies():
    assert mapping.amount_of({"currency_code": "JPY", "value": "500"}) == (500, "JPY")
    assert mapping.amount_of({"currency_code": "KWD", "value": "1.234"}) == (1234, "KWD")
    assert mapping.amount_of({"currency_code": "TRY", "value": "1499.90"}) == (149990, "TRY")


def test_unknown_status_fails_loudly_in_tests_and_falls_back_in_production(paypal_payload, monkeypatch):
    capture = {**paypal_payload("capture_completed"), "status": "SOMETHING_NEW"}
    with pytest.raises(statuses.UnknownStatus, match="capture"):
        mapping.charge_from_capture(capture)
    monkeypatch.setattr(statuses, "STRICT", False)
    assert mapping.charge_from_capture(capture).status == ChargeStatus.PENDING
    assert mapping.dispute({**paypal_payload("dispute_needs_response"), "status": "NEW"}).status == DisputeStatus.NEEDS_RESPONSE
