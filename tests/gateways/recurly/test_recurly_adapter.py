"""The adapter against the local fake through the unmodified SDK: reads, writes, find_write, typed errors."""

import pytest

from chargeside.core.money import Money
from chargeside.gateways.errors import AuthenticationFailed, Declined, InvalidRequest, NotFound, NotSupported, RateLimited, Unavailable
from chargeside.gateways.recurly.adapter import RecurlyAdapter
from chargeside.gateways.types import Capability, ChargeStatus, RefundStatus, SubscriptionStatus
from chargeside.gateways.types import ResourceKind as K


def test_capabilities_leave_out_what_recurly_does_not_offer():
    assert Capability.IDEMPOTENCY_KEYS not in RecurlyAdapter.capabilities  # Recurly de-duplicates nothing we send
    assert {Capability.REFUND, Capability.PARTIAL_REFUND, Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END} <= RecurlyAdapter.capabilities


def test_connection_check(adapter, fake):
    assert adapter.test_connection().ok
    bad = RecurlyAdapter(settings={"base_url": fake.base_url}, credentials={"api_key": "wrong"})
    check = bad.test_connection()
    assert not check.ok and "API key" in check.message


def test_find_by_email_is_exact_and_tries_lower_case(adapter, shop, fake):
    fake.control.create_account("bob", "bob@example.com", "Bob", "Builder")
    assert [c.remote_id for c in adapter.find_customers_by_email("Ada@Example.com")] == [shop["account"]["id"]]
    assert adapter.find_customers_by_email("  ") == []
    assert adapter.find_customers_by_email("nobody@example.com") == []


def test_fetch_each_kind(adapter, shop, fake):
    account, payment, plan = shop["account"], shop["payment"], shop["plan"]
    assert adapter.fetch(K.CUSTOMER, account["id"]).email == "ada@example.com"
    assert adapter.fetch(K.PAYMENT_METHOD, account["id"]).last4 == "1111"
    charge = adapter.fetch(K.CHARGE, payment["id"])
    assert (charge.amount, charge.currency, charge.status) == (5000, "EUR", ChargeStatus.SUCCEEDED)
    assert adapter.fetch(K.INVOICE, charge.invoice_remote_id).total == 5000
    assert adapter.fetch(K.PRODUCT, plan["id"]).name == "Basic"
    assert adapter.fetch(K.PRICE, f"{plan['id']}:TRY").unit_amount == 29900
    assert adapter.fetch(K.COUPON, shop["coupon"]["id"]).percent_off_bp == 1000
    with pytest.raises(NotFound):
        adapter.fetch(K.PRICE, f"{plan['id']}:GBP")
    with pytest.raises(NotFound):
        adapter.fetch(K.CUSTOMER, "nosuchaccount")
    with pytest.raises(NotFound):
        adapter.fetch(K.CUSTOMER, "")


def test_account_without_card_has_no_payment_method(adapter, fake):
    bare = fake.control.create_account("bare", "bare@example.com", token="")
    with pytest.raises(NotFound):
        adapter.fetch(K.PAYMENT_METHOD, bare["id"])


def test_backfill_pages_through_everything(adapter, fake):
    from chargeside.sandbox.recurly.seed import seed

    made = seed(fake, 12)
    seen = {}
    for kind in adapter.backfill_kinds:
        cursor, items = None, []
        while True:
            page = adapter.list_page(kind, cursor, page_size=5)
            items += page.items
            if not (cursor := page.next_cursor):
                break
        seen[kind] = items
    assert {c.remote_id for c in seen[K.CUSTOMER]} == set(made["accounts"])
    assert len(seen[K.PAYMENT_METHOD]) == 12 and len(seen[K.PRODUCT]) == 2 and len(seen[K.PRICE]) == 6
    purchases = {t["id"] for t in fake.store.all("transaction") if t["type"] == "purchase"}  # one-off and subscription payments
    assert {c.remote_id for c in seen[K.CHARGE]} == purchases and set(made["transactions"]) <= purchases
    assert sum(c.status == ChargeStatus.FAILED for c in seen[K.CHARGE]) == 2
    assert len(seen[K.REFUND]) == 4 and all(r.amount == 500 for r in seen[K.REFUND])
    assert sum(c.status == ChargeStatus.PARTIALLY_REFUNDED for c in seen[K.CHARGE]) == 4
    assert {s.status for s in seen[K.SUBSCRIPTION]} == {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.CANCELED,
                                                        SubscriptionStatus.INCOMPLETE, SubscriptionStatus.PAUSED}
    assert {c.currency for c in seen[K.CHARGE]} == {"EUR", "USD", "TRY"}


def test_partial_then_full_refund_and_over_refund(adapter, shop):
    charge = adapter.fetch(K.CHARGE, shop["payment"]["id"])
    first = adapter.refund(charge=charge, amount=Money(1250, "EUR"), reason="requested_by_customer", idempotency_key="k1")
    assert (first.amount, first.currency, first.status, first.charge_remote_id) == (1250, "EUR", RefundStatus.SUCCEEDED, charge.remote_id)
    charge = adapter.fetch(K.CHARGE, charge.remote_id)
    assert (charge.amount_refunded, charge.status) == (1250, ChargeStatus.PARTIALLY_REFUNDED)
    with pytest.raises(InvalidRequest) as over:
        adapter.refund(charge=charge, amount=Money(3751, "EUR"), reason="", idempotency_key="k2")
    assert over.value.param == "amount" and "refundable amount" in over.value.message and over.value.http_status == 422
    adapter.refund(charge=charge, amount=Money(3750, "EUR"), reason="", idempotency_key="k3")
    assert adapter.fetch(K.CHARGE, charge.remote_id).status == ChargeStatus.REFUNDED


def test_refund_in_another_currency_or_of_nothing_is_refused(adapter, shop):
    charge = adapter.fetch(K.CHARGE, shop["payment"]["id"])
    with pytest.raises(InvalidRequest, match="currency|EUR"):
        adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="k")
    with pytest.raises(InvalidRequest):
        adapter.refund(charge=charge, amount=Money(0, "EUR"), reason="", idempotency_key="k")


def test_same_key_twice_is_one_refund_when_find_write_is_asked_first(adapter, shop, fake):
    charge = adapter.fetch(K.CHARGE, shop["payment"]["id"])
    assert adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="attempt-1") is None
    made = adapter.refund(charge=charge, amount=Money(700, "EUR"), reason="", idempotency_key="attempt-1")
    # the retry of the same attempt asks first (run_action does this) and finds the first refund
    found = adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="attempt-1")
    assert [r.remote_id for r in found] == [made.remote_id]
    assert fake.control.count("transaction", type="refund") == 1
    # another attempt's key finds nothing
    assert adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="attempt-2") is None
    assert adapter.find_write(action="subscription_cancel", target_remote_id="x", idempotency_key="attempt-1") is None


def test_our_key_round_trips_in_the_credit_invoice_notes(adapter, shop, fake):
    charge = adapter.fetch(K.CHARGE, shop["payment"]["id"])
    adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="duplicate order", idempotency_key="abc")
    credit = [i for i in fake.store.all("invoice") if i["type"] == "credit"][0]
    assert credit["customer_notes"] == "duplicate order (chargeside-key:abc)"


def test_cancel_at_period_end_then_terminate(adapter, shop, fake):
    sub = fake.control.subscribe(shop["account"]["id"], "basic", "EUR")
    canceled = adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=True, idempotency_key="c1")
    assert (canceled.status, canceled.cancel_at_period_end, canceled.current_period_end.isoformat()[:10]) == \
        (SubscriptionStatus.ACTIVE, True, sub["current_period_ends_at"][:10])
    with pytest.raises(InvalidRequest, match="already canceled"):
        adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=True, idempotency_key="c2")
    ended = adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=False, idempotency_key="c3")
    assert ended.status == SubscriptionStatus.CANCELED
    with pytest.raises(InvalidRequest):  # immutable_subscription
        adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=False, idempotency_key="c4")
    with pytest.raises(NotFound):
        adapter.subscription_cancel(subscription_remote_id="nosuchsub", at_period_end=True, idempotency_key="c5")


def test_create_subscription_with_coupon_bills_the_first_period(adapter, shop, fake):
    sub = adapter.subscription_create(customer_remote_id=shop["account"]["id"], price_remote_id=f"{shop['plan']['id']}:TRY",
                                      idempotency_key="s1", coupon_remote_id=shop["coupon"]["id"])
    assert (sub.status, sub.currency, sub.amount, sub.interval, sub.coupon_remote_ids) == \
        (SubscriptionStatus.ACTIVE, "TRY", 29900, "month", (shop["coupon"]["id"],))
    paid = [t for t in fake.store.all("transaction") if t["currency"] == "TRY"]
    assert [str(t["amount"]) for t in paid] == ["269.10"]  # 10 % off 299.00


def test_create_subscription_with_trial_bills_nothing(adapter, shop, fake):
    sub = adapter.subscription_create(customer_remote_id=shop["account"]["id"], price_remote_id=f"{shop['plan']['id']}:USD",
                                      idempotency_key="s2", trial_days=14)
    assert sub.status == SubscriptionStatus.TRIALING and sub.trial_end is not None
    assert fake.control.count("transaction") == 1  # only the shop's own payment


def test_create_subscription_declined_card_is_declined(adapter, fake, shop):
    poor = fake.control.create_account("poor", "poor@example.com", token="tok_chargeDeclinedInsufficientFunds")
    with pytest.raises(Declined) as err:
        adapter.subscription_create(customer_remote_id=poor["id"], price_remote_id=f"{shop['plan']['id']}:EUR", idempotency_key="s3")
    assert err.value.code == "insufficient_funds" and "insufficient funds" in err.value.message and err.value.request_id


def test_create_subscription_bad_price_and_no_card(adapter, fake, shop):
    with pytest.raises(InvalidRequest):
        adapter.subscription_create(customer_remote_id=shop["account"]["id"], price_remote_id="garbage", idempotency_key="s4")
    with pytest.raises(InvalidRequest, match="Plan"):
        adapter.subscription_create(customer_remote_id=shop["account"]["id"], price_remote_id=f"{shop['plan']['id']}:GBP", idempotency_key="s5")
    bare = fake.control.create_account("bare", "bare@example.com", token="")
    with pytest.raises(InvalidRequest, match="billing information"):
        adapter.subscription_create(customer_remote_id=bare["id"], price_remote_id=f"{shop['plan']['id']}:EUR", idempotency_key="s6")


def test_coupon_apply_by_code_on_account_and_subscription(adapter, shop, fake):
    customer = adapter.coupon_apply(code="WELCOME10", idempotency_key="c1", customer_remote_id=shop["account"]["id"])
    assert customer.remote_id == shop["account"]["id"]
    with pytest.raises(InvalidRequest, match="already been redeemed"):
        adapter.coupon_apply(code="WELCOME10", idempotency_key="c2", customer_remote_id=shop["account"]["id"])
    sub = fake.control.subscribe(shop["account"]["id"], "basic", "EUR")
    applied = adapter.coupon_apply(code=shop["coupon"]["id"], idempotency_key="c3", subscription_remote_id=sub["id"])
    assert applied.coupon_remote_ids == (shop["coupon"]["id"],)
    with pytest.raises(NotFound):
        adapter.coupon_apply(code="NOPE", idempotency_key="c4", customer_remote_id=shop["account"]["id"])


def test_unsupported_actions_are_refused(adapter):
    with pytest.raises(NotSupported):
        adapter.capture(charge=None, amount=None, idempotency_key="x")
    with pytest.raises(NotSupported):
        adapter.invoice_send(invoice_remote_id="x", idempotency_key="x")


def test_rate_limit_outage_and_unreachable_are_typed_and_retryable(adapter, shop, fake):
    fake.faults.add("/accounts", status=429)
    with pytest.raises(RateLimited) as limited:
        adapter.fetch(K.CUSTOMER, shop["account"]["id"])
    assert limited.value.retryable
    fake.faults.add("/transactions", status=503)
    with pytest.raises(Unavailable):
        adapter.fetch(K.CHARGE, shop["payment"]["id"])
    fake.faults.unreachable = True
    with pytest.raises(Unavailable):
        adapter.fetch(K.CUSTOMER, shop["account"]["id"])
    fake.faults.clear()
    assert adapter.fetch(K.CUSTOMER, shop["account"]["id"]).email == "ada@example.com"  # a fresh connection afterwards


def test_a_refund_whose_answer_is_lost_is_found_by_find_write(adapter, shop, fake):
    charge = adapter.fetch(K.CHARGE, shop["payment"]["id"])
    fake.faults.add("/invoices", status=500, method="POST", when="after")
    with pytest.raises(Unavailable):
        adapter.refund(charge=charge, amount=Money(900, "EUR"), reason="", idempotency_key="lost-1")
    found = adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="lost-1")
    assert [r.amount for r in found] == [900]


def test_wrong_api_key_is_authentication_failed(fake):
    bad = RecurlyAdapter(settings={"base_url": fake.base_url}, credentials={"api_key": "nope"})
    with pytest.raises(AuthenticationFailed):
        bad.find_customers_by_email("ada@example.com")
