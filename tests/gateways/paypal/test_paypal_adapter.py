"""The adapter against the PayPal fake through the unmodified SDK: backfill pages, fetch, writes, events, failures."""

from __future__ import annotations

import pytest

from chargeside.core.money import Money
from chargeside.gateways.errors import InvalidRequest, NotFound, RateLimited, Unavailable
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CustomerDTO,
    DisputeStatus,
    InvoiceStatus,
    RefundDTO,
    SubscriptionStatus,
)
from chargeside.gateways.types import ResourceKind as K
from chargeside.sandbox.paypal.seed import seed


def everything(adapter, kind, page_size=100):
    items, cursor = [], None
    while True:
        page = adapter.list_page(kind, cursor, page_size=page_size)
        items += page.items
        if not (cursor := page.next_cursor):
            return items


def paid(fake, email="ada@example.com", amount=5000, currency="EUR", **options):
    payer = fake.control.payer(email, "Ada Lovelace")
    return payer, fake.control.payment(payer, amount, currency, **options)


def test_charges_and_their_payers_from_transaction_search(paypal_fake, paypal_adapter):
    ada, order = paid(paypal_fake)
    capture = paypal_fake.control.capture_id(order)
    paypal_fake.control.refund(capture, 1000)
    paid(paypal_fake, "old@example.com", days_ago=45)  # in the second 31-day window
    paid(paypal_fake, "ancient@example.com", days_ago=90)  # older than backfill_days (62)
    items = everything(paypal_adapter, K.CHARGE, page_size=1)
    customers = {i.email for i in items if isinstance(i, CustomerDTO)}
    charges = {i.remote_id: i for i in items if isinstance(i, ChargeDTO)}
    assert customers == {"ada@example.com", "old@example.com"}
    assert charges[capture].status == ChargeStatus.PARTIALLY_REFUNDED and charges[capture].amount_refunded == 1000
    assert charges[capture].customer_remote_id == ada["payer_id"]
    refunds = everything(paypal_adapter, K.REFUND)
    assert [(r.charge_remote_id, r.amount) for r in refunds] == [(capture, 1000)]


def test_a_captured_authorisation_is_one_charge(paypal_fake, paypal_adapter):
    _, order = paid(paypal_fake, amount=9000, currency="USD", authorize=True)
    auth = paypal_fake.control.authorization_id(order)
    held = paypal_adapter.fetch(K.CHARGE, auth)
    assert (held.status, held.amount) == (ChargeStatus.AUTHORIZED, 9000)
    captured = paypal_adapter.capture(charge=held, amount=Money(6000, "USD"), idempotency_key="cap-1")
    assert (captured.remote_id, captured.status, captured.amount_captured) == (auth, ChargeStatus.SUCCEEDED, 6000)
    charges = [i for i in everything(paypal_adapter, K.CHARGE) if isinstance(i, ChargeDTO)]
    assert [c.remote_id for c in charges] == [auth]
    refund = paypal_adapter.refund(charge=captured, amount=Money(1000, "USD"), reason="requested_by_customer", idempotency_key="r-1")
    assert (refund.charge_remote_id, refund.amount) == (auth, 1000)
    assert paypal_adapter.fetch(K.CHARGE, auth).amount_refunded == 1000
    assert paypal_adapter.fetch(K.REFUND, refund.remote_id).charge_remote_id == auth
    # the capture's own id also reads as the authorisation's charge (webhooks name captures)
    assert paypal_adapter.fetch(K.CHARGE, captured.intent_remote_id).remote_id == auth


def test_void_and_void_twice(paypal_fake, paypal_adapter):
    _, order = paid(paypal_fake, amount=4000, authorize=True)
    held = paypal_adapter.fetch(K.CHARGE, paypal_fake.control.authorization_id(order))
    assert paypal_adapter.void(charge=held, idempotency_key="v-1").status == ChargeStatus.VOIDED
    assert paypal_adapter.void(charge=held, idempotency_key="v-1").status == ChargeStatus.VOIDED  # same key: PayPal replays
    with pytest.raises(InvalidRequest) as refused:
        paypal_adapter.void(charge=held, idempotency_key="v-2")
    assert refused.value.code == "AUTHORIZATION_VOIDED"


def test_refund_partial_full_and_over(paypal_fake, paypal_adapter):
    _, order = paid(paypal_fake)
    charge = paypal_adapter.fetch(K.CHARGE, paypal_fake.control.capture_id(order))
    first = paypal_adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="requested_by_customer", idempotency_key="k1")
    again = paypal_adapter.refund(charge=charge, amount=Money(1500, "EUR"), reason="requested_by_customer", idempotency_key="k1")
    assert isinstance(first, RefundDTO) and again.remote_id == first.remote_id  # one refund for one key
    with pytest.raises(InvalidRequest) as over:
        paypal_adapter.refund(charge=charge, amount=Money(3501, "EUR"), reason="", idempotency_key="k2")
    assert over.value.code == "REFUND_AMOUNT_EXCEEDED"
    with pytest.raises(InvalidRequest, match="USD"):
        paypal_adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="k3")
    paypal_adapter.refund(charge=charge, amount=Money(3500, "EUR"), reason="", idempotency_key="k4")
    assert paypal_adapter.fetch(K.CHARGE, charge.remote_id).status == ChargeStatus.REFUNDED


def test_subscriptions_plans_products(paypal_fake, paypal_adapter):
    ada, _ = paid(paypal_fake)
    product = paypal_fake.control.product("Seats")
    plan = paypal_fake.control.plan(product["id"], "Pro", 2900, "EUR")
    sub = paypal_fake.control.subscription(plan["id"], ada, started_days_ago=10)
    assert [p.name for p in everything(paypal_adapter, K.PRODUCT)] == ["Seats"]
    assert [(p.unit_amount, p.interval) for p in everything(paypal_adapter, K.PRICE)] == [(2900, "month")]
    subs = everything(paypal_adapter, K.SUBSCRIPTION)
    assert [type(i).__name__ for i in subs] == ["CustomerDTO", "SubscriptionDTO"]
    assert (subs[1].amount, subs[1].status) == (2900, SubscriptionStatus.ACTIVE)
    cancelled = paypal_adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=False, idempotency_key="c1")
    assert cancelled.status == SubscriptionStatus.CANCELED
    assert paypal_adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=False, idempotency_key="c1").status == SubscriptionStatus.CANCELED
    with pytest.raises(InvalidRequest, match="at once"):
        paypal_adapter.subscription_cancel(subscription_remote_id=sub["id"], at_period_end=True, idempotency_key="c2")


def test_invoices_send_then_remind(paypal_fake, paypal_adapter):
    draft = paypal_fake.control.invoice("ada@example.com", "Ada Lovelace", 12000, "EUR")
    cancelled = paypal_fake.control.invoice("ada@example.com", "Ada Lovelace", 100, "EUR", status="CANCELLED")
    items = everything(paypal_adapter, K.INVOICE)
    assert {i.remote_id for i in items if isinstance(i, CustomerDTO)} == {"email:ada@example.com"}
    assert paypal_adapter.invoice_send(invoice_remote_id=draft["id"], idempotency_key="s1").status == InvoiceStatus.OPEN
    assert paypal_adapter.invoice_send(invoice_remote_id=draft["id"], idempotency_key="s2").status == InvoiceStatus.OPEN  # a reminder
    with pytest.raises(InvalidRequest, match="cancelled PayPal invoice cannot be sent"):
        paypal_adapter.invoice_send(invoice_remote_id=cancelled["id"], idempotency_key="s3")


def test_disputes_page_through_tokens(paypal_fake, paypal_adapter):
    for n in range(3):
        _, order = paid(paypal_fake, f"d{n}@example.com")
        paypal_fake.control.dispute(paypal_fake.control.capture_id(order))
    disputes = everything(paypal_adapter, K.DISPUTE, page_size=2)
    assert len(disputes) == 3 and {d.status for d in disputes} == {DisputeStatus.NEEDS_RESPONSE}
    assert all(d.charge_remote_id and d.evidence_due_by for d in disputes)


def test_seeded_world_backfills_without_error(paypal_fake, paypal_adapter):
    seed(paypal_fake, 20)
    paypal_adapter.settings["backfill_days"] = "400"
    counts = {kind: len(everything(paypal_adapter, kind)) for kind in paypal_adapter.backfill_kinds}
    assert all(counts.values()), counts


def test_failures_are_typed(paypal_fake, paypal_adapter):
    with pytest.raises(NotFound):
        paypal_adapter.fetch(K.CHARGE, "NOSUCHPAYMENT")
    with pytest.raises(NotFound, match="no API to read"):
        paypal_adapter.fetch(K.CUSTOMER, "QYR5Z8XDVJNXQ")
    paypal_fake.faults.add(status=429, path="/v1/reporting/transactions")
    with pytest.raises(RateLimited):
        paypal_adapter.list_page(K.CHARGE, None)
    paypal_fake.faults.add(status=500, path="/v2/invoicing")
    with pytest.raises(Unavailable):
        paypal_adapter.list_page(K.INVOICE, None)
    assert paypal_adapter.find_customers_by_email("ada@example.com") == []
    paypal_adapter.credentials["client_secret"] = "wrong"
    paypal_adapter.__dict__.pop("client", None)
    check = paypal_adapter.test_connection()
    assert not check.ok and "refused" in check.message


def test_events_from_webhook_bodies(paypal_payload, paypal_adapter):
    import json

    order_events = paypal_adapter.parse_webhook(json.dumps(paypal_payload("event_order_completed")).encode())
    assert [(e.kind, e.event_id.split("#")[-1].split(":")[0]) for e in order_events] == [(K.CUSTOMER, "customer"), (K.CHARGE, "charge")]
    assert order_events[0].obj.email == "ada@example.com" and not paypal_adapter.event_needs_refetch(order_events[0])
    assert paypal_adapter.event_needs_refetch(order_events[1])
    refunded = paypal_adapter.parse_webhook(json.dumps(paypal_payload("event_capture_refunded")).encode())
    assert [e.kind for e in refunded] == [K.REFUND, K.CHARGE]
    sub = paypal_adapter.parse_webhook(json.dumps(paypal_payload("event_subscription_created")).encode())
    assert [e.kind for e in sub] == [K.CUSTOMER, K.SUBSCRIPTION]
    dispute = paypal_adapter.parse_webhook(json.dumps(paypal_payload("event_dispute_created")).encode())
    assert [(e.kind, e.remote_id.startswith("PP-R-")) for e in dispute] == [(K.DISPUTE, True)]
    unknown = paypal_adapter.parse_webhook(b'{"id": "WH-1", "event_type": "PAYMENT.PAYOUTSBATCH.SUCCESS", "resource": {}}')
    assert [(e.kind, e.event_id) for e in unknown] == [(None, "WH-1")]
    for garbage in (b"not json", b"[]", b'{"id": "WH-1"}'):
        with pytest.raises(ValueError):
            paypal_adapter.parse_webhook(garbage)
