"""Braintree through Chargeside's shared paths: backfill, the webhook endpoint and the pipeline, run_action."""

from __future__ import annotations

import pytest

from chargeside.actions.runner import ActionRequest, run_action
from chargeside.billing.models import Charge, Dispute, GatewayCustomer, PaymentMethod, Price, Refund, Subscription
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import WebhookDelivery
from chargeside.ingest.pipeline import drain
from chargeside.sandbox.braintree.seed import seed

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def connection(workspace, bt_fake):
    from chargeside.connections.models import Connection
    from chargeside.ingest.adapters import forget_adapters

    forget_adapters()
    connection = Connection(workspace=workspace, provider="braintree", name="Braintree",
                            settings={"base_url": bt_fake.base_url, "merchant_id": bt_fake.merchant_id,
                                      "merchant_accounts": "USD:chargeside_usd,EUR:chargeside_eur,TRY:chargeside_try"})
    connection.set_credentials({"public_key": bt_fake.public_key, "private_key": bt_fake.private_key})
    connection.save()
    return connection


def ask(action: str, **params) -> ActionRequest:
    return ActionRequest(action=action, params=params, reason="customer asked", ticket_url="https://desk.example.com/tickets/1")


def test_backfill_brings_the_seeded_merchant(bt_fake, connection):
    seed(bt_fake, 9)
    run = backfill(connection, page_size=4)
    state = bt_fake.store.state
    assert run.status == "succeeded"
    assert GatewayCustomer.objects.filter(connection=connection).count() == 9
    assert PaymentMethod.objects.filter(connection=connection).count() == 9
    assert Charge.objects.filter(connection=connection).count() == sum(t["type"] == "sale" for t in state.transactions.values())
    assert Refund.objects.filter(connection=connection, charge__isnull=False).count() == sum(t["type"] == "credit" for t in state.transactions.values())
    assert Subscription.objects.filter(connection=connection).count() == len(state.subscriptions)
    assert Dispute.objects.filter(connection=connection).count() == len(state.disputes)
    assert set(Charge.objects.filter(connection=connection).values_list("currency", flat=True)) == {"USD", "EUR", "TRY"}
    assert Charge.objects.filter(connection=connection, status="failed").exclude(failure_message="").exists()
    assert Price.objects.filter(connection=connection, interval="month").count() == len(state.plans)


def test_signed_notification_through_the_endpoint_then_duplicate(client, bt_fake, connection):
    seed(bt_fake, 3)
    backfill(connection)
    sub_id = next(s for s, v in bt_fake.store.state.subscriptions.items() if v["status"] == "Active")
    bt_fake.store.subscription_cancel(sub_id)
    body = bt_fake.notification("subscription_canceled", "subscription", sub_id)
    for _ in range(2):
        answer = client.post(f"/hooks/{connection.webhook_token}/", data=body, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
    result = drain()
    assert (result.events_applied, result.duplicates) == (1, 1)
    assert Subscription.objects.get(connection=connection, remote_id=sub_id).status == "canceled"


def test_bad_and_stale_notifications_are_rejected(client, bt_fake, connection):
    import datetime as dt

    seed(bt_fake, 3)
    sub_id = next(iter(bt_fake.store.state.subscriptions))
    forged = bt_fake.notification("subscription_canceled", "subscription", sub_id).replace(b"%7C", b"%7C0")
    assert client.post(f"/hooks/{connection.webhook_token}/", data=forged, content_type="application/x-www-form-urlencoded").status_code == 400
    stale = bt_fake.notification("subscription_canceled", "subscription", sub_id,
                                 timestamp=dt.datetime.now(dt.UTC) - dt.timedelta(hours=30))
    assert client.post(f"/hooks/{connection.webhook_token}/", data=stale, content_type="application/x-www-form-urlencoded").status_code == 400
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["rejected", "rejected"]


@pytest.fixture
def settled_charge(bt_fake, connection):
    store = bt_fake.store
    store.customer_create({"email": "ada@example.com", "first_name": "Ada", "payment_method_nonce": "fake-valid-nonce"})
    token = next(iter(store.state.cards))
    sale = store.sale({"amount": "50.00", "payment_method_token": token, "merchant_account_id": "chargeside_eur",
                       "options": {"submit_for_settlement": True}})
    store.settle(sale["id"])
    store.plan_add("pro", "Pro", "29.00", "EUR")
    backfill(connection)
    return sale["id"]


def test_partial_refunds_through_run_action(agent, bt_fake, connection, settled_charge):
    assert run_action(member=agent, request=ask("refund", charge=settled_charge, amount="20.00")).ok
    row = Charge.objects.get(connection=connection, remote_id=settled_charge)
    assert (row.amount_refunded, row.status, row.refundable) == (2000, "partially_refunded", 3000)
    assert run_action(member=agent, request=ask("refund", charge=settled_charge, amount="30.00")).ok
    credits = sorted(t["amount"] for t in bt_fake.store.state.transactions.values() if t["type"] == "credit")
    assert [str(c) for c in credits] == ["20.00", "30.00"]
    assert Charge.objects.get(connection=connection, remote_id=settled_charge).status == "refunded"


def test_authorise_capture_and_subscription_actions(admin, bt_fake, connection, settled_charge):
    method = PaymentMethod.objects.get(connection=connection)
    held = run_action(member=admin, request=ask("authorize", payment_method=method.remote_id, amount="25.00", currency="EUR"))
    assert held.ok
    auth = Charge.objects.get(connection=connection, status="authorized")
    assert run_action(member=admin, request=ask("capture", charge=auth.remote_id, amount="20.00")).ok
    assert Charge.objects.get(pk=auth.pk).amount_captured == 2000
    account = GatewayCustomer.objects.get(connection=connection)
    started = run_action(member=admin, request=ask("subscription_create", gateway_customer=account.remote_id, price="pro"))
    assert started.ok
    sub = Subscription.objects.get(connection=connection)
    assert (sub.status, sub.amount, sub.currency) == ("active", 2900, "EUR")
    assert run_action(member=admin, request=ask("subscription_cancel", subscription=sub.remote_id, when="now")).ok
    assert Subscription.objects.get(pk=sub.pk).status == "canceled"
    assert bt_fake.store.state.subscriptions[sub.remote_id]["status"] == "Canceled"
