"""WooCommerce actions through run_action(): refunds (full, partial, over what remains) and subscription
cancellation, against the fake store."""

import pytest

from chargeside.actions.base import ActionError
from dataclasses import replace

from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.models import Charge, Subscription
from chargeside.ingest.backfill import backfill

pytestmark = pytest.mark.django_db


def ask(action, **params):
    return ActionRequest(action=action, params=params, reason="customer asked", ticket_url="https://desk.example.com/tickets/1")


@pytest.fixture
def shop(woo_connection, woo_fake):
    ada = woo_fake.create_customer("ada@example.com", "Ada", "Lovelace")
    order = woo_fake.create_order(customer_id=ada["id"], total="50.00", currency="EUR")
    plan = woo_fake.create_product("Club", "19.00", subscription=True)
    sub = woo_fake.create_subscription(customer_id=ada["id"], product=plan)
    backfill(woo_connection)
    return str(order["id"]), str(sub["id"])


def local(model, remote_id):
    # WooCommerce ids are digits, which get_row reads as our own row ids: actions name rows by local id.
    return model.objects.get(remote_id=remote_id).pk


def test_partial_then_full_refund(agent, woo_fake, shop):
    order_id, _ = shop
    assert run_action(member=agent, request=ask("refund", charge=local(Charge, order_id), amount="12.00")).ok
    charge = Charge.objects.get(remote_id=order_id)
    assert (charge.amount_refunded, charge.status) == (1200, "partially_refunded")
    assert run_action(member=agent, request=ask("refund", charge=local(Charge, order_id))).ok
    assert [r["amount"] for r in woo_fake.refunds_of(int(order_id))] == ["38.00", "12.00"]
    assert Charge.objects.get(remote_id=order_id).status == "refunded"
    assert woo_fake.get_order(order_id)["status"] == "refunded"


def test_the_same_request_twice_is_one_refund(agent, woo_fake, shop):
    order_id, _ = shop
    request = ask("refund", charge=local(Charge, order_id), amount="5.00")
    confirmed = replace(request, params={**request.params, **action_preview(member=agent, request=request).confirm_params})
    first = run_action(member=agent, request=confirmed)  # a double click: the same confirmation twice
    second = run_action(member=agent, request=confirmed)
    assert first.ok and second.replayed
    assert [r["amount"] for r in woo_fake.refunds_of(int(order_id))] == ["5.00"]


def test_a_refund_the_store_refuses_is_a_failed_attempt(agent, woo_fake, shop):
    order_id, _ = shop
    woo_fake.gateway_refusals[int(order_id)] = "Refund Error: The charge has been disputed."
    outcome = run_action(member=agent, request=ask("refund", charge=local(Charge, order_id), amount="5.00"))
    assert not outcome.ok
    assert "The payment gateway refused the refund" in outcome.attempt.error_message
    assert woo_fake.refunds_of(int(order_id)) == []


def test_over_refund_is_refused_before_the_store(agent, woo_fake, shop):
    order_id, _ = shop
    with pytest.raises(ActionError, match="can still be refunded"):
        run_action(member=agent, request=ask("refund", charge=local(Charge, order_id), amount="50.01"))


def test_cancel_at_period_end(admin, woo_fake, shop):
    _, sub_id = shop
    outcome = run_action(member=admin, request=ask("subscription_cancel", subscription=local(Subscription, sub_id), when="period_end"))
    assert outcome.ok
    row = Subscription.objects.get(remote_id=sub_id)
    assert (row.status, row.cancel_at_period_end) == ("active", True)
    assert woo_fake.store.get("subscription", sub_id)["status"] == "pending-cancel"
