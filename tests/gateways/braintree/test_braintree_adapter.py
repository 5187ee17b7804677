"""The adapter against the fake through the unmodified SDK: reads, backfill pages, writes, find_write, errors."""

from __future__ import annotations

import pytest

from chargeside.core.money import Money
from chargeside.gateways.braintree.client import environment
from chargeside.gateways.errors import AuthenticationFailed, Declined, InvalidRequest, NotFound, RateLimited, Unavailable
from chargeside.gateways.types import ChargeStatus, RefundStatus, SubscriptionStatus
from chargeside.gateways.types import ResourceKind as K


@pytest.fixture
def shop(bt_fake):
    store = bt_fake.store
    customer = store.customer_create({"email": "ada@example.com", "first_name": "Ada", "payment_method_nonce": "fake-valid-nonce"})
    token = next(iter(store.state.cards))
    store.plan_add("pro", "Pro", "29.00", "EUR")
    store.modification_add("discount", "ten", "Ten off", "10.00")
    sale = store.sale({"amount": "50.00", "payment_method_token": token, "merchant_account_id": "chargeside_eur",
                       "options": {"submit_for_settlement": True}})
    bt_fake.settle(sale["id"])
    return {"customer": customer["id"], "token": token, "sale": sale["id"]}


def every(adapter, kind, page_size=2):
    items, cursor = [], None
    while True:
        page = adapter.list_page(kind, cursor, page_size=page_size)
        items += page.items
        if not (cursor := page.next_cursor):
            return items


def test_base_url_becomes_an_sdk_environment():
    assert environment("http://127.0.0.1:8123").base_url == "http://127.0.0.1:8123"
    assert environment("https://api.braintreegateway.com").base_url == "https://api.braintreegateway.com:443"
    with pytest.raises(InvalidRequest):
        environment("https://127.0.0.1:8443")  # the SDK would speak plain http there
    with pytest.raises(InvalidRequest):
        environment("ftp://example.com")


def test_reads_and_backfill_pages(bt_fake, bt_adapter, shop):
    for i in range(4):
        bt_fake.store.customer_create({"email": f"c{i}@example.com"})
    assert [c.remote_id for c in bt_adapter.find_customers_by_email("ada@example.com")] == [shop["customer"]]
    assert len(every(bt_adapter, K.CUSTOMER)) == 5
    assert [pm.remote_id for pm in every(bt_adapter, K.PAYMENT_METHOD)] == [shop["token"]]
    assert [c.remote_id for c in every(bt_adapter, K.CHARGE)] == [shop["sale"]]
    assert [p.remote_id for p in every(bt_adapter, K.PRICE)] == ["pro"]
    assert [c.amount_off for c in every(bt_adapter, K.COUPON)] == [1000]
    assert bt_adapter.test_connection().ok


def test_partial_refunds_and_idempotent_retry(bt_fake, bt_adapter, shop):
    charge = bt_adapter.fetch(K.CHARGE, shop["sale"])
    assert (charge.status, charge.amount, charge.currency) == (ChargeStatus.SUCCEEDED, 5000, "EUR")
    first = bt_adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="", idempotency_key="attempt-1")
    again = bt_adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="", idempotency_key="attempt-1")
    assert first.remote_id == again.remote_id and first.status == RefundStatus.SUCCEEDED
    credits = [t for t in bt_fake.store.state.transactions.values() if t["type"] == "credit"]
    assert len(credits) == 1 and credits[0]["order_id"] == "attempt-1"  # one refund at Braintree
    found = bt_adapter.find_write(action="refund", target_remote_id=shop["sale"], idempotency_key="attempt-1")
    assert found[0].remote_id == first.remote_id and found[1].amount_refunded == 1500
    assert bt_adapter.find_write(action="refund", target_remote_id=shop["sale"], idempotency_key="attempt-2") is None
    after = bt_adapter.fetch(K.CHARGE, shop["sale"])
    assert (after.status, after.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 1500)
    with pytest.raises(InvalidRequest) as too_much:
        bt_adapter.refund(charge=after, amount=Money(3501, "EUR"), reason="", idempotency_key="attempt-3")
    assert too_much.value.code == "91521"


def test_unsettled_refund_is_refused_clearly(bt_fake, bt_adapter, shop):
    sale = bt_fake.store.sale({"amount": "10.00", "payment_method_token": shop["token"], "options": {"submit_for_settlement": True}})
    with pytest.raises(InvalidRequest, match="void it instead") as refused:
        bt_adapter.refund(charge=bt_adapter.fetch(K.CHARGE, sale["id"]), amount=Money(100, "USD"), reason="", idempotency_key="k")
    assert refused.value.code == "91506"


def test_authorize_capture_partial_and_void(bt_adapter, shop):
    auth = bt_adapter.authorize(customer_remote_id=shop["customer"], payment_method_remote_id=shop["token"], amount=Money(2500, "EUR"),
                                description="", idempotency_key="auth-1")
    assert (auth.status, auth.currency) == (ChargeStatus.AUTHORIZED, "EUR")
    assert bt_adapter.authorize(customer_remote_id=shop["customer"], payment_method_remote_id=shop["token"], amount=Money(2500, "EUR"),
                                description="", idempotency_key="auth-1").remote_id == auth.remote_id
    captured = bt_adapter.capture(charge=auth, amount=Money(2000, "EUR"), idempotency_key="cap-1")
    assert (captured.status, captured.amount_captured) == (ChargeStatus.SUCCEEDED, 2000)
    assert bt_adapter.capture(charge=auth, amount=Money(2000, "EUR"), idempotency_key="cap-1").status == ChargeStatus.SUCCEEDED
    assert bt_adapter.find_write(action="capture", target_remote_id=auth.remote_id, idempotency_key="cap-1")[0].remote_id == auth.remote_id
    other = bt_adapter.authorize(customer_remote_id=shop["customer"], payment_method_remote_id=shop["token"], amount=Money(900, "EUR"),
                                 description="", idempotency_key="auth-2")
    assert bt_adapter.void(charge=other, idempotency_key="void-1").status == ChargeStatus.VOIDED
    with pytest.raises(InvalidRequest):
        bt_adapter.authorize(customer_remote_id=shop["customer"], payment_method_remote_id=shop["token"], amount=Money(900, "GBP"),
                             description="", idempotency_key="auth-3")


def test_decline_is_typed_with_the_reason(bt_adapter, shop):
    with pytest.raises(Declined) as declined:
        bt_adapter.authorize(customer_remote_id=shop["customer"], payment_method_remote_id=shop["token"], amount=Money(204600, "EUR"),
                             description="", idempotency_key="auth-x")
    assert declined.value.code == "2046" and "Declined" in declined.value.message


def test_subscription_create_discount_cancel(bt_fake, bt_adapter, shop):
    sub = bt_adapter.subscription_create(customer_remote_id=shop["customer"], price_remote_id="pro", idempotency_key="sub-1")
    assert (sub.status, sub.amount, sub.currency, sub.customer_remote_id) == (SubscriptionStatus.ACTIVE, 2900, "EUR", shop["customer"])
    assert bt_adapter.subscription_create(customer_remote_id=shop["customer"], price_remote_id="pro", idempotency_key="sub-1").remote_id == sub.remote_id
    assert len(bt_fake.store.state.subscriptions) == 1
    assert bt_adapter.find_write(action="subscription_create", target_remote_id=shop["customer"], idempotency_key="sub-1")[0].remote_id == sub.remote_id
    discounted = bt_adapter.coupon_apply(code="ten", idempotency_key="c-1", customer_remote_id=shop["customer"])
    assert discounted.coupon_remote_ids == ("ten",)
    canceled = bt_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="x")
    assert canceled.status == SubscriptionStatus.CANCELED and canceled.canceled_at is not None
    assert bt_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="x").status == SubscriptionStatus.CANCELED
    assert [s.remote_id for s in every(bt_adapter, K.SUBSCRIPTION)] == [sub.remote_id]
    with pytest.raises(InvalidRequest):
        bt_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=True, idempotency_key="y")


def test_http_failures_are_typed(bt_fake, bt_adapter, shop):
    bt_fake.faults.add("/transactions", status=429)
    with pytest.raises(RateLimited):
        bt_adapter.fetch(K.CHARGE, shop["sale"])
    bt_fake.faults.add("/transactions", status=503)
    with pytest.raises(Unavailable):
        bt_adapter.fetch(K.CHARGE, shop["sale"])
    bt_fake.faults.add("/transactions", status=500)
    with pytest.raises(Unavailable):
        bt_adapter.fetch(K.CHARGE, shop["sale"])
    with pytest.raises(NotFound):
        bt_adapter.fetch(K.CHARGE, "missing")
    bt_fake.unreachable = True
    with pytest.raises(Unavailable):
        bt_adapter.fetch(K.CHARGE, shop["sale"])


def test_wrong_keys(bt_fake):
    from chargeside.gateways.braintree.adapter import BraintreeAdapter

    adapter = BraintreeAdapter(settings={"base_url": bt_fake.base_url, "merchant_id": bt_fake.merchant_id},
                               credentials={"public_key": bt_fake.public_key, "private_key": "wrong"})
    assert not adapter.test_connection().ok
    with pytest.raises(AuthenticationFailed):
        adapter.find_customers_by_email("ada@example.com")


def test_disputes_page(bt_fake, bt_adapter, shop):
    for _ in range(3):
        bt_fake.open_dispute(shop["sale"])
    disputes = every(bt_adapter, K.DISPUTE)
    assert len(disputes) == 3 and {d.charge_remote_id for d in disputes} == {shop["sale"]}
