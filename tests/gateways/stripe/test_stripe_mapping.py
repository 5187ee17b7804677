"""Stripe JSON → DTO on captured payloads: exact values, both API shapes, every status branch."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from chargeside.gateways.stripe import mapping, statuses
from chargeside.gateways.types import (
    ChargeStatus,
    DisputeStatus,
    InvoiceLineDTO,
    InvoiceStatus,
    RefundStatus,
    SubscriptionStatus,
)

UTC = dt.UTC
JAN, FEB, MAR, APR = (dt.datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3, 4))
DOCS_EPOCH = dt.datetime(2009, 2, 13, 23, 31, 30, tzinfo=UTC)  # `created` of Stripe's published fixtures


def test_customer_from_stripe_fixture(payload):
    dto = mapping.customer(payload("customer"))
    assert (dto.remote_id, dto.email, dto.name, dto.locale, dto.deleted) == ("cus_QXg1o8vcGmoR32", "", "", "", False)
    assert dto.created_at == DOCS_EPOCH
    assert dto.coupon_remote_id == ""  # discount.source.coupon is null in the docs fixture


def test_customer_with_discount_and_default_method(payload):
    dto = mapping.customer(payload("customer_full"))
    assert dto.email == "Ada.Lovelace@example.com"  # kept as Stripe has it; matching normalises elsewhere
    assert (dto.name, dto.phone, dto.locale) == ("Ada Lovelace", "+44 20 7946 0958", "en-GB")
    assert dto.metadata == {"crm_id": "4711", "tier": "gold"}
    assert dto.default_payment_method_remote_id == "pm_1SvisaXYZ00000000000001"  # preferred over default_source
    assert dto.coupon_remote_id == "LOYAL10"
    assert dto.created_at == JAN
    assert dto.raw["id"] == "cus_TmNq8Yr4LxQ2Ab"


def test_deleted_customer(payload):
    dto = mapping.customer(payload("customer_deleted"))
    assert (dto.remote_id, dto.deleted, dto.email) == ("cus_QXg1o8vcGmoR32", True, "")


def test_payment_method_card_with_wallet(payload):
    dto = mapping.payment_method(payload("payment_method"))
    assert (dto.remote_id, dto.customer_remote_id, dto.type) == ("pm_1Pgc75B7WZ01zgkWlHVgdEGJ", "", "card")
    assert (dto.brand, dto.last4, dto.exp_month, dto.exp_year, dto.wallet) == ("visa", "4242", 8, 2030, "link")


def test_legacy_card_source(payload):
    dto = mapping.payment_method(payload("card_source"))
    assert (dto.remote_id, dto.type, dto.brand, dto.last4, dto.exp_month, dto.exp_year) == (
        "card_1PgaftB7WZ01zgkWm3waTcFp", "card", "visa", "4242", 8, 2030)


def test_docs_charge_is_an_uncaptured_authorisation(payload):
    dto = mapping.charge(payload("charge"))
    assert dto.status == ChargeStatus.AUTHORIZED  # status succeeded, captured false
    assert (dto.amount, dto.currency, dto.amount_captured, dto.intent_remote_id) == (100, "USD", 0, "")
    assert dto.payment_method_remote_id == "card_1PgaftB7WZ01zgkWm3waTcFp"


def test_failed_charge_carries_the_decline_reason(payload):
    dto = mapping.charge(payload("charge_failed_decline"))
    assert dto.status == ChargeStatus.FAILED
    assert dto.failure_code == "insufficient_funds"  # outcome.reason, more precise than failure_code card_declined
    assert dto.failure_message == "Your card has insufficient funds."
    assert (dto.amount, dto.currency, dto.customer_remote_id) == (4900, "USD", "cus_TmNq8Yr4LxQ2Ab")
    assert dto.intent_remote_id == "pi_3SfailXYZ0000000000000001"


def test_partially_refunded_charge(payload):
    dto = mapping.charge(payload("charge_partially_refunded"))
    assert dto.status == ChargeStatus.PARTIALLY_REFUNDED
    assert (dto.amount, dto.amount_captured, dto.amount_refunded, dto.currency) == (5000, 5000, 1500, "EUR")
    assert (dto.failure_code, dto.failure_message) == ("", "")
    assert dto.receipt_url == "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8x"


def test_fully_refunded_charge(payload):
    dto = mapping.charge(payload("charge_refunded"))
    assert (dto.status, dto.amount_refunded) == (ChargeStatus.REFUNDED, 5000)


def test_uncaptured_charge_is_authorized(payload):
    dto = mapping.charge(payload("charge_uncaptured"))
    assert (dto.status, dto.amount, dto.amount_captured, dto.currency) == (ChargeStatus.AUTHORIZED, 12000, 0, "GBP")


def test_released_authorisation_is_voided(payload):
    assert mapping.charge(payload("charge_voided")).status == ChargeStatus.VOIDED  # refunded=true, captured=false


def test_uncaptured_charge_of_canceled_intent_is_voided(payload):
    dto = mapping.charge(payload("charge_uncaptured_intent_canceled"))  # payment_intent expanded, status canceled
    assert dto.status == ChargeStatus.VOIDED
    assert dto.intent_remote_id == "pi_3SvoidXYZ0000000000000006"


def test_intent_passed_separately_decides_void(payload):
    obj = payload("charge_uncaptured")
    assert mapping.charge(obj, intent={"id": "pi_x", "status": "canceled"}).status == ChargeStatus.VOIDED
    assert mapping.charge(obj, intent={"id": "pi_x", "status": "requires_capture"}).status == ChargeStatus.AUTHORIZED


def test_zero_decimal_and_three_decimal_amounts_are_kept_as_minor_units(payload):
    jpy, kwd = mapping.charge(payload("charge_jpy")), mapping.charge(payload("charge_kwd"))
    assert (jpy.amount, jpy.currency, jpy.status) == (5000, "JPY", ChargeStatus.SUCCEEDED)  # ¥5,000
    assert (kwd.amount, kwd.currency) == (12345, "KWD")  # 12.345 KD


def test_partial_capture_in_the_current_api_is_not_a_refund(payload):
    # Since 2025-03-31 the released remainder of a partial capture is not counted in amount_refunded.
    obj = {**payload("charge_uncaptured"), "captured": True, "amount_captured": 7000}
    dto = mapping.charge(obj)
    assert (dto.status, dto.amount, dto.amount_captured, dto.amount_refunded) == (ChargeStatus.SUCCEEDED, 12000, 7000, 0)
    refunded = mapping.charge({**obj, "amount_refunded": 7000})
    assert refunded.status == ChargeStatus.REFUNDED  # everything captured went back, though `refunded` is still false


def test_pending_charge():
    obj = {"id": "ch_p", "object": "charge", "status": "pending", "amount": 100, "currency": "eur", "captured": True}
    assert mapping.charge(obj).status == ChargeStatus.PENDING


def test_refund(payload):
    dto = mapping.refund(payload("refund"))
    assert (dto.remote_id, dto.charge_remote_id, dto.amount, dto.currency, dto.status, dto.reason) == (
        "re_1Pgc72B7WZ01zgkWqPvrRrPE", "ch_1PgafuB7WZ01zgkWXYmPNZs8", 100, "USD", RefundStatus.SUCCEEDED, "")


@pytest.mark.parametrize(("stripe", "ours"), [("pending", RefundStatus.PENDING), ("requires_action", RefundStatus.PENDING),
                                               ("failed", RefundStatus.FAILED), ("canceled", RefundStatus.CANCELED)])
def test_refund_status_table(payload, stripe, ours):
    assert mapping.refund({**payload("refund"), "status": stripe}).status == ours


def test_subscription_from_stripe_fixture_reads_period_from_item(payload):
    dto = mapping.subscription(payload("subscription"))
    assert (dto.status, dto.price_remote_id, dto.amount, dto.currency, dto.interval) == (
        SubscriptionStatus.ACTIVE, "price_1PgafmB7WZ01zgkW6dKueIc5", 2000, "USD", "month")
    assert dto.current_period_start == dt.datetime.fromtimestamp(1896570518, UTC)  # item values, not top level
    assert dto.item_remote_id == "si_QXhVnC2h0Jczwc"
    assert dto.plan_name == ""  # product not expanded, no nickname


def test_trialing_subscription_current_api(payload):
    dto = mapping.subscription(payload("subscription_trialing"))
    assert dto.status == SubscriptionStatus.TRIALING
    assert (dto.plan_name, dto.quantity, dto.amount, dto.currency) == ("Pro", 3, 8700, "USD")  # 2900 × 3
    assert (dto.current_period_start, dto.current_period_end, dto.trial_end) == (FEB, MAR, MAR)
    assert dto.coupon_remote_ids == ("SPRING25",)  # discounts[].source.coupon (2025-09-30 shape)
    assert (dto.cancel_at_period_end, dto.canceled_at, dto.item_remote_id) == (False, None, "si_TmTrial000001")


def test_past_due_subscription_old_api(payload):
    dto = mapping.subscription(payload("subscription_past_due_old_api"))
    assert dto.status == SubscriptionStatus.PAST_DUE
    assert (dto.current_period_start, dto.current_period_end) == (JAN, APR)  # top-level fields of old versions
    assert dto.coupon_remote_ids == ("LOYAL10",)  # singular discount.coupon object
    assert (dto.plan_name, dto.amount, dto.currency, dto.interval) == ("Team (yearly)", 99000, "EUR", "year")


def test_canceled_subscription(payload):
    dto = mapping.subscription(payload("subscription_canceled"))
    assert dto.status == SubscriptionStatus.CANCELED
    assert dto.canceled_at == FEB + dt.timedelta(hours=1)
    assert (dto.plan_name, dto.coupon_remote_ids) == ("Pro monthly", ())  # nickname when product not expanded


def test_subscription_product_name_from_lookup(payload):
    dto = mapping.subscription(payload("subscription"), product_names={"prod_QXg1hqf4jFNsqG": "T-shirt club"})
    assert dto.plan_name == "T-shirt club"


def test_incomplete_expired_subscription_is_canceled(payload):
    assert mapping.subscription({**payload("subscription"), "status": "incomplete_expired"}).status == SubscriptionStatus.CANCELED


def test_draft_invoice_from_stripe_fixture(payload):
    dto = mapping.invoice(payload("invoice"))
    assert (dto.status, dto.total, dto.amount_due, dto.tax, dto.currency) == (InvoiceStatus.DRAFT, 1000, 1000, 0, "USD")
    assert dto.subscription_remote_id == ""  # parent is quote_details, so subscription_details is not ours to read
    assert dto.lines == (InvoiceLineDTO("My First Invoice Item (created for API docs)", 1000, "USD", 1, "", True),)


def test_paid_invoice_with_tax_current_api(payload):
    dto = mapping.invoice(payload("invoice_paid_tax"))
    assert dto.status == InvoiceStatus.PAID
    assert (dto.total, dto.amount_due, dto.amount_paid, dto.amount_remaining, dto.tax) == (11900, 11900, 11900, 0, 1900)
    assert (dto.number, dto.currency) == ("CS-0042", "EUR")
    assert dto.subscription_remote_id == "sub_1TmTrialing000000000001"  # parent.subscription_details
    assert dto.charge_remote_id == "ch_3TmPaid00000000000000001"  # the paid entry of the expanded payments
    assert dto.hosted_url == "https://invoice.stripe.com/i/acct_1Tm/test_YWNjdF8x"
    assert dto.pdf_url == "https://pay.stripe.com/invoice/acct_1Tm/test_YWNjdF8x/pdf"
    assert (dto.period_start, dto.period_end, dto.created_at, dto.due_at) == (JAN, FEB, FEB, None)
    assert dto.lines == (
        InvoiceLineDTO("Remaining time on Team after 15 Feb 2026", 4000, "EUR", 1, "price_1TmTeamMonthly00000001", True),
        InvoiceLineDTO("Unused time on 2 × Pro after 15 Feb 2026", -1000, "EUR", 2, "price_1TmProMonthly0000000001", True),
        InvoiceLineDTO("Team (at €70.00 / month)", 7000, "EUR", 1, "price_1TmTeamMonthly00000001", False),
    )


def test_open_invoice_old_api(payload):
    dto = mapping.invoice(payload("invoice_open_old_api"))
    assert (dto.status, dto.total, dto.tax, dto.amount_remaining, dto.due_at) == (InvoiceStatus.OPEN, 2750, 250, 2750, MAR)
    assert dto.subscription_remote_id == "sub_1TmPastDue0000000000002"
    assert dto.charge_remote_id == "ch_3TmOpenOld0000000000002"
    assert dto.lines == (InvoiceLineDTO("1 × Basic (at $25.00 / month)", 2500, "USD", 1, "price_1TmBasic000000000000001", False),)


def test_invoice_paid_by_a_payment_intent_names_the_intent_and_its_charge_when_expanded(payload):
    paid = {"status": "paid", "is_default": True, "payment": {"type": "payment_intent", "payment_intent": "pi_paid"}}
    obj = {**payload("invoice_paid_tax"), "payments": {"object": "list", "data": [paid]}}
    assert (mapping.invoice(obj).charge_remote_id, mapping.invoice(obj).intent_remote_id) == ("", "pi_paid")

    paid["payment"]["payment_intent"] = {"id": "pi_paid", "object": "payment_intent", "latest_charge": "ch_paid"}
    assert (mapping.invoice(obj).charge_remote_id, mapping.invoice(obj).intent_remote_id) == ("ch_paid", "pi_paid")

    # without `payments` (not expanded, as in webhooks) nothing is known; the old API named both
    assert (mapping.invoice({**obj, "payments": None}).charge_remote_id, mapping.invoice({**obj, "payments": None}).intent_remote_id) == ("", "")
    old = mapping.invoice({"id": "in_old", "status": "paid", "charge": "ch_old", "payment_intent": "pi_old"})
    assert (old.charge_remote_id, old.intent_remote_id) == ("ch_old", "pi_old")


def test_invoice_tax_from_total_tax_amounts():
    obj = {"id": "in_x", "status": "open", "currency": "usd", "total_tax_amounts": [{"amount": 70}, {"amount": 30}]}
    assert mapping.invoice(obj).tax == 100


def test_dispute_with_evidence_deadline(payload):
    dto = mapping.dispute(payload("dispute_needs_response"))
    assert (dto.status, dto.amount, dto.currency, dto.reason) == (DisputeStatus.NEEDS_RESPONSE, 4900, "USD", "fraudulent")
    assert dto.evidence_due_by == dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert dto.charge_remote_id == "ch_3SpartXYZ0000000000000002"


def test_inquiry_dispute_is_a_warning(payload):
    dto = mapping.dispute(payload("dispute"))
    assert dto.status == DisputeStatus.WARNING
    assert dto.evidence_due_by == dt.datetime.fromtimestamp(1723679999, UTC)


@pytest.mark.parametrize(("stripe", "ours"), [
    ("warning_under_review", DisputeStatus.WARNING), ("warning_closed", DisputeStatus.CLOSED),
    ("under_review", DisputeStatus.UNDER_REVIEW), ("won", DisputeStatus.WON), ("lost", DisputeStatus.LOST),
    ("prevented", DisputeStatus.CLOSED), ("charge_refunded", DisputeStatus.CLOSED)])
def test_dispute_status_table(payload, stripe, ours):
    assert mapping.dispute({**payload("dispute"), "status": stripe}).status == ours


def test_percent_coupon_in_exact_basis_points(payload):
    assert mapping.coupon(payload("coupon_percent_12_5")).percent_off_bp == 1250
    assert mapping.coupon(payload("coupon")).percent_off_bp == 2550
    assert [mapping.percent_to_bp(v) for v in (33.33, 0.01, 100, "12.5")] == [3333, 1, 10000, 1250]
    with pytest.raises(ValueError):
        mapping.percent_to_bp(12.345)


def test_percent_coupon_fields(payload):
    dto = mapping.coupon(payload("coupon_percent_12_5"))
    assert (dto.remote_id, dto.name, dto.amount_off, dto.currency, dto.duration, dto.duration_in_months, dto.valid) == (
        "TWELVEHALF", "12.5% off", None, "", "repeating", 3, True)


def test_amount_coupons_in_zero_and_three_decimal_currencies(payload):
    jpy, kwd = mapping.coupon(payload("coupon_amount_jpy")), mapping.coupon(payload("coupon_amount_kwd"))
    assert (jpy.amount_off, jpy.currency, jpy.percent_off_bp) == (500, "JPY", None)
    assert (kwd.amount_off, kwd.currency) == (1250, "KWD")


def test_promotion_codes_current_and_old_shapes(payload):
    new, old = mapping.promotion_code(payload("promotion_code_current")), mapping.promotion_code(payload("promotion_code_old_api"))
    assert (new.remote_id, new.code, new.coupon_remote_id, new.active) == ("promo_1TmSpring000000000001", "SPRING25", "SPRING25", True)
    assert (old.code, old.coupon_remote_id) == ("LOYAL", "LOYAL10")
    assert mapping.promotion_code(payload("promotion_code")).active is False


def test_tax_id(payload):
    dto = mapping.tax_id(payload("tax_id"))
    assert (dto.remote_id, dto.customer_remote_id, dto.type, dto.value, dto.country, dto.verification_status) == (
        "txi_1Pgc6sB7WZ01zgkWXkvC78jZ", "cus_QXg1o8vcGmoR32", "eu_vat", "DE123456789", "DE", "pending")


def test_tax_id_owner_only():
    dto = mapping.tax_id({"id": "txi_1", "type": "gb_vat", "value": "GB123", "owner": {"type": "customer", "customer": "cus_9"}})
    assert dto.customer_remote_id == "cus_9"


def test_product_and_price_and_plan(payload):
    product = mapping.product(payload("product"))
    assert (product.remote_id, product.name, product.active) == ("prod_QXg1hqf4jFNsqG", "T-shirt", True)
    price = mapping.price(payload("price"))
    assert (price.remote_id, price.product_remote_id, price.currency, price.unit_amount, price.interval, price.interval_count) == (
        "price_1PgafmB7WZ01zgkW6dKueIc5", "prod_QXg1hqf4jFNsqG", "USD", 2000, "month", 1)
    plan = mapping.price(payload("plan"))
    assert (plan.unit_amount, plan.interval, plan.currency) == (2000, "month", "USD")


def test_price_with_expanded_product(payload):
    obj = {**payload("price"), "product": payload("product")}
    assert mapping.price(obj).product_remote_id == "prod_QXg1hqf4jFNsqG"


@pytest.mark.parametrize(("mapper", "fixture"), [
    (mapping.charge, "charge"), (mapping.refund, "refund"), (mapping.subscription, "subscription"),
    (mapping.invoice, "invoice"), (mapping.dispute, "dispute")])
def test_unknown_status_raises_in_strict_mode(payload, mapper, fixture):
    with pytest.raises(mapping.UnknownStatus, match="'brand_new_status'"):
        mapper({**payload(fixture), "status": "brand_new_status"})


@pytest.mark.parametrize(("mapper", "fixture", "fallback"), [
    (mapping.charge, "charge", ChargeStatus.PENDING), (mapping.refund, "refund", RefundStatus.PENDING),
    (mapping.subscription, "subscription", SubscriptionStatus.INCOMPLETE), (mapping.invoice, "invoice", InvoiceStatus.OPEN),
    (mapping.dispute, "dispute", DisputeStatus.NEEDS_RESPONSE)])
def test_unknown_status_in_production_falls_back_and_logs(payload, monkeypatch, caplog, mapper, fixture, fallback):
    monkeypatch.setattr(statuses, "STRICT", False)
    with caplog.at_level(logging.WARNING, logger=statuses.__name__):
        assert mapper({**payload(fixture), "status": "brand_new_status"}).status == fallback
    assert "brand_new_status" in caplog.text


def test_timestamps_are_aware_utc():
    assert mapping.ts(1767225600) == JAN and mapping.ts(1767225600).tzinfo is UTC
    assert mapping.ts(None) is None
