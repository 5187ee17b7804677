"""StripeAdapter writes end to end against the local Stripe fake: refunds, authorise/capture/void, subscriptions,
invoices, coupons, tax ids, card update sessions, and the idempotency keys every write carries.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chargeside.core.money import Money
from chargeside.gateways.errors import Declined, InvalidRequest, NotFound, Unavailable
from chargeside.gateways.types import (
    ChargeStatus,
    InvoiceStatus,
    ResourceKind,
    SubscriptionStatus,
)

# --- refunds -----------------------------------------------------------------------------------------

def test_partial_refunds_then_an_over_refund(adapter, shop):
    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm, amount=5000)
    first = adapter.refund(charge=charge, amount=Money(2000, "EUR"), reason="requested_by_customer", idempotency_key="att-1")
    second = adapter.refund(charge=charge, amount=Money(1000, "EUR"), reason="Goodwill after outage", idempotency_key="att-2")
    assert (first.amount, first.currency, first.charge_remote_id, first.reason) == (2000, "EUR", charge.remote_id, "requested_by_customer")
    assert second.raw["metadata"] == {"chargeside_reason": "Goodwill after outage"}
    after = adapter.fetch(ResourceKind.CHARGE, charge.remote_id)
    assert (after.status, after.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 3000)
    with pytest.raises(InvalidRequest) as info:
        adapter.refund(charge=after, amount=Money(2500, "EUR"), reason="", idempotency_key="att-3")
    assert info.value.request_id.startswith("req_")
    assert "greater than" in info.value.message.lower() or "exceeds" in info.value.message.lower(), info.value.message
    final = adapter.refund(charge=after, amount=Money(2000, "EUR"), reason="", idempotency_key="att-4")
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).status == ChargeStatus.REFUNDED
    assert final.amount == 2000


def test_same_key_twice_moves_money_once(merchant, adapter, shop):
    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm, amount=5000)
    one = adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="duplicate", idempotency_key="attempt-7")
    two = adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="duplicate", idempotency_key="attempt-7")
    assert one.remote_id == two.remote_id
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).amount_refunded == 1500
    assert [r.id for r in merchant.v1.refunds.list({"charge": charge.remote_id}).data] == [one.remote_id]


def test_refund_in_the_wrong_currency_is_refused_locally(adapter, shop):
    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm)
    with pytest.raises(InvalidRequest, match="EUR"):
        adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="att-cur")


def test_refund_with_lost_answer_is_recovered_by_the_same_key(fake, adapter, shop):
    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm)
    fake.faults.add("/v1/refunds", status=500, when="after")  # the refund happens, the answer is lost
    with pytest.raises(Unavailable):
        adapter.refund(charge=charge, amount=Money(700, "EUR"), reason="", idempotency_key="att-lost")
    retry = adapter.refund(charge=charge, amount=Money(700, "EUR"), reason="", idempotency_key="att-lost")
    assert retry.amount == 700
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).amount_refunded == 700


# --- authorise, capture, void ---------------------------------------------------------------------

def test_authorize_then_capture_part(adapter, shop):
    customer, pm = shop.customer_with_card()
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(8000, "GBP"),
                             description="Deposit", idempotency_key="auth-1")
    assert (held.status, held.amount, held.amount_captured, held.currency) == (ChargeStatus.AUTHORIZED, 8000, 0, "GBP")
    assert held.intent_remote_id.startswith("pi_")
    captured = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-1")
    assert (captured.remote_id, captured.intent_remote_id, captured.amount, captured.amount_captured) == (
        held.remote_id, held.intent_remote_id, 8000, 5000)
    again = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-1")  # retried attempt
    assert again.amount_captured == 5000


def test_partial_capture_releases_the_rest_without_a_refund(adapter, shop):
    customer, pm = shop.customer_with_card()
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(8000, "GBP"),
                             description="Deposit", idempotency_key="auth-9")
    captured = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-9")
    assert (captured.status, captured.amount_refunded) == (ChargeStatus.SUCCEEDED, 0)


def test_authorize_then_void(adapter, shop):
    customer, pm = shop.customer_with_card()
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(3000, "EUR"),
                             description="Hold", idempotency_key="auth-2")
    voided = adapter.void(charge=held, idempotency_key="void-2")
    assert (voided.remote_id, voided.status) == (held.remote_id, ChargeStatus.VOIDED)
    assert adapter.fetch(ResourceKind.CHARGE, held.remote_id).status == ChargeStatus.VOIDED  # stays voided on re-fetch


def test_authorize_with_a_declining_card(adapter, shop):
    customer, pm = shop.customer_with_card(card="pm_card_chargeDeclinedInsufficientFunds")
    with pytest.raises(Declined) as info:
        adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(3000, "EUR"),
                          description="Hold", idempotency_key="auth-3")
    assert (info.value.code, info.value.message) == ("insufficient_funds", "The card was declined (insufficient funds).")
    assert info.value.request_id.startswith("req_")


# --- subscriptions ---------------------------------------------------------------------------------

@pytest.fixture
def subscribed(adapter, shop):
    customer, _ = shop.customer_with_card()
    price = shop.monthly_price(amount=2900, name="Pro")
    sub = adapter.subscription_create(customer_remote_id=customer, price_remote_id=price, idempotency_key="sub-create")
    return customer, price, sub


def test_subscription_create(subscribed):
    customer, price, sub = subscribed
    assert (sub.customer_remote_id, sub.price_remote_id, sub.status, sub.plan_name, sub.amount) == (
        customer, price, SubscriptionStatus.ACTIVE, "Pro", 2900)
    assert sub.item_remote_id.startswith("si_")
    assert sub.current_period_end > sub.current_period_start


def test_subscription_cancel_now(subscribed, adapter):
    _, _, sub = subscribed
    canceled = adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="cancel-now")
    assert canceled.status == SubscriptionStatus.CANCELED
    assert canceled.canceled_at is not None


def test_subscription_cancel_at_period_end(subscribed, adapter):
    _, _, sub = subscribed
    later = adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=True, idempotency_key="cancel-later")
    assert (later.status, later.cancel_at_period_end) == (SubscriptionStatus.ACTIVE, True)


def test_subscription_change_preview_then_change(subscribed, adapter, shop):
    _, _, sub = subscribed
    bigger = shop.monthly_price(amount=9900, name="Team")
    when = sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2
    when = when.replace(microsecond=0)
    preview = adapter.subscription_change_preview(subscription=sub, price_remote_id=bigger, proration_date=when)
    assert preview.currency == "USD"
    assert preview.proration_amount > 0  # half a month more expensive
    assert preview.amount_due >= preview.proration_amount
    assert any(line.proration and line.amount < 0 for line in preview.lines)  # credit for unused Pro time
    assert preview.next_payment_at is not None
    changed = adapter.subscription_change(subscription=sub, price_remote_id=bigger, proration_date=when, idempotency_key="change-1")
    assert (changed.price_remote_id, changed.plan_name, changed.amount, changed.item_remote_id) == (bigger, "Team", 9900, sub.item_remote_id)


def test_invoice_send_finalizes_a_draft(merchant, adapter, shop):
    customer, _ = shop.customer_with_card()
    merchant.v1.invoice_items.create({"customer": customer, "amount": 4200, "currency": "eur", "description": "Consulting"})
    draft = merchant.v1.invoices.create({"customer": customer, "collection_method": "send_invoice", "days_until_due": 14,
                                         "pending_invoice_items_behavior": "include"})
    assert draft.status == "draft"
    sent = adapter.invoice_send(invoice_remote_id=draft.id, idempotency_key="send-1")
    assert (sent.remote_id, sent.status, sent.total, sent.currency) == (draft.id, InvoiceStatus.OPEN, 4200, "EUR")
    assert sent.hosted_url
    again = adapter.invoice_send(invoice_remote_id=draft.id, idempotency_key="send-1")  # a retry of the same attempt
    assert again.status == InvoiceStatus.OPEN


def test_coupon_by_promotion_code_on_a_subscription(subscribed, merchant, adapter):
    _, _, sub = subscribed
    coupon = merchant.v1.coupons.create({"percent_off": 12.5, "duration": "forever", "id": "TWELVEHALF"})
    merchant.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "SPRING25"})
    updated = adapter.coupon_apply(code="SPRING25", idempotency_key="coupon-1", subscription_remote_id=sub.remote_id)
    assert updated.coupon_remote_ids == ("TWELVEHALF",)
    assert adapter.fetch(ResourceKind.COUPON, "TWELVEHALF").percent_off_bp == 1250
    again = adapter.coupon_apply(code="SPRING25", idempotency_key="coupon-1", subscription_remote_id=sub.remote_id)
    assert again.coupon_remote_ids == ("TWELVEHALF",)


def test_coupon_id_on_a_customers_only_subscription(subscribed, merchant, adapter):
    customer, _, sub = subscribed
    merchant.v1.coupons.create({"amount_off": 500, "currency": "usd", "duration": "once", "id": "FIVEOFF"})
    updated = adapter.coupon_apply(code="FIVEOFF", idempotency_key="coupon-2", customer_remote_id=customer)
    assert (updated.remote_id, updated.coupon_remote_ids) == (sub.remote_id, ("FIVEOFF",))


def test_unknown_code_is_not_found(subscribed, adapter):
    _, _, sub = subscribed
    with pytest.raises(NotFound, match="NOPE"):
        adapter.coupon_apply(code="NOPE", idempotency_key="coupon-3", subscription_remote_id=sub.remote_id)


def test_tax_id_add(adapter, shop):
    customer, _ = shop.customer_with_card()
    tax_id = adapter.tax_id_add(customer_remote_id=customer, type="eu_vat", value="DE123456789", idempotency_key="tax-1")
    assert (tax_id.customer_remote_id, tax_id.type, tax_id.value, tax_id.country) == (customer, "eu_vat", "DE123456789", "DE")
    assert [t.remote_id for t in adapter.list_page(ResourceKind.TAX_ID, None).items] == [tax_id.remote_id]


def test_card_update_session(adapter, shop):
    customer, _ = shop.customer_with_card()
    session = adapter.card_update_session(customer_remote_id=customer, return_url="https://desk.example.com/back", idempotency_key="card-1")
    assert session.url.startswith("http")
    assert session.expires_at is None or session.expires_at > dt.datetime.now(dt.UTC)


def test_every_write_leaves_with_the_callers_key(monkeypatch, merchant, adapter, shop):
    from chargeside.gateways.stripe import transport

    sent = []
    original = transport.check_idempotency_key

    def recording(method, url, headers):  # the guard every request passes through on its way out
        sent.append((method.upper(), url.split("?")[0].split("/v1/")[1], headers.get("Idempotency-Key")))
        return original(method, url, headers)

    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm)
    price, bigger = shop.monthly_price(name="Pro"), shop.monthly_price(amount=9900, name="Team")
    merchant.v1.coupons.create({"percent_off": 10, "duration": "once", "id": "TEN"})
    merchant.v1.invoice_items.create({"customer": customer, "amount": 1000, "currency": "usd"})
    draft = merchant.v1.invoices.create({"customer": customer, "collection_method": "send_invoice", "days_until_due": 7,
                                         "pending_invoice_items_behavior": "include"})
    monkeypatch.setattr(transport, "check_idempotency_key", recording)

    adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="", idempotency_key="k-refund")
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(500, "EUR"),
                             description="", idempotency_key="k-auth")
    adapter.capture(charge=held, amount=None, idempotency_key="k-capture")
    held2 = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(500, "EUR"),
                              description="", idempotency_key="k-auth2")
    adapter.void(charge=held2, idempotency_key="k-void")
    sub = adapter.subscription_create(customer_remote_id=customer, price_remote_id=price, idempotency_key="k-sub")
    when = sub.current_period_start + dt.timedelta(days=3)
    adapter.subscription_change_preview(subscription=sub, price_remote_id=bigger, proration_date=when)
    sub = adapter.subscription_change(subscription=sub, price_remote_id=bigger, proration_date=when, idempotency_key="k-change")
    adapter.coupon_apply(code="TEN", idempotency_key="k-coupon", subscription_remote_id=sub.remote_id)
    adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=True, idempotency_key="k-later")
    adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="k-now")
    adapter.invoice_send(invoice_remote_id=draft.id, idempotency_key="k-send")
    adapter.tax_id_add(customer_remote_id=customer, type="eu_vat", value="DE123456789", idempotency_key="k-tax")
    adapter.card_update_session(customer_remote_id=customer, return_url="https://example.com", idempotency_key="k-card")

    writes = [(m, path, key) for m, path, key in sent if m in ("POST", "DELETE")]
    assert all(key is None for m, _, key in sent if m == "GET")
    assert [key for _, _, key in writes if not key.startswith("preview-")] == [
        "k-refund", "k-auth", "k-capture", "k-auth2", "k-void", "k-sub", "k-change", "k-coupon", "k-later", "k-now",
        "k-send:finalize", "k-send:send", "k-tax", "k-card"]
    assert [path for _, path, key in writes if key.startswith("preview-")] == ["invoices/create_preview"]
    assert ("DELETE", f"subscriptions/{sub.remote_id}", "k-now") in writes


