"""Recurly through the shared paths, unchanged: backfill, a signed notification POSTed to /hooks/<token>/ and
drained (a duplicate changes nothing), and actions through run_action, all against the fake over the real SDK."""

import json
import time

import pytest

from dataclasses import replace

from chargeside.actions.runner import action_preview, run_action
from chargeside.billing import models as billing
from chargeside.gateways.recurly.webhooks import signature_header
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import WebhookDelivery
from chargeside.ingest.pipeline import drain

from chargeside.actions.runner import ActionRequest

pytestmark = pytest.mark.django_db


def ask(action: str, reason: str = "customer asked", **params) -> ActionRequest:
    return ActionRequest(action=action, params=params, reason=reason, ticket_url="https://desk.example.com/tickets/7")


@pytest.fixture
def connection(workspace, fake):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="recurly", name="Recurly", settings={"base_url": fake.base_url})
    connection.set_credentials({"api_key": "recurly_test_key", "webhook_secret": "recurly_test_secret"})
    connection.save()
    return connection


def post_signed(client, connection, note: dict, *, secret="recurly_test_secret", at_ms=None):
    body = json.dumps(note, separators=(",", ":")).encode()
    header = signature_header(body, secret, at_ms if at_ms is not None else int(time.time() * 1000))
    return client.post(f"/hooks/{connection.webhook_token}/", data=body, content_type="application/json", HTTP_RECURLY_SIGNATURE=header)


def test_backfill_brings_every_kind(connection, fake):
    from chargeside.sandbox.recurly.seed import seed

    seed(fake, 6)
    backfill(connection)
    assert billing.GatewayCustomer.objects.filter(connection=connection).count() == 6
    assert billing.PaymentMethod.objects.filter(connection=connection).count() == 6
    charges = billing.Charge.objects.filter(connection=connection)
    assert {c.currency for c in charges} == {"EUR", "USD", "TRY"} and charges.filter(status="failed").count() == 1
    assert billing.Refund.objects.filter(connection=connection).count() == 2
    assert billing.Subscription.objects.filter(connection=connection).count() == 6
    assert billing.Invoice.objects.filter(connection=connection).count() > 6
    assert billing.Price.objects.filter(connection=connection).count() == 6


def test_signed_notification_is_applied_once_and_forged_or_stale_ones_are_rejected(client, connection, fake, shop):
    tx = shop["payment"]
    note = {"id": tx["id"], "object_type": "payment", "site_id": fake.site_id, "event_type": "succeeded",
            "event_time": fake.clock.iso(), "uuid": tx["uuid"]}
    assert post_signed(client, connection, note).status_code == 200
    drain()
    charge = billing.Charge.objects.get(connection=connection, remote_id=tx["id"])
    assert (charge.amount, charge.currency, charge.status) == (5000, "EUR", "succeeded")
    # the same notification again: stored, deduplicated, nothing changes
    assert post_signed(client, connection, note).status_code == 200
    drain()
    assert billing.Charge.objects.filter(connection=connection).count() == 1
    # wrong secret and a replay older than 5 minutes are rejected and kept as such
    assert post_signed(client, connection, note, secret="forged").status_code in (400, 401, 403)
    assert post_signed(client, connection, note, at_ms=int((time.time() - 600) * 1000)).status_code in (400, 401, 403)
    assert WebhookDelivery.objects.filter(connection=connection, status="rejected").count() == 2


def test_fake_delivers_its_own_notifications_to_our_live_endpoint(live_server, connection, fake):
    fake.control.add_endpoint(f"{live_server.url}/hooks/{connection.webhook_token}/", "recurly_test_secret")
    account = fake.control.create_account("live", "live@example.com", "Live", "Customer")
    tx = fake.control.purchase(account["id"], "70.00", "TRY")
    fake.control.refund(tx["id"], "25.00")
    assert fake.webhooks.drain(timeout=10)
    assert all(a.ok for a in fake.webhooks.attempts)
    result = drain()
    assert result.failed == 0
    assert billing.GatewayCustomer.objects.get(connection=connection, remote_id=account["id"]).email == "live@example.com"
    refund = billing.Refund.objects.get(connection=connection)
    assert (refund.amount, refund.currency) == (2500, "TRY")
    assert billing.PaymentMethod.objects.get(connection=connection).last4 == "1111"


def test_refund_and_cancel_through_run_action(agent, connection, fake, shop):
    sub = fake.control.subscribe(shop["account"]["id"], "basic", "EUR")
    backfill(connection)
    charge = shop["payment"]["id"]
    request = ask("refund", charge=charge, amount="20.00")
    seen = action_preview(member=agent, request=request).confirm_params  # what the agent saw when confirming
    confirmed = replace(request, params={**request.params, **seen})
    partial = run_action(member=agent, request=confirmed)
    assert partial.ok
    row = billing.Charge.objects.get(connection=connection, remote_id=charge)
    assert (row.amount_refunded, row.status) == (2000, "partially_refunded")
    # a double click (same confirmation) finds the first attempt: one refund at Recurly
    again = run_action(member=agent, request=confirmed)
    assert again.replayed and again.attempt.pk == partial.attempt.pk
    assert fake.control.count("transaction", type="refund") == 1
    over = None
    try:
        run_action(member=agent, request=ask("refund", charge=charge, amount="30.01"))
    except Exception as exc:  # ActionError: only 30.00 remains
        over = exc
    assert over is not None and "30" in str(over)
    canceled = run_action(member=agent, request=ask("subscription_cancel", subscription=sub["id"], when="period_end"))
    assert canceled.ok
    row = billing.Subscription.objects.get(connection=connection, remote_id=sub["id"])
    assert (row.status, row.cancel_at_period_end) == ("active", True)


def test_unsupported_action_is_refused(agent, connection, fake, shop):
    from chargeside.actions.base import ActionError

    backfill(connection)
    with pytest.raises(ActionError):
        run_action(member=agent, request=ask("capture", charge=shop["payment"]["id"]))
