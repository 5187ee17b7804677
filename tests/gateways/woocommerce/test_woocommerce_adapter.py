"""The WooCommerce adapter against the fake store through the unmodified SDK: reads, paging, refunds with our
key stamped and found again, subscriptions, and failures as typed errors."""

import pytest

from chargeside.core.money import Money
from chargeside.gateways.errors import AuthenticationFailed, Declined, InvalidRequest, NotFound, NotSupported, RateLimited, Unavailable
from chargeside.gateways.types import Capability, ChargeStatus, ResourceKind as K, SubscriptionStatus
from chargeside.gateways.woocommerce.adapter import IDEMPOTENCY_META_KEY, WooCommerceAdapter


@pytest.fixture
def ada(woo_fake):
    customer = woo_fake.create_customer("ada@example.com", "Ada", "Lovelace", "+49 30 1")
    order = woo_fake.create_order(customer_id=customer["id"], total="50.00", currency="EUR")
    return customer, order


def test_declares_only_what_woocommerce_offers(woo_adapter, woo_fake):
    assert woo_adapter.capabilities == {Capability.REFUND, Capability.PARTIAL_REFUND, Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS,
                                        Capability.SUBSCRIPTION_CANCEL, Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END}
    plain = WooCommerceAdapter(settings={"base_url": woo_fake.base_url, "consumer_key": "ck_test"}, credentials={"consumer_secret": "cs_test"})
    assert Capability.SUBSCRIPTION_CANCEL not in plain.capabilities and K.SUBSCRIPTION not in plain.backfill_kinds
    with pytest.raises(NotSupported):
        plain.capture(charge=None, amount=None, idempotency_key="k")
    with pytest.raises(NotSupported):
        plain.subscription_cancel(subscription_remote_id="1", at_period_end=False, idempotency_key="k")


def test_connection_check(woo_adapter, woo_fake):
    assert woo_adapter.test_connection().ok
    wrong = WooCommerceAdapter(settings={"base_url": woo_fake.base_url, "consumer_key": "ck_test"}, credentials={"consumer_secret": "bad"})
    check = wrong.test_connection()
    assert (check.ok, check.message) == (False, "WooCommerce refused the API key: Invalid signature - provided signature does not match.")


def test_find_customers_by_email_registered_and_guest(woo_adapter, woo_fake, ada):
    woo_fake.create_order(email="Guest@Example.org", first_name="Gus", last_name="Guest", total="12.00")
    assert [(c.remote_id, c.name, c.phone) for c in woo_adapter.find_customers_by_email("ada@example.com")] == [(str(ada[0]["id"]), "Ada Lovelace", "+49 30 1")]
    assert [(c.remote_id, c.name) for c in woo_adapter.find_customers_by_email("guest@example.org")] == [("guest:guest@example.org", "Gus Guest")]
    assert woo_adapter.find_customers_by_email("  ") == []


def test_list_pages_through_orders_by_page_number(woo_adapter, woo_fake, ada):
    for i in range(4):
        woo_fake.create_order(email=f"g{i}@example.org", total="5.00", currency="USD")
    first = woo_adapter.list_page(K.CHARGE, None, page_size=2)
    assert first.next_cursor == "2"
    assert [type(d).__name__ for d in first.items] == ["CustomerDTO", "ChargeDTO", "ChargeDTO"]  # the guest, then both orders
    last = woo_adapter.list_page(K.CHARGE, "3", page_size=2)
    assert last.next_cursor is None and len([d for d in last.items if d.__class__.__name__ == "ChargeDTO"]) == 1


def test_refund_stamps_our_key_and_a_repeat_finds_the_first(woo_adapter, woo_fake, ada):
    charge = woo_adapter.fetch(K.CHARGE, str(ada[1]["id"]))
    first = woo_adapter.refund(charge=charge, amount=Money(1250, "EUR"), reason="requested_by_customer", idempotency_key="attempt-1")
    again = woo_adapter.refund(charge=charge, amount=Money(1250, "EUR"), reason="requested_by_customer", idempotency_key="attempt-1")
    assert again.remote_id == first.remote_id
    assert [r["amount"] for r in woo_fake.refunds_of(ada[1]["id"])] == ["12.50"]
    assert {m["key"]: m["value"] for m in woo_fake.refunds_of(ada[1]["id"])[0]["meta_data"]}[IDEMPOTENCY_META_KEY] == "attempt-1"
    found = woo_adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="attempt-1")
    assert [(r.remote_id, r.amount, r.currency) for r in found] == [(first.remote_id, 1250, "EUR")]
    assert woo_adapter.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key="attempt-2") is None
    after = woo_adapter.fetch(K.CHARGE, charge.remote_id)
    assert (after.status, after.amount_refunded) == (ChargeStatus.PARTIALLY_REFUNDED, 1250)
    assert woo_adapter.fetch(K.REFUND, first.remote_id).amount == 1250


def test_find_write_also_finds_a_refund_by_its_reason_marker(woo_adapter, woo_fake, ada):
    from chargeside.gateways.woocommerce.adapter import key_marker

    woo_fake.create_refund(ada[1]["id"], amount="3.00", reason=f"requested by customer {key_marker('k9')}", meta=[])
    assert [r.amount for r in woo_adapter.find_write(action="refund", target_remote_id=str(ada[1]["id"]), idempotency_key="k9")] == [300]


def test_refund_errors_are_typed(woo_adapter, woo_fake, ada):
    charge = woo_adapter.fetch(K.CHARGE, str(ada[1]["id"]))
    with pytest.raises(InvalidRequest, match="more than what remains"):
        woo_adapter.refund(charge=charge, amount=Money(5001, "EUR"), reason="", idempotency_key="over")
    with pytest.raises(InvalidRequest, match="EUR"):
        woo_adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="cur")
    woo_fake.gateway_refusals[ada[1]["id"]] = "Refund Error: The charge has been disputed."
    with pytest.raises(Declined, match="The payment gateway refused the refund: Refund Error: The charge has been disputed."):
        woo_adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="", idempotency_key="gw")
    bacs = woo_fake.create_order(email="b@example.com", total="20.00", payment_method="bacs")
    with pytest.raises(InvalidRequest, match="cannot refund this order automatically"):
        woo_adapter.refund(charge=woo_adapter.fetch(K.CHARGE, str(bacs["id"])), amount=Money(100, "EUR"), reason="", idempotency_key="b")
    with pytest.raises(NotFound):
        woo_adapter.fetch(K.CHARGE, "99999")
    with pytest.raises(NotFound):
        woo_adapter.fetch(K.CHARGE, "../customers")


def test_outages_rate_limits_and_dropped_connections(woo_adapter, woo_fake):
    woo_fake.faults.outage("/orders")
    with pytest.raises(Unavailable, match="HTTP 503"):
        woo_adapter.list_page(K.CHARGE, None)
    woo_fake.faults.outage("/orders", status=500)
    with pytest.raises(Unavailable):
        woo_adapter.list_page(K.CHARGE, None)
    woo_fake.faults.rate_limit("/orders")
    with pytest.raises(RateLimited):
        woo_adapter.list_page(K.CHARGE, None)
    woo_fake.faults.drop("/orders")
    with pytest.raises(Unavailable, match="network error"):
        woo_adapter.list_page(K.CHARGE, None)
    assert woo_adapter.list_page(K.CHARGE, None).items == []


def test_bad_credentials_are_authentication_failures(woo_fake):
    adapter = WooCommerceAdapter(settings={"base_url": woo_fake.base_url, "consumer_key": "ck_nobody"}, credentials={"consumer_secret": "x"})
    with pytest.raises(AuthenticationFailed, match="Consumer key is invalid."):
        adapter.list_page(K.CUSTOMER, None)


def test_failed_order_reads_the_decline_note(woo_adapter, woo_fake):
    order = woo_fake.create_order(email="d@example.com", total="9.99", status="failed", note="Payment failed: Your card was declined.")
    charge = woo_adapter.fetch(K.CHARGE, str(order["id"]))
    assert (charge.status, charge.failure_message) == (ChargeStatus.FAILED, "Payment failed: Your card was declined.")


def test_subscription_cancel_at_period_end_then_now(woo_adapter, woo_fake, ada):
    plan = woo_fake.create_product("Club", "19.00", subscription=True)
    sub = woo_fake.create_subscription(customer_id=ada[0]["id"], product=plan)
    later = woo_adapter.subscription_cancel(subscription_remote_id=str(sub["id"]), at_period_end=True, idempotency_key="c1")
    assert (later.status, later.cancel_at_period_end) == (SubscriptionStatus.ACTIVE, True)
    again = woo_adapter.subscription_cancel(subscription_remote_id=str(sub["id"]), at_period_end=True, idempotency_key="c1")
    assert again.cancel_at_period_end
    now = woo_adapter.subscription_cancel(subscription_remote_id=str(sub["id"]), at_period_end=False, idempotency_key="c2")
    assert (now.status, now.canceled_at is not None) == (SubscriptionStatus.CANCELED, True)
    with pytest.raises(InvalidRequest, match='Unable to change subscription status to "pending-cancel".'):
        woo_adapter.subscription_cancel(subscription_remote_id=str(sub["id"]), at_period_end=True, idempotency_key="c3")
