"""The custom gateway through Chargeside's shared paths, unchanged: backfill, the webhook endpoint
/hooks/<token>/ and the drain, and run_action's refund and cancel calling the reference server."""

from __future__ import annotations

import time

import pytest

from chargeside.actions.models import ActionAttempt
from chargeside.actions.runner import ActionRequest, run_action
from chargeside.billing.models import Charge, Refund, Subscription
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import WebhookDelivery
from chargeside.ingest.pipeline import drain

pytestmark = pytest.mark.django_db


def ask(action: str, **params) -> ActionRequest:
    return ActionRequest(action=action, params=params, reason="customer asked", ticket_url="https://desk.example.com/tickets/7")


def ada_payment(server) -> dict:
    ada = next(c for c in server.ledger.store["customers"].values() if c["email"] == "ada@example.com")
    return next(p for p in server.ledger.store["payments"].values() if p["customer_id"] == ada["id"] and p["amount"] == 5000)


def post(client, connection, headers: dict, body: bytes):
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post(f"/hooks/{connection.webhook_token}/", data=body, content_type="application/json", headers=headers)


@pytest.fixture
def synced(custom_connection):
    backfill(custom_connection)
    return custom_connection


def test_backfill_stores_the_server_world(synced):
    assert Charge.objects.filter(connection=synced).count() == 10
    assert Subscription.objects.filter(connection=synced, status="active").count() == 6
    (refund,) = Refund.objects.filter(connection=synced)
    assert (refund.amount, refund.currency, refund.charge.amount_refunded) == (2000, "USD", 2000)


def test_a_webhook_from_the_server_updates_the_charge_end_to_end(synced, billing_server, client):
    pay = ada_payment(billing_server)
    billing_server.ledger.refund(pay["id"], {"amount": 700, "currency": "EUR", "reason": "changed at the billing system"})
    sent = [(event, headers, body) for event, headers, body in billing_server.webhooks.sent if event["object"]["id"] in {pay["id"]}
            or event["object"].get("payment_id") == pay["id"]]
    assert [event["type"] for event, _, _ in sent] == ["refund.created", "payment.refunded"]
    for _, headers, body in sent:
        response = post(client, synced, headers, body)
        assert (response.status_code, response.json()) == (200, {"status": "accepted"})
    result = drain()
    assert (result.processed, result.events_applied) == (2, 2)
    charge = Charge.objects.get(connection=synced, remote_id=pay["id"])
    assert (charge.amount_refunded, charge.status, charge.refundable) == (700, "partially_refunded", 4300)
    assert list(Refund.objects.filter(charge=charge).values_list("amount", "reason")) == [(700, "changed at the billing system")]


def test_a_forged_or_stale_webhook_is_rejected_and_kept(synced, billing_server, client):
    pay = ada_payment(billing_server)
    billing_server.ledger.refund(pay["id"], {"amount": 100, "currency": "EUR"})
    _, headers, body = billing_server.webhooks.sent[-1]
    forged = body.replace(b'"amount_refunded":100', b'"amount_refunded":5000')
    response = post(client, synced, headers, forged)
    assert response.status_code == 400
    stale = {**headers, "X-Chargeside-Timestamp": str(int(time.time()) - 301)}
    assert post(client, synced, stale, body).status_code == 400
    reasons = list(WebhookDelivery.objects.filter(connection=synced).order_by("pk").values_list("status", "reject_reason"))
    assert reasons == [("rejected", "no v1 signature matches (wrong shared secret, or the message was changed)"),
                       ("rejected", "no v1 signature matches (wrong shared secret, or the message was changed)")]
    drain()
    assert Charge.objects.get(connection=synced, remote_id=pay["id"]).amount_refunded == 0


def test_run_action_refund_goes_through_the_adapter_with_the_attempt_key(synced, billing_server, agent):
    pay = ada_payment(billing_server)
    request = ActionRequest(action="refund", params={"charge": pay["id"], "amount": "12.00"}, reason="customer asked",
                            idempotency_key="api-client-key-1")
    outcome = run_action(member=agent, request=request)
    assert (outcome.ok, outcome.replayed) == (True, False)
    assert billing_server.ledger.store["payments"][pay["id"]]["amount_refunded"] == 1200
    charge = Charge.objects.get(connection=synced, remote_id=pay["id"])
    assert (charge.amount_refunded, charge.status) == (1200, "partially_refunded")
    assert list(billing_server.ledger.idempotency) == [outcome.attempt.gateway_idempotency_key]
    refund = Refund.objects.get(charge=charge)
    assert refund.raw["metadata"] == {"chargeside_attempt": outcome.attempt.gateway_idempotency_key}
    again = run_action(member=agent, request=request)  # the API client retries its request
    assert (again.replayed, again.attempt.pk) == (True, outcome.attempt.pk)
    assert billing_server.ledger.store["payments"][pay["id"]]["amount_refunded"] == 1200


def test_an_answer_lost_on_the_way_back_is_retried_with_the_same_key_and_replayed(synced, billing_server, agent, reference, monkeypatch):
    pay = ada_payment(billing_server)
    real_send, dropped = reference.Handler._send, []

    def drop_the_first_refund_answer(handler, status, answer, request_id, replayed=False):
        if status == 201 and not dropped:  # the refund is done and remembered; the connection dies before the answer
            dropped.append(answer["id"])
            handler.close_connection = True
            return None
        return real_send(handler, status, answer, request_id, replayed)

    monkeypatch.setattr(reference.Handler, "_send", drop_the_first_refund_answer)
    first = run_action(member=agent, request=ask("refund", charge=pay["id"], amount_minor=500))
    assert (first.status, first.attempt.error_code, first.attempt.error_retryable) == ("failed", "connection_error", True)
    assert billing_server.ledger.store["payments"][pay["id"]]["amount_refunded"] == 500
    retry = run_action(member=agent, request=ask("refund", charge=pay["id"], amount_minor=500))
    assert (retry.attempt.pk, retry.ok) == (first.attempt.pk, True)
    assert ActionAttempt.objects.get(pk=first.attempt.pk).calls == 2
    assert billing_server.ledger.store["payments"][pay["id"]]["amount_refunded"] == 500  # replayed, not refunded twice
    assert Refund.objects.get(connection=synced, charge__remote_id=pay["id"]).remote_id == dropped[0]


def test_run_action_cancels_a_subscription_at_the_server(synced, billing_server, agent):
    ada = next(c for c in billing_server.ledger.store["customers"].values() if c["email"] == "ada@example.com")
    (sub,) = [s for s in billing_server.ledger.store["subscriptions"].values() if s["customer_id"] == ada["id"]]
    outcome = run_action(member=agent, request=ask("subscription_cancel", subscription=sub["id"], when="now"))
    assert outcome.ok, outcome.attempt.error_message
    assert billing_server.ledger.store["subscriptions"][sub["id"]]["status"] == "canceled"
    assert Subscription.objects.get(connection=synced, remote_id=sub["id"]).status == "canceled"
