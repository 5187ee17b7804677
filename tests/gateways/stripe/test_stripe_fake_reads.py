"""StripeAdapter reads, faults and webhooks end to end against the local Stripe fake, through the real SDK.

Set-up goes through `shop` (a plain SDK client playing the merchant's dashboard, see conftest); everything under
test goes through the adapter exactly as ingest/ and actions/ call it.
"""

from __future__ import annotations

import dataclasses
import json
import socket

import pytest

from chargeside.core.money import Money
from chargeside.gateways.errors import NotFound, RateLimited, Unavailable
from chargeside.gateways.stripe.adapter import StripeAdapter
from chargeside.gateways.types import ChargeStatus, ResourceKind

KEY = "sk_test_chargeside"  # any sk_test_ key works on the fake


# --- health and reads ------------------------------------------------------------------------------

def test_connection_check(adapter):
    check = adapter.test_connection()
    assert check.ok is True, check.message
    assert "test mode" in check.message


def test_connection_with_a_bad_key_reports_why(fake):
    check = StripeAdapter(settings={"base_url": fake.base_url}, credentials={"secret_key": "sk_live_nope"}).test_connection()
    assert check.ok is False
    assert "Invalid API Key" in check.message


def test_find_customers_by_email_is_exact(merchant, adapter, shop):
    ada, _ = shop.customer_with_card("ada@example.com")
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


def test_backfill_pages_through_every_kind(fake, merchant, adapter, shop):
    created: dict[ResourceKind, set[str]] = {kind: set() for kind in ResourceKind}
    customers = []
    for n in range(3):
        customer, pm = shop.customer_with_card(f"c{n}@example.com")
        customers.append(customer)
        created[ResourceKind.CUSTOMER].add(customer)
        created[ResourceKind.PAYMENT_METHOD].add(pm)
        created[ResourceKind.TAX_ID].add(merchant.v1.customers.tax_ids.create(customer, {"type": "eu_vat", "value": f"DE12345678{n}"}).id)
        charge = shop.paid_charge(customer, pm, amount=1000 + n)
        created[ResourceKind.CHARGE].add(charge.remote_id)
        created[ResourceKind.REFUND].add(merchant.v1.refunds.create({"charge": charge.remote_id, "amount": 100}).id)
    extra_pm = merchant.v1.payment_methods.attach("pm_card_mastercard", {"customer": customers[0]}).id
    created[ResourceKind.PAYMENT_METHOD].add(extra_pm)
    for n in range(3):
        price = shop.monthly_price(amount=1000 * (n + 1), name=f"Plan {n}")
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
    disputed = shop.paid_charge(customers[1], "pm_card_visa", amount=777)
    created[ResourceKind.CHARGE].add(disputed.remote_id)
    created[ResourceKind.DISPUTE].add(fake.control.create_dispute(disputed.remote_id)["id"])

    for kind in ResourceKind:
        ids, pages = _walk(adapter, kind)
        assert len(ids) == len(set(ids)), f"{kind}: duplicates across pages"
        assert created[kind] <= set(ids), f"{kind}: missing {created[kind] - set(ids)}"
        if len(created[kind]) > 2:
            assert pages >= 2, f"{kind}: expected several pages"


def test_subscription_pages_carry_product_names(merchant, adapter, shop):
    customer, _ = shop.customer_with_card()
    price = shop.monthly_price(name="Team")
    merchant.v1.subscriptions.create({"customer": customer, "items": [{"price": price, "quantity": 2}]})
    [sub] = adapter.list_page(ResourceKind.SUBSCRIPTION, None).items
    assert (sub.plan_name, sub.amount, sub.quantity, sub.currency, sub.interval) == ("Team", 5800, 2, "USD", "month")
    assert adapter.fetch(ResourceKind.SUBSCRIPTION, sub.remote_id).plan_name == "Team"


def test_fetch_unknown_object_is_not_found(adapter):
    with pytest.raises(NotFound) as info:
        adapter.fetch(ResourceKind.CHARGE, "ch_doesnotexist")
    assert info.value.request_id.startswith("req_")


# --- faults ------------------------------------------------------------------------------------------

def test_rate_limited(fake, adapter):
    fake.faults.add("/v1/customers", status=429)
    with pytest.raises(RateLimited) as info:
        adapter.find_customers_by_email("ada@example.com")
    assert info.value.request_id.startswith("req_")
    assert adapter.find_customers_by_email("ada@example.com") == []  # one fault only


def test_server_error_is_unavailable_with_request_id(fake, adapter, shop):
    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm)
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


def test_fakes_webhooks_verify_and_parse(fake, adapter, shop):
    """Every event the fake emitted during a busy session: signed by the fake, verified and parsed by us."""
    from chargeside.gateways.stripe import mapping
    from chargeside.sandbox.stripe.webhooks import signature_header

    customer, pm = shop.customer_with_card()
    charge = shop.paid_charge(customer, pm)
    adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="", idempotency_key="w-1")
    sub = adapter.subscription_create(customer_remote_id=customer, price_remote_id=shop.monthly_price(), idempotency_key="w-2")
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
