"""End to end with Django: a PayPal connection pointed at the fake; backfill, signed webhooks through /hooks/<token>/,
the pipeline drained, and actions through run_action (no Chargeside code mocked; the real SDK on the wire)."""

from __future__ import annotations

import pytest

from chargeside.actions.runner import ActionRequest, run_action
from chargeside.billing.matching import find_customers
from chargeside.billing.models import Charge, Dispute, GatewayCustomer, Invoice, Refund, Subscription
from chargeside.ingest.adapters import forget_adapters
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import WebhookDelivery
from chargeside.ingest.pipeline import drain
from chargeside.sandbox.paypal.fake import CLIENT_ID, CLIENT_SECRET

TICKET = "https://desk.example.com/tickets/7"


@pytest.fixture
def paypal_connection(workspace, paypal_fake):
    from chargeside.connections.models import Connection

    forget_adapters()
    hook = paypal_fake.control.webhook("")
    connection = Connection(workspace=workspace, provider="paypal", name="PayPal",
                            settings={"base_url": paypal_fake.base_url, "client_id": CLIENT_ID, "webhook_id": hook["id"],
                                      "cert_hosts": "127.0.0.1", "backfill_days": "62"})
    connection.set_credentials({"client_secret": CLIENT_SECRET})
    connection.save()
    yield connection
    forget_adapters()


def ask(action, **params):
    return ActionRequest(action=action, params=params, reason="customer asked", ticket_url=TICKET)


def post(client, connection, headers, body):
    return client.post(f"/hooks/{connection.webhook_token}/", data=body, content_type="application/json",
                       headers={k: v for k, v in headers.items() if k.lower() != "content-type"})


def world(fake):
    c = fake.control
    ada = c.payer("ada@example.com", "Ada Lovelace")
    capture = c.capture_id(c.payment(ada, 5000, "EUR"))
    auth = c.authorization_id(c.payment(ada, 9000, "USD", authorize=True))
    plan = c.plan(c.product("Seats")["id"], "Pro", 2900, "TRY")
    sub = c.subscription(plan["id"], ada, started_days_ago=12)
    invoice = c.invoice("ada@example.com", "Ada Lovelace", 12000, "EUR")
    dispute = c.dispute(capture)
    return {"ada": ada, "capture": capture, "auth": auth, "sub": sub["id"], "invoice": invoice["id"], "dispute": dispute["dispute_id"]}


@pytest.mark.django_db(transaction=False)
def test_backfill_builds_one_customer_by_email(paypal_fake, paypal_connection, workspace):
    w = world(paypal_fake)
    run = backfill(paypal_connection)
    assert run.status == "succeeded"
    (customer,) = find_customers(workspace, emails=["ada@example.com"])
    identities = GatewayCustomer.objects.filter(connection=paypal_connection, customer=customer)
    assert sorted(identities.values_list("remote_id", flat=True)) == sorted([w["ada"]["payer_id"], "email:ada@example.com"])
    charge = Charge.objects.get(connection=paypal_connection, remote_id=w["capture"])
    assert (charge.amount, charge.currency, charge.gateway_customer.customer_id) == (5000, "EUR", customer.pk)
    assert Charge.objects.get(connection=paypal_connection, remote_id=w["auth"]).status == "authorized"
    assert Subscription.objects.get(connection=paypal_connection, remote_id=w["sub"]).currency == "TRY"
    assert Invoice.objects.get(connection=paypal_connection, remote_id=w["invoice"]).gateway_customer.customer_id == customer.pk
    assert Dispute.objects.get(connection=paypal_connection, remote_id=w["dispute"]).charge_id == charge.pk


@pytest.mark.django_db(transaction=False)
def test_signed_webhook_applies_once(client, paypal_fake, paypal_connection):
    w = world(paypal_fake)
    backfill(paypal_connection)
    refund = paypal_fake.control.refund(w["capture"], 1200)
    headers, body = paypal_fake.control.signed_event(paypal_connection.settings["webhook_id"], "PAYMENT.CAPTURE.REFUNDED", "refund", refund)
    assert post(client, paypal_connection, headers, body).status_code == 200
    drain()
    assert Charge.objects.get(connection=paypal_connection, remote_id=w["capture"]).amount_refunded == 1200
    assert Refund.objects.get(connection=paypal_connection, remote_id=refund["id"]).charge.remote_id == w["capture"]
    before = (list(Charge.objects.values()), list(Refund.objects.values()))
    assert post(client, paypal_connection, headers, body).status_code == 200  # PayPal's retry of the same delivery
    drain()
    repeat = WebhookDelivery.objects.order_by("pk").last()
    assert repeat.events_applied == 0 and (list(Charge.objects.values()), list(Refund.objects.values())) == before


@pytest.mark.django_db(transaction=False)
def test_order_webhook_creates_the_customer_and_charge(client, paypal_fake, paypal_connection, workspace):
    payer = paypal_fake.control.payer("new@example.com", "New Buyer")
    order = paypal_fake.control.payment(payer, 2500, "USD")
    headers, body = paypal_fake.control.signed_event(paypal_connection.settings["webhook_id"], "CHECKOUT.ORDER.COMPLETED", "checkout-order", order)
    assert post(client, paypal_connection, headers, body).status_code == 200
    drain()
    charge = Charge.objects.get(connection=paypal_connection, remote_id=paypal_fake.control.capture_id(order))
    assert charge.gateway_customer.email == "new@example.com" and charge.status == "succeeded"


@pytest.mark.django_db(transaction=False)
def test_forged_stale_and_malformed_webhooks_are_rejected(client, paypal_fake, paypal_connection):
    w = world(paypal_fake)
    refund = paypal_fake.control.refund(w["capture"], 100)
    hook_id = paypal_connection.settings["webhook_id"]
    headers, body = paypal_fake.control.signed_event(hook_id, "PAYMENT.CAPTURE.REFUNDED", "refund", refund)
    assert post(client, paypal_connection, headers, body.replace(b"1.00", b"9.00")).status_code == 400
    stale_headers, stale_body = paypal_fake.control.signed_event(hook_id, "PAYMENT.CAPTURE.REFUNDED", "refund", refund,
                                                                 transmission_time="2020-01-01T00:00:00Z")
    assert post(client, paypal_connection, stale_headers, stale_body).status_code == 400
    bad_headers, bad_body = paypal_fake.webhooks.signed(hook_id, ["not", "an", "event"])
    assert post(client, paypal_connection, bad_headers, bad_body).status_code == 400
    reasons = list(WebhookDelivery.objects.order_by("pk").values_list("status", "reject_reason"))
    assert [r[0] for r in reasons] == ["rejected"] * 3
    assert "does not match" in reasons[0][1] and "tolerance" in reasons[1][1] and "malformed" in reasons[2][1]


@pytest.mark.django_db(transaction=False)
def test_refund_capture_void_cancel_and_send_through_run_action(paypal_fake, paypal_connection, agent, admin):
    w = world(paypal_fake)
    void_me = paypal_fake.control.authorization_id(paypal_fake.control.payment(w["ada"], 3000, "USD", authorize=True))
    backfill(paypal_connection)
    outcome = run_action(member=agent, request=ask("refund", charge=w["capture"], amount_minor=2000))
    assert outcome.ok, outcome.attempt.error_message
    assert Charge.objects.get(connection=paypal_connection, remote_id=w["capture"]).amount_refunded == 2000
    assert run_action(member=agent, request=ask("refund", charge=w["capture"], amount_minor=2000)).ok  # a second partial refund
    assert Charge.objects.get(connection=paypal_connection, remote_id=w["capture"]).refundable == 1000
    captured = run_action(member=admin, request=ask("capture", charge=w["auth"], amount_minor=7000))
    assert captured.ok, captured.attempt.error_message
    row = Charge.objects.get(connection=paypal_connection, remote_id=w["auth"])
    assert (row.status, row.amount_captured) == ("succeeded", 7000)
    assert run_action(member=agent, request=ask("refund", charge=w["auth"], amount_minor=500)).ok  # refunds its capture
    assert Charge.objects.get(connection=paypal_connection, remote_id=w["auth"]).amount_refunded == 500
    assert run_action(member=admin, request=ask("void", charge=void_me)).ok
    assert Charge.objects.get(connection=paypal_connection, remote_id=void_me).status == "voided"
    assert run_action(member=admin, request=ask("subscription_cancel", subscription=w["sub"], when="now")).ok
    assert Subscription.objects.get(connection=paypal_connection, remote_id=w["sub"]).status == "canceled"
    assert paypal_fake.store.subscriptions[w["sub"]]["status"] == "CANCELLED"
    sent = run_action(member=admin, request=ask("invoice_send", invoice=w["invoice"]))
    assert sent.ok, sent.attempt.error_message
    assert paypal_fake.store.invoices[w["invoice"]]["status"] == "SENT"


@pytest.mark.django_db(transaction=False)
def test_gateway_refusal_and_outage_are_recorded_in_plain_words(paypal_fake, paypal_connection, agent):
    w = world(paypal_fake)
    backfill(paypal_connection)
    paypal_fake.control.refund(w["capture"], 4500)  # made in PayPal's dashboard; our rows do not know yet
    refused = run_action(member=agent, request=ask("refund", charge=w["capture"], amount_minor=1000))
    assert not refused.ok and refused.attempt.error_message == "The refund is larger than what remains of the payment."
    paypal_fake.faults.add(status=503, path="/v2/payments/captures")
    down = run_action(member=agent, request=ask("refund", charge=w["capture"], amount_minor=100))
    assert not down.ok and "try again" in down.attempt.error_message
    assert len(paypal_fake.store.payments(next(iter(paypal_fake.store.orders.values())))["refunds"]) == 1


@pytest.mark.django_db(transaction=False)
def test_cancel_at_period_end_is_refused_as_unsupported(paypal_fake, paypal_connection, admin):
    from chargeside.actions.base import ActionError

    w = world(paypal_fake)
    backfill(paypal_connection)
    with pytest.raises(ActionError) as refused:
        run_action(member=admin, request=ask("subscription_cancel", subscription=w["sub"], when="period_end"))
    assert refused.value.code == "not_supported" and "PayPal" in refused.value.message
