"""Recurly JSON → DTOs on captured-shape payloads (field names from api.yaml v2021-02-25 and the SDK's schemas)."""

import datetime as dt

import pytest

from chargeside.gateways.recurly import mapping, statuses, webhooks
from chargeside.gateways.types import ChargeStatus, InvoiceStatus, RefundStatus, ResourceKind, SubscriptionStatus


def test_account_maps_to_customer_by_id_with_code_kept(payload):
    c = mapping.customer(payload("account"))
    assert (c.remote_id, c.email, c.name, c.locale) == ("o9ahq3ldm1vx", "ayse@example.com", "Ayşe Yılmaz", "tr-TR")
    assert c.metadata == {"code": "cust-00042", "company": "Yilmaz Ltd"}
    assert c.default_payment_method_remote_id == "o9ahq3ldm1vx"
    assert c.created_at == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC) and not c.deleted


def test_closed_account_is_deleted_and_named_by_company(payload):
    c = mapping.customer(payload("account_closed"))
    assert (c.deleted, c.name, c.email, c.default_payment_method_remote_id) == (True, "Closed Co", "", "")


def test_billing_info_maps_to_card_without_number(payload):
    pm = mapping.payment_method(payload("account")["billing_info"])
    assert (pm.remote_id, pm.customer_remote_id, pm.type, pm.brand, pm.last4, pm.exp_month, pm.exp_year) == \
        ("o9ahq3ldm1vx", "o9ahq3ldm1vx", "card", "mastercard", "4444", 7, 2029)
    assert "555555" not in repr(pm)  # first six stay in raw only; the DTO has brand and last four


def test_paypal_billing_info_is_a_wallet(payload):
    pm = mapping.payment_method(payload("billing_info_paypal"))
    assert (pm.type, pm.wallet, pm.brand, pm.last4) == ("paypal", "paypal", "", "")


def test_purchase_amount_goes_through_decimal_and_refunds_make_it_partial(payload):
    ch = mapping.charge(payload("transaction_purchase"), refunded_amount=10010)
    assert (ch.amount, ch.currency, ch.amount_captured, ch.amount_refunded, ch.status) == (129990, "TRY", 129990, 10010, ChargeStatus.PARTIALLY_REFUNDED)
    assert (ch.customer_remote_id, ch.invoice_remote_id, ch.payment_method_remote_id) == ("o9ahq3ldm1vx", "i1charge0001", "o9ahq3ldm1vx")


def test_fully_refunded_purchase(payload):
    assert mapping.charge(payload("transaction_purchase"), refunded_amount=129990).status == ChargeStatus.REFUNDED


def test_declined_purchase_keeps_decline_code_and_message(payload):
    ch = mapping.charge(payload("transaction_declined"))
    assert (ch.status, ch.amount, ch.amount_captured, ch.failure_code) == (ChargeStatus.FAILED, 2500, 0, "insufficient_funds")
    assert ch.failure_message.startswith("The transaction was declined due to insufficient funds")


def test_authorization_is_held_money_in_three_decimal_currency(payload):
    ch = mapping.charge(payload("transaction_authorization"))
    assert (ch.status, ch.amount, ch.currency, ch.amount_captured) == (ChargeStatus.AUTHORIZED, 12345, "KWD", 0)


def test_refund_transaction_points_at_its_charge(payload):
    r = mapping.refund(payload("transaction_refund"))
    assert (r.remote_id, r.charge_remote_id, r.amount, r.currency, r.status, r.reason) == \
        ("t3refund0001", "t3purch00001", 10010, "TRY", RefundStatus.SUCCEEDED, "")


def test_a_refund_is_not_a_charge_and_the_reverse(payload):
    with pytest.raises(ValueError):
        mapping.charge(payload("transaction_refund"))
    with pytest.raises(ValueError):
        mapping.refund(payload("transaction_purchase"))


def test_refunds_are_summed_per_charge_in_minor_units(payload):
    refund = payload("transaction_refund")
    failed = {**refund, "id": "t3refund0002", "status": "declined"}
    assert mapping.refunded_by_charge([refund, refund | {"id": "x", "amount": 0.1}, failed]) == {"t3purch00001": 10020}


def test_paid_invoice(payload):
    inv = mapping.invoice(payload("invoice_paid"))
    assert (inv.status, inv.total, inv.amount_paid, inv.amount_due, inv.number, inv.charge_remote_id, inv.subscription_remote_id) == \
        (InvoiceStatus.PAID, 129990, 129990, 0, "1042", "t3purch00001", "s5active0001")
    assert inv.lines[0].price_remote_id == "p1plan000001:TRY" and inv.lines[0].amount == 129990
    assert (inv.period_start, inv.period_end) == (dt.datetime(2026, 3, 5, 12, 30, tzinfo=dt.UTC), dt.datetime(2026, 4, 5, 12, 30, tzinfo=dt.UTC))


def test_credit_invoice_is_negative_and_closed(payload):
    inv = mapping.invoice(payload("invoice_credit"))
    assert (inv.status, inv.total, inv.lines[0].amount) == (InvoiceStatus.PAID, -10010, -10010)


def test_active_subscription_with_coupon_and_plan_interval(payload):
    s = mapping.subscription(payload("subscription_active"), payload("plan"))
    assert (s.status, s.amount, s.currency, s.quantity, s.interval, s.interval_count) == (SubscriptionStatus.ACTIVE, 59800, "TRY", 2, "month", 1)
    assert (s.price_remote_id, s.plan_name, s.coupon_remote_ids, s.cancel_at_period_end) == ("p1plan000001:TRY", "Basic", ("c1coupon0001",), False)


def test_canceled_subscription_is_live_until_it_expires(payload):
    s = mapping.subscription(payload("subscription_canceled"))
    assert (s.status, s.cancel_at_period_end, s.amount, s.interval) == (SubscriptionStatus.ACTIVE, True, 999, "")
    assert s.canceled_at == dt.datetime(2026, 3, 20, 8, tzinfo=dt.UTC)


def test_subscription_in_trial_and_expired(payload):
    assert mapping.subscription(payload("subscription_trial")).status == SubscriptionStatus.TRIALING
    assert mapping.subscription(payload("subscription_expired")).status == SubscriptionStatus.CANCELED


def test_plan_is_a_product_with_one_price_per_currency(payload):
    plan = payload("plan")
    assert mapping.product(plan).name == "Basic"
    prices = {p.remote_id: (p.unit_amount, p.interval) for p in mapping.prices(plan)}
    assert prices == {"p1plan000001:EUR": (999, "month"), "p1plan000001:TRY": (29900, "month"), "p1plan000001:JPY": (1200, "month")}
    assert mapping.split_price_id("p1plan000001:EUR") == ("p1plan000001", "EUR")
    with pytest.raises(ValueError):
        mapping.split_price_id("no-currency")


def test_coupons(payload):
    pct = mapping.coupon(payload("coupon_percent"))
    assert (pct.percent_off_bp, pct.duration, pct.duration_in_months, pct.valid) == (1000, "repeating", 3, True)
    fixed = mapping.coupon(payload("coupon_fixed"))
    assert (fixed.amount_off, fixed.currency, fixed.duration, fixed.valid) == (500, "EUR", "once", False)


def test_unknown_state_fails_loudly_in_tests_and_falls_back_in_production(payload, monkeypatch):
    odd = {**payload("subscription_active"), "state": "hibernating"}
    with pytest.raises(statuses.UnknownStatus):
        mapping.subscription(odd)
    monkeypatch.setattr(statuses, "STRICT", False)
    assert mapping.subscription(odd).status == SubscriptionStatus.INCOMPLETE
    assert mapping.charge({**payload("transaction_purchase"), "status": "mystery"}).status == ChargeStatus.PENDING


def test_amount_edge_cases():
    assert mapping.minor(0.1 + 0.2, "EUR") == 30  # a float artefact rounds to the currency's places, no drift
    assert mapping.minor("1200", "JPY") == 1200 and mapping.minor(12.345, "KWD") == 12345 and mapping.minor(None, "EUR") == 0
    with pytest.raises(ValueError):
        mapping.minor("abc", "EUR")
    with pytest.raises(ValueError):
        mapping.minor(True, "EUR")


@pytest.mark.parametrize("name,kind,type_,remote_id", [
    ("notification_subscription_canceled", ResourceKind.SUBSCRIPTION, "subscription.canceled", "s5cancel0001"),
    ("notification_payment_refunded", ResourceKind.REFUND, "payment.refunded", "t3refund0001"),
    ("notification_account_created", ResourceKind.CUSTOMER, "account.created", "o9ahq3ldm1vx"),
    ("notification_unknown", None, "gift_card.purchased", ""),
])
def test_notifications_name_their_object(payload, name, kind, type_, remote_id):
    (event,) = webhooks.parse(__import__("json").dumps(payload(name)).encode())
    assert (event.kind, event.type, event.remote_id, event.obj) == (kind, type_, remote_id, None)
    assert event.event_id == f"{type_}:{payload(name)['id']}:{payload(name)['event_time']}"
    assert event.occurred_at.tzinfo is not None
