"""StripeAdapter end to end against the local Stripe fake (chargeside.sandbox.stripe), through the real SDK.

The "merchant" client plays the Stripe dashboard: it sets up customers, cards, prices and charges with a plain
SDK client. Everything under test goes through the adapter exactly as actions/ and ingest/ call it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket

import pytest
import stripe

from chargeside.core.money import Money
from chargeside.gateways.errors import Declined, InvalidRequest, NotFound, RateLimited, Unavailable
from chargeside.gateways.stripe.adapter import StripeAdapter
from chargeside.gateways.types import ChargeStatus, InvoiceStatus, ResourceKind, SubscriptionStatus

try:
    from chargeside.sandbox.stripe import StripeFake
except ImportError:  # the fake is being built in parallel; these tests run as soon as it imports
    StripeFake = None

pytestmark = pytest.mark.skipif(StripeFake is None, reason="chargeside.sandbox.stripe cannot be imported yet")

KEY = "sk_test_chargeside"


@pytest.fixture
def fake():
    fake = StripeFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def adapter(fake):
    return StripeAdapter(settings={"base_url": fake.base_url}, credentials={"secret_key": KEY, "webhook_secret": "whsec_test"})


@pytest.fixture
def merchant(fake):
    return stripe.StripeClient(KEY, base_addresses={"api": fake.base_url}, max_network_retries=0)


def customer_with_card(merchant, email="ada@example.com", card="pm_card_visa", name="Ada Lovelace") -> tuple[str, str]:
    customer = merchant.v1.customers.create({"email": email, "name": name})
    pm = merchant.v1.payment_methods.attach(card, {"customer": customer.id})
    merchant.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    return customer.id, pm.id


def paid_charge(merchant, adapter, customer: str, pm: str, amount: int = 5000, currency: str = "eur"):
    pi = merchant.v1.payment_intents.create({"amount": amount, "currency": currency, "customer": customer, "payment_method": pm,
                                             "confirm": True, "off_session": True, "payment_method_types": ["card"]})
    return adapter.fetch(ResourceKind.CHARGE, pi.latest_charge)


def monthly_price(merchant, amount=2900, currency="usd", name="Pro", nickname=None) -> str:
    product = merchant.v1.products.create({"name": name})
    params = {"product": product.id, "unit_amount": amount, "currency": currency, "recurring": {"interval": "month"}}
    if nickname:
        params["nickname"] = nickname
    return merchant.v1.prices.create(params).id


# --- health and reads ------------------------------------------------------------------------------

def test_connection_check(adapter):
    check = adapter.test_connection()
    assert check.ok is True, check.message
    assert "test mode" in check.message


def test_connection_with_a_bad_key_reports_why(fake):
    check = StripeAdapter(settings={"base_url": fake.base_url}, credentials={"secret_key": "sk_live_nope"}).test_connection()
    assert check.ok is False
    assert "Invalid API Key" in check.message


def test_find_customers_by_email_is_exact(merchant, adapter):
    ada, _ = customer_with_card(merchant, "ada@example.com")
    ada2 = merchant.v1.customers.create({"email": "ada@example.com", "name": "Ada (second account)"}).id
    merchant.v1.customers.create({"email": "ada.lovelace@example.com"})
    found = adapter.find_customers_by_email("ada@example.com")
    assert sorted(c.remote_id for c in found) == sorted([ada, ada2])
    assert {c.email for c in found} == {"ada@example.com"}
    assert adapter.find_customers_by_email("nobody@example.com") == []


def test_find_customers_tries_the_lower_case_spelling(merchant, adapter):
    ada = merchant.v1.customers.create({"email": "ada@example.com"}).id
    assert [c.remote_id for c in adapter.find_customers_by_email("Ada@Example.com")] == [ada]


def _walk(adapter, kind, page_size=2):
    ids, cursor, pages = [], None, 0
    while True:
        page = adapter.list_page(kind, cursor, page_size=page_size)
        ids += [item.remote_id for item in page.items]
        pages += 1
        if page.next_cursor is None:
            return ids, pages
        assert page.next_cursor != cursor
        cursor = page.next_cursor


def test_backfill_pages_through_every_kind(fake, merchant, adapter):
    created: dict[ResourceKind, set[str]] = {kind: set() for kind in ResourceKind}
    customers = []
    for n in range(3):
        customer, pm = customer_with_card(merchant, f"c{n}@example.com")
        customers.append(customer)
        created[ResourceKind.CUSTOMER].add(customer)
        created[ResourceKind.PAYMENT_METHOD].add(pm)
        created[ResourceKind.TAX_ID].add(merchant.v1.customers.tax_ids.create(customer, {"type": "eu_vat", "value": f"DE12345678{n}"}).id)
        charge = paid_charge(merchant, adapter, customer, pm, amount=1000 + n)
        created[ResourceKind.CHARGE].add(charge.remote_id)
        created[ResourceKind.REFUND].add(merchant.v1.refunds.create({"charge": charge.remote_id, "amount": 100}).id)
    extra_pm = merchant.v1.payment_methods.attach("pm_card_mastercard", {"customer": customers[0]}).id
    created[ResourceKind.PAYMENT_METHOD].add(extra_pm)
    for n in range(3):
        price = monthly_price(merchant, amount=1000 * (n + 1), name=f"Plan {n}")
        created[ResourceKind.PRICE].add(price)
        created[ResourceKind.PRODUCT].add(merchant.v1.prices.retrieve(price).product)
        sub = merchant.v1.subscriptions.create({"customer": customers[n], "items": [{"price": price}]})
        created[ResourceKind.SUBSCRIPTION].add(sub.id)
        created[ResourceKind.INVOICE].add(sub.latest_invoice)
        coupon = merchant.v1.coupons.create({"percent_off": 10 + n, "duration": "once"}).id
        created[ResourceKind.COUPON].add(coupon)
        created[ResourceKind.PROMOTION_CODE].add(
            merchant.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon}, "code": f"CODE{n}"}).id)
    canceled = merchant.v1.subscriptions.create({"customer": customers[0], "items": [{"price": price}]})
    merchant.v1.subscriptions.cancel(canceled.id)
    created[ResourceKind.SUBSCRIPTION].add(canceled.id)  # status=all: canceled ones are listed too
    created[ResourceKind.INVOICE].add(canceled.latest_invoice)
    disputed = paid_charge(merchant, adapter, customers[1], "pm_card_visa", amount=777)
    created[ResourceKind.CHARGE].add(disputed.remote_id)
    created[ResourceKind.DISPUTE].add(fake.control.create_dispute(disputed.remote_id)["id"])

    for kind in ResourceKind:
        ids, pages = _walk(adapter, kind)
        assert len(ids) == len(set(ids)), f"{kind}: duplicates across pages"
        assert created[kind] <= set(ids), f"{kind}: missing {created[kind] - set(ids)}"
        if len(created[kind]) > 2:
            assert pages >= 2, f"{kind}: expected several pages"


def test_subscription_pages_carry_product_names(merchant, adapter):
    customer, _ = customer_with_card(merchant)
    price = monthly_price(merchant, name="Team")
    merchant.v1.subscriptions.create({"customer": customer, "items": [{"price": price, "quantity": 2}]})
    [sub] = adapter.list_page(ResourceKind.SUBSCRIPTION, None).items
    assert (sub.plan_name, sub.amount, sub.quantity, sub.currency, sub.interval) == ("Team", 5800, 2, "USD", "month")
    assert adapter.fetch(ResourceKind.SUBSCRIPTION, sub.remote_id).plan_name == "Team"


def test_fetch_unknown_object_is_not_found(adapter):
    with pytest.raises(NotFound) as info:
        adapter.fetch(ResourceKind.CHARGE, "ch_doesnotexist")
    assert info.value.request_id.startswith("req_")


# --- refunds -----------------------------------------------------------------------------------------

def test_partial_refunds_then_an_over_refund(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm, amount=5000)
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


def test_same_key_twice_moves_money_once(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm, amount=5000)
    one = adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="duplicate", idempotency_key="attempt-7")
    two = adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="duplicate", idempotency_key="attempt-7")
    assert one.remote_id == two.remote_id
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).amount_refunded == 1500
    assert [r.id for r in merchant.v1.refunds.list({"charge": charge.remote_id}).data] == [one.remote_id]


def test_refund_in_the_wrong_currency_is_refused_locally(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm)
    with pytest.raises(InvalidRequest, match="EUR"):
        adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="att-cur")


def test_refund_with_lost_answer_is_recovered_by_the_same_key(fake, merchant, adapter):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm)
    fake.faults.add("/v1/refunds", status=500, when="after")  # the refund happens, the answer is lost
    with pytest.raises(Unavailable):
        adapter.refund(charge=charge, amount=Money(700, "EUR"), reason="", idempotency_key="att-lost")
    retry = adapter.refund(charge=charge, amount=Money(700, "EUR"), reason="", idempotency_key="att-lost")
    assert retry.amount == 700
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).amount_refunded == 700


# --- authorise, capture, void ---------------------------------------------------------------------

def test_authorize_then_capture_part(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(8000, "GBP"),
                             description="Deposit", idempotency_key="auth-1")
    assert (held.status, held.amount, held.amount_captured, held.currency) == (ChargeStatus.AUTHORIZED, 8000, 0, "GBP")
    assert held.intent_remote_id.startswith("pi_")
    captured = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-1")
    assert (captured.remote_id, captured.intent_remote_id, captured.amount, captured.amount_captured) == (
        held.remote_id, held.intent_remote_id, 8000, 5000)
    again = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-1")  # retried attempt
    assert again.amount_captured == 5000


@pytest.mark.xfail(strict=True, reason=(
    "sandbox/stripe counts the released 3000 of a partial capture in amount_refunded, as Stripe did before "
    "2025-03-31.basil; the fake serves 2026-10-28.endive, where amount_refunded is not touched "
    "(support.stripe.com: changes to balance transaction behavior for partial capture). Remove when fixed."))
def test_partial_capture_releases_the_rest_without_a_refund(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(8000, "GBP"),
                             description="Deposit", idempotency_key="auth-9")
    captured = adapter.capture(charge=held, amount=Money(5000, "GBP"), idempotency_key="cap-9")
    assert (captured.status, captured.amount_refunded) == (ChargeStatus.SUCCEEDED, 0)


def test_authorize_then_void(merchant, adapter):
    customer, pm = customer_with_card(merchant)
    held = adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(3000, "EUR"),
                             description="Hold", idempotency_key="auth-2")
    voided = adapter.void(charge=held, idempotency_key="void-2")
    assert (voided.remote_id, voided.status) == (held.remote_id, ChargeStatus.VOIDED)
    assert adapter.fetch(ResourceKind.CHARGE, held.remote_id).status == ChargeStatus.VOIDED  # stays voided on re-fetch


def test_authorize_with_a_declining_card(merchant, adapter):
    customer, pm = customer_with_card(merchant, card="pm_card_chargeDeclinedInsufficientFunds")
    with pytest.raises(Declined) as info:
        adapter.authorize(customer_remote_id=customer, payment_method_remote_id=pm, amount=Money(3000, "EUR"),
                          description="Hold", idempotency_key="auth-3")
    assert (info.value.code, info.value.message) == ("insufficient_funds", "The card was declined (insufficient funds).")
    assert info.value.request_id.startswith("req_")


# --- subscriptions ---------------------------------------------------------------------------------

@pytest.fixture
def subscribed(merchant, adapter):
    customer, _ = customer_with_card(merchant)
    price = monthly_price(merchant, amount=2900, name="Pro")
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


def test_subscription_change_preview_then_change(subscribed, merchant, adapter):
    _, _, sub = subscribed
    bigger = monthly_price(merchant, amount=9900, name="Team")
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


def test_invoice_send_finalizes_a_draft(merchant, adapter):
    customer, _ = customer_with_card(merchant)
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


def test_tax_id_add(merchant, adapter):
    customer, _ = customer_with_card(merchant)
    tax_id = adapter.tax_id_add(customer_remote_id=customer, type="eu_vat", value="DE123456789", idempotency_key="tax-1")
    assert (tax_id.customer_remote_id, tax_id.type, tax_id.value, tax_id.country) == (customer, "eu_vat", "DE123456789", "DE")
    assert [t.remote_id for t in adapter.list_page(ResourceKind.TAX_ID, None).items] == [tax_id.remote_id]


def test_card_update_session(merchant, adapter):
    customer, _ = customer_with_card(merchant)
    session = adapter.card_update_session(customer_remote_id=customer, return_url="https://desk.example.com/back", idempotency_key="card-1")
    assert session.url.startswith("http")
    assert session.expires_at is None or session.expires_at > dt.datetime.now(dt.UTC)


# --- faults ------------------------------------------------------------------------------------------

def test_rate_limited(fake, adapter):
    fake.faults.add("/v1/customers", status=429)
    with pytest.raises(RateLimited) as info:
        adapter.find_customers_by_email("ada@example.com")
    assert info.value.request_id.startswith("req_")
    assert adapter.find_customers_by_email("ada@example.com") == []  # one fault only


def test_server_error_is_unavailable_with_request_id(fake, merchant, adapter):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm)
    fake.faults.add("/v1/refunds", status=500)
    with pytest.raises(Unavailable) as info:
        adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="", idempotency_key="att-500")
    assert (info.value.http_status, info.value.retryable) == (500, True)
    assert info.value.request_id.startswith("req_")
    assert adapter.fetch(ResourceKind.CHARGE, charge.remote_id).amount_refunded == 0  # nothing happened


def test_unreachable_is_unavailable(fake, adapter):
    fake.faults.unreachable = True
    with pytest.raises(Unavailable):
        adapter.list_page(ResourceKind.CUSTOMER, None)


def test_connection_refused_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    adapter = StripeAdapter(settings={"base_url": f"http://127.0.0.1:{port}"}, credentials={"secret_key": KEY})
    with pytest.raises(Unavailable) as info:
        adapter.fetch(ResourceKind.CUSTOMER, "cus_1")
    assert info.value.request_id == ""
    assert adapter.test_connection().ok is False


def test_every_write_leaves_with_the_callers_key(monkeypatch, merchant, adapter):
    from chargeside.gateways.stripe import client as client_module

    sent = []
    original = client_module._GuardedRequestsClient.request

    def recording(self, method, url, headers, post_data=None):
        sent.append((method.upper(), url.split("?")[0].split("/v1/")[1], headers.get("Idempotency-Key")))
        return original(self, method, url, headers, post_data)

    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm)
    price, bigger = monthly_price(merchant, name="Pro"), monthly_price(merchant, amount=9900, name="Team")
    merchant.v1.coupons.create({"percent_off": 10, "duration": "once", "id": "TEN"})
    merchant.v1.invoice_items.create({"customer": customer, "amount": 1000, "currency": "usd"})
    draft = merchant.v1.invoices.create({"customer": customer, "collection_method": "send_invoice", "days_until_due": 7,
                                         "pending_invoice_items_behavior": "include"})
    monkeypatch.setattr(client_module._GuardedRequestsClient, "request", recording)

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


def test_seeded_account_backfills_in_strict_mapping(fake, adapter):
    """The fake's realistic seed (every subscription state, declines, refunds, disputes, tax ids) maps cleanly."""
    from chargeside.sandbox.stripe.seed import DEMO_CUSTOMER, DEMO_EMAIL, seed

    counts = seed(fake, customers=60, rng_seed=7)
    seen: dict[ResourceKind, list] = {}
    for kind in ResourceKind:
        items, cursor = [], None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)  # mapping.STRICT: unknown statuses raise
            items += page.items
            if (cursor := page.next_cursor) is None:
                break
        seen[kind] = items
    assert len(seen[ResourceKind.CUSTOMER]) == counts["customers_seeded"] + 1  # plus the demo customer
    for kind, items in seen.items():
        assert items, f"the seed has no {kind}"
    charge_states = {c.status for c in seen[ResourceKind.CHARGE]}
    assert {ChargeStatus.SUCCEEDED, ChargeStatus.FAILED} <= charge_states
    assert all(c.failure_code for c in seen[ResourceKind.CHARGE] if c.status == ChargeStatus.FAILED)
    assert len({s.status for s in seen[ResourceKind.SUBSCRIPTION]}) >= 4
    assert all(s.plan_name for s in seen[ResourceKind.SUBSCRIPTION])  # product names resolved per page
    assert all(t.customer_remote_id for t in seen[ResourceKind.TAX_ID])
    assert all(pm.customer_remote_id for pm in seen[ResourceKind.PAYMENT_METHOD])
    assert [c.remote_id for c in adapter.find_customers_by_email(DEMO_EMAIL)] == [DEMO_CUSTOMER]
    for kind, items in seen.items():  # and the first of each kind re-fetches to the same object
        if kind != ResourceKind.TAX_ID:  # the fake has no GET /v1/tax_ids/{id} (Stripe has)
            fetched = adapter.fetch(kind, items[0].remote_id)
            assert dataclasses.replace(fetched, raw={}) == dataclasses.replace(items[0], raw={})  # raw: other expansions


def test_fakes_webhooks_verify_and_parse(fake, merchant, adapter):
    """Every event the fake emitted during a busy session: signed by the fake, verified and parsed by us."""
    from chargeside.gateways.stripe import mapping
    from chargeside.sandbox.stripe.webhooks import signature_header

    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, adapter, customer, pm)
    adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="", idempotency_key="w-1")
    sub = adapter.subscription_create(customer_remote_id=customer, price_remote_id=monthly_price(merchant), idempotency_key="w-2")
    adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="w-3")
    adapter.tax_id_add(customer_remote_id=customer, type="eu_vat", value="DE123456789", idempotency_key="w-4")
    fake.control.create_dispute(charge.remote_id)
    events = fake.control.events(limit=500)
    assert len(events) > 10
    adapter = StripeAdapter(settings={"base_url": fake.base_url}, credentials={"secret_key": KEY, "webhook_secret": "whsec_fake"})
    kinds = set()
    for raw in events:
        body = json.dumps(raw, separators=(",", ":")).encode()
        now = 1_800_000_000
        adapter.verify_webhook(headers={"Stripe-Signature": signature_header(body, "whsec_fake", now)}, body=body, now=now)
        [event] = adapter.parse_webhook(body)  # strict mapping: any unknown status or shape raises
        assert event.event_id == raw["id"] and event.type == raw["type"]
        if raw["type"] in mapping.EVENT_KINDS:
            assert event.kind is not None and event.remote_id, raw["type"]
            kinds.add(event.kind)
    assert {ResourceKind.CUSTOMER, ResourceKind.CHARGE, ResourceKind.REFUND, ResourceKind.SUBSCRIPTION,
            ResourceKind.INVOICE, ResourceKind.TAX_ID, ResourceKind.DISPUTE} <= kinds
