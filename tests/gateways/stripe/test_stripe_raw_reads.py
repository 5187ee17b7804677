"""Reads as plain JSON (Client.get/page/every over StripeClient.raw_request) against the Stripe fake: they map to
exactly the DTOs that the SDK's objects (turned into dicts) map to, and payment methods are listed per customer
a few at a time, in customer order, riding out a rate limit."""

from __future__ import annotations

import pytest

from chargeside.gateways.errors import Unavailable
from chargeside.gateways.stripe import mapping
from chargeside.gateways.stripe.adapter import SIMPLE
from chargeside.gateways.types import ResourceKind as K


def _all_pages(adapter, kind):
    items, cursor = [], None
    while True:
        page = adapter.list_page(kind, cursor, page_size=7)  # several pages on the seeded account
        items += page.items
        if (cursor := page.next_cursor) is None:
            return items


def _sdk_every(adapter, method, params, *args):
    """What the adapter read before: SDK list calls (StripeObjects, turned into dicts by Client.call)."""
    sdk, cursor, found = adapter.client, None, []
    while True:
        page = sdk.call(method, *args, params={**params, "limit": 100, "starting_after": cursor})
        found += page["data"]
        if not page["has_more"]:
            return found
        cursor = page["data"][-1]["id"]


@pytest.fixture
def seeded(fake):
    from chargeside.sandbox.stripe.seed import seed

    seed(fake, customers=25, rng_seed=5)
    return fake


def test_raw_listing_maps_exactly_like_sdk_objects(seeded, adapter):
    v1 = adapter.client.v1
    for kind, (service, params, _, mapper) in SIMPLE.items():
        if params is None:  # payment methods, tax ids and subscriptions have their own shapes (below)
            continue
        expected = [mapper(obj) for obj in _sdk_every(adapter, getattr(v1, service).list, params)]
        assert expected, f"the seed has no {kind}"
        assert _all_pages(adapter, kind) == expected, kind  # DTOs, raw JSON included

    subscriptions = _sdk_every(adapter, v1.subscriptions.list, {"status": "all", "expand": ["data.discounts"]})
    names = {p["id"]: p["name"] for p in _sdk_every(adapter, v1.products.list, {})}
    assert _all_pages(adapter, K.SUBSCRIPTION) == [mapping.subscription(s, product_names=names) for s in subscriptions]

    customers = _sdk_every(adapter, v1.customers.list, {"expand": ["data.tax_ids"]})
    cards = [mapping.payment_method(pm) for c in customers for pm in _sdk_every(adapter, v1.customers.payment_methods.list, {}, c["id"])]
    assert len(cards) > len(customers) / 2
    assert _all_pages(adapter, K.PAYMENT_METHOD) == cards
    tax_ids = [mapping.tax_id({"customer": c["id"], **t}) for c in customers for t in c["tax_ids"]["data"]]
    assert tax_ids and _all_pages(adapter, K.TAX_ID) == tax_ids


def test_raw_fetch_maps_exactly_like_an_sdk_retrieve(seeded, adapter):
    v1 = adapter.client.v1
    for kind, (service, _, expand, mapper) in SIMPLE.items():
        if kind == K.TAX_ID:  # the fake has no GET /v1/tax_ids/{id} (Stripe has)
            continue
        first = _all_pages(adapter, kind)[0]
        expected = mapper(adapter.client.call(getattr(v1, service).retrieve, first.remote_id, params={"expand": expand or None}))
        assert adapter.fetch(kind, first.remote_id) == expected, kind


def test_fetch_without_an_id_is_not_found_without_asking(adapter, fake):
    from chargeside.gateways.errors import NotFound

    fake.faults.unreachable = True  # any request would fail as Unavailable
    with pytest.raises(NotFound):
        adapter.fetch(K.CHARGE, "")


def test_payment_methods_are_listed_for_every_customer_in_customer_order(merchant, adapter):
    # given customers with no card, one card and two cards
    ids = []
    for n in range(6):
        customer = merchant.v1.customers.create({"email": f"pm{n}@example.com"}).id
        for card in ["pm_card_visa", "pm_card_mastercard"][: n % 3]:
            merchant.v1.payment_methods.attach(card, {"customer": customer})
        ids.append(customer)
    # Stripe lists customers newest first; each customer's cards in the order its own list gives
    expected = [pm.id for c in reversed(ids) for pm in merchant.v1.customers.payment_methods.list(c).data]
    # when listed in pages of four customers
    page = adapter.list_page(K.PAYMENT_METHOD, None, page_size=4)
    rest = adapter.list_page(K.PAYMENT_METHOD, page.next_cursor, page_size=4)
    # then every card, in that order, each with its customer
    assert len(expected) == 6
    assert [pm.remote_id for pm in page.items + rest.items] == expected
    assert (page.next_cursor, rest.next_cursor) == (ids[2], None)
    assert {pm.customer_remote_id for pm in page.items + rest.items} == {c for i, c in enumerate(ids) if i % 3}


def test_a_slow_customer_list_does_not_reorder_the_page(fake, merchant, adapter):
    customers = [merchant.v1.customers.create({"email": f"slow{n}@example.com"}).id for n in range(4)]
    for customer in customers:
        merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer})
    # the newest customer, listed first, answers last
    fake.faults.add(f"/v1/customers/{customers[-1]}/payment_methods", status=0, times=1, delay=0.3)
    cards = adapter.list_page(K.PAYMENT_METHOD, None).items
    assert [pm.customer_remote_id for pm in cards] == list(reversed(customers))


def test_a_rate_limited_customer_list_is_waited_out(fake, merchant, adapter):
    customer = merchant.v1.customers.create({"email": "busy@example.com"}).id
    card = merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer}).id
    fault = fake.faults.add(f"/v1/customers/{customer}/payment_methods", status=429, times=1)
    assert [pm.remote_id for pm in adapter.list_page(K.PAYMENT_METHOD, None).items] == [card]
    assert fault.hits == 1


def test_a_failing_customer_list_fails_the_page(fake, merchant, adapter):
    customer = merchant.v1.customers.create({"email": "down@example.com"}).id
    fake.faults.add(f"/v1/customers/{customer}/payment_methods", status=500, times=1)
    with pytest.raises(Unavailable):
        adapter.list_page(K.PAYMENT_METHOD, None)
