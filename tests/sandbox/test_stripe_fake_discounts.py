"""Subscription discounts in the current shape: a ``discounts`` list of ids that ``expand[]`` turns
into discount objects; no singular ``discount`` and no ``coupon``/``promotion_code`` parameters
(both removed in 2025-03-31.basil)."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def monthly(client):
    product = client.v1.products.create(params={"name": "Team"})
    return client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 3_000,
                                           "recurring": {"interval": "month"}})


@pytest.fixture
def quarter(client):
    coupon = client.v1.coupons.create(params={"percent_off": 25, "duration": "repeating", "duration_in_months": 3,
                                              "id": "QUARTER"})
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": coupon.id},
                                                     "code": "SPRING25"})
    return coupon, promo


def _subscribe(client, customer, price, **extra):
    return client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}], **extra})


def test_a_promotion_code_becomes_a_discount_that_expands(client, customer, monthly, quarter):
    coupon, promo = quarter
    assert client.v1.promotion_codes.list(params={"code": "SPRING25"}).data[0].id == promo.id
    sub = _subscribe(client, customer, monthly, discounts=[{"promotion_code": promo.id}])
    assert "discount" not in sub and len(sub.discounts) == 1 and sub.discounts[0].startswith("di_")

    expanded = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["discounts"]})
    discount = expanded.discounts[0]
    assert (discount.id, discount.object, discount.subscription, discount.customer) == (
        sub.discounts[0], "discount", sub.id, customer.id)
    assert (discount.source.coupon, discount.coupon.id, discount.promotion_code) == ("QUARTER", "QUARTER", promo.id)
    assert discount.start == sub.created and discount.end == sub.created + 90 * 86400
    assert "created" not in discount and "livemode" not in discount

    invoice = client.v1.invoices.retrieve(sub.latest_invoice, params={"expand": ["discounts"]})
    assert (invoice.subtotal, invoice.total, invoice.amount_paid) == (3_000, 2_250, 2_250)
    assert [d.id for d in invoice.discounts] == sub.discounts and "discount" not in invoice
    assert [(t.amount, t.discount) for t in invoice.total_discount_amounts] == [(750, sub.discounts[0])]
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_lists_expand_data_discounts(client, customer, monthly, quarter):
    sub = _subscribe(client, customer, monthly, discounts=[{"coupon": "QUARTER"}])
    _subscribe(client, customer, monthly)
    listed = client.v1.subscriptions.list(params={"customer": customer.id, "expand": ["data.discounts"]})
    assert [[d.coupon.id for d in s.discounts] for s in listed.data] == [[], ["QUARTER"]]
    assert listed.data[1].id == sub.id
    assert client.v1.subscriptions.list(params={"customer": customer.id}).data[1].discounts == sub.discounts


def test_keep_an_existing_discount_and_stack_another(client, customer, monthly, quarter, fake):
    sub = _subscribe(client, customer, monthly, discounts=[{"coupon": "QUARTER"}])
    first = sub.discounts[0]
    client.v1.coupons.create(params={"amount_off": 500, "currency": "usd", "duration": "forever", "id": "FIVE"})
    both = client.v1.subscriptions.update(sub.id, params={"discounts": [{"discount": first}, {"coupon": "FIVE"}],
                                                          "expand": ["discounts"]})
    assert [d.coupon.id for d in both.discounts] == ["QUARTER", "FIVE"] and both.discounts[0].id == first
    assert client.v1.coupons.retrieve("QUARTER").times_redeemed == 1  # reused, not redeemed again

    renewed = fake.control.renew_subscription(sub.id)
    invoice = client.v1.invoices.retrieve(renewed["latest_invoice"])
    # 25% of 3000 = 750, then 500 off what is left.
    assert [(t.amount, t.discount) for t in invoice.total_discount_amounts] == [(750, first), (500, both.discounts[1].id)]
    assert (invoice.subtotal, invoice.total) == (3_000, 1_750)
    created = [e["data"]["object"]["coupon"]["id"] for e in reversed(fake.control.events("customer.discount.created"))]
    assert created == ["QUARTER", "FIVE"]


def test_replacing_and_clearing_discounts(client, customer, monthly, quarter, fake):
    sub = _subscribe(client, customer, monthly, discounts=[{"coupon": "QUARTER"}])
    client.v1.coupons.create(params={"amount_off": 500, "currency": "usd", "duration": "forever", "id": "FIVE"})
    swapped = client.v1.subscriptions.update(sub.id, params={"discounts": [{"coupon": "FIVE"}], "expand": ["discounts"]})
    assert [d.coupon.amount_off for d in swapped.discounts] == [500]
    deleted = fake.control.events("customer.discount.deleted")
    assert [e["data"]["object"]["id"] for e in deleted] == sub.discounts
    # The replaced discount still expands on the invoice that used it.
    old_invoice = client.v1.invoices.retrieve(sub.latest_invoice, params={"expand": ["discounts"]})
    assert old_invoice.discounts[0].coupon.id == "QUARTER"

    removed = client.v1.subscriptions.update(sub.id, params={"discounts": ""})
    assert removed.discounts == []
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.delete_discount(sub.id)
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_delete_discount_removes_the_subscriptions_discounts(client, customer, monthly, quarter):
    sub = _subscribe(client, customer, monthly, discounts=[{"coupon": "QUARTER"}])
    gone = client.v1.subscriptions.delete_discount(sub.id)
    assert (gone.id, gone.object, gone.deleted, gone.coupon.id, gone.subscription) == (
        sub.discounts[0], "discount", True, "QUARTER", sub.id)
    assert client.v1.subscriptions.retrieve(sub.id).discounts == []


def test_a_once_coupon_discounts_one_invoice(client, customer, monthly, fake):
    client.v1.coupons.create(params={"percent_off": 50, "duration": "once", "id": "HALFONCE"})
    sub = _subscribe(client, customer, monthly, discounts=[{"coupon": "HALFONCE"}])
    assert client.v1.invoices.retrieve(sub.latest_invoice).total == 1_500
    renewed = fake.control.renew_subscription(sub.id)
    assert client.v1.invoices.retrieve(renewed["latest_invoice"]).total == 3_000
    assert renewed["discounts"] == sub.discounts  # still listed, spent


def test_the_removed_singular_parameters_are_unknown(client, customer, monthly, quarter):
    for params in ({"coupon": "QUARTER"}, {"promotion_code": quarter[1].id}):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            _subscribe(client, customer, monthly, **params)
        name = next(iter(params))
        assert (caught.value.param, caught.value.code, caught.value.user_message) == (
            name, "parameter_unknown", f"Received unknown parameter: {name}")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.update(customer.id, params={"coupon": "QUARTER"})
    assert caught.value.code == "parameter_unknown"
    assert client.v1.subscriptions.list(params={"customer": customer.id}).data == []
    assert client.v1.coupons.retrieve("QUARTER").times_redeemed == 0


def test_bad_discount_entries(client, customer, monthly, quarter):
    other = _subscribe(client, customer, monthly, discounts=[{"coupon": "QUARTER"}])
    sub = _subscribe(client, customer, monthly)
    cases = [
        ({"discounts": [{"discount": other.discounts[0]}]}, "discounts[0][discount]"),
        ({"discounts": [{"coupon": "QUARTER"}, {"promotion_code": quarter[1].id}]}, "discounts[1]"),
        ({"discounts": [{"coupon": "QUARTER", "promotion_code": quarter[1].id}]}, "discounts[0]"),
        ({"discounts": [{"coupon": "NOPE"}]}, "discounts[0][coupon]"),
    ]
    for params, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.subscriptions.update(sub.id, params=params)
        assert caught.value.param == param
    assert client.v1.subscriptions.retrieve(sub.id).discounts == []
    assert client.v1.coupons.retrieve("QUARTER").times_redeemed == 1  # failed requests redeem nothing
