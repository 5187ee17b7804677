"""A refund from the panel, end to end: signed link → form → confirmation → run → the fake Stripe → new state.

The data is loaded the way backfill does it (adapter.list_page + upsert_many) from the fake, through the
official SDK; nothing of Chargeside's own is mocked.
"""

from __future__ import annotations

import re

import pytest
import stripe

from chargeside.actions.audit import audit_verify
from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.billing.models import Charge
from chargeside.billing.upsert import upsert_many
from chargeside.gateways.registry import adapter_for

from .conftest import signed_query

pytestmark = pytest.mark.django_db


def load_everything(connection) -> None:
    adapter = adapter_for(connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)
            upsert_many(connection, page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


@pytest.fixture
def paid_ayse(stripe_fake, stripe_connection):
    merchant = stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)
    customer = merchant.v1.customers.create({"email": "ayse.yilmaz@example.com", "name": "Ayşe Yılmaz"})
    pm = merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    intent = merchant.v1.payment_intents.create({
        "amount": 12000, "currency": "try", "customer": customer.id, "payment_method": pm.id, "confirm": True,
        "off_session": True, "payment_method_types": ["card"],
    })
    load_everything(stripe_connection)
    return merchant, intent.latest_charge


def test_partial_refund_from_the_panel_reaches_the_gateway_and_shows_the_new_state(client, workspace, agent, stripe_connection, paid_ayse):
    merchant, charge_id = paid_ayse
    charge = Charge.objects.get(remote_id=charge_id)
    page = client.get("/panel/?" + signed_query(workspace, agent=agent.user.email, lang="en")).content.decode()
    token = re.search(r'"X-Panel-Token": "([^"]+)"', page).group(1)
    headers = {"X-Panel-Token": token, "HX-Request": "true"}
    assert "TRY\u00a0120.00" in page and f'/panel/action/refund/{charge.id}/' in page

    # when the agent opens the form, asks for a partial refund with a reason, and confirms
    form = client.get(f"/panel/action/refund/{charge.id}/", headers=headers).content.decode()
    confirm = client.post(f"/panel/action/refund/{charge.id}/preview/",
                          {"mode": "partial", "amount": "45.50", "reason": "Charged twice"}, headers=headers).content.decode()
    done = client.post(f"/panel/action/refund/{charge.id}/run/", hidden_fields(confirm), headers=headers)

    # then the fake holds exactly one refund of 45.50 TRY, made with our idempotency key
    assert 'value="120.00"' in form
    assert "Remaining after" in confirm and "TRY\u00a074.50" in confirm
    refunds = merchant.v1.refunds.list({"charge": charge_id}).data
    assert [(r.amount, r.currency, r.status) for r in refunds] == [(4550, "try", "succeeded")]

    # and the panel is re-rendered with the gateway's new state, the success message and the audit entry
    body = done.content.decode()
    assert done.status_code == 200 and done["HX-Retarget"] == "#panel-body"
    assert "Refund made: TRY\u00a045.50." in body
    assert "Refunded TRY\u00a045.50" in body and "TRY\u00a074.50 left to refund" in body
    assert "Refund succeeded" in body and "Charged twice" in body
    charge.refresh_from_db()
    assert (charge.amount_refunded, charge.status) == (4550, "partially_refunded")
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.amount, attempt.currency, attempt.member_id) == ("succeeded", "panel", 4550, "TRY", agent.pk)
    assert list(AuditEvent.objects.filter(workspace=workspace).order_by("seq").values_list("event", "outcome")) == [
        ("requested", "pending"), ("succeeded", "succeeded"),
    ]
    assert audit_verify(workspace).broken_at_seq is None


def test_a_double_submitted_confirmation_refunds_once(client, workspace, agent, stripe_connection, paid_ayse):
    merchant, charge_id = paid_ayse
    charge = Charge.objects.get(remote_id=charge_id)
    page = client.get("/panel/?" + signed_query(workspace, agent=agent.user.email)).content.decode()
    headers = {"X-Panel-Token": re.search(r'"X-Panel-Token": "([^"]+)"', page).group(1), "HX-Request": "true"}
    confirm = client.post(f"/panel/action/refund/{charge.id}/preview/", {"mode": "partial", "amount": "20", "reason": "duplicate"},
                          headers=headers).content.decode()

    # the same confirmation posted twice (the button disables itself, but a network retry can still repeat it)
    first = client.post(f"/panel/action/refund/{charge.id}/run/", hidden_fields(confirm), headers=headers)
    second = client.post(f"/panel/action/refund/{charge.id}/run/", hidden_fields(confirm), headers=headers)

    assert "Refund made: TRY\u00a020.00." in first.content.decode()
    assert "This changed since you reviewed it." in second.content.decode()
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [2000]
    assert ActionAttempt.objects.count() == 1


def test_a_run_without_a_reviewed_confirmation_does_nothing(client, workspace, agent, stripe_connection, paid_ayse):
    merchant, charge_id = paid_ayse
    charge = Charge.objects.get(remote_id=charge_id)
    page = client.get("/panel/?" + signed_query(workspace, agent=agent.user.email)).content.decode()
    headers = {"X-Panel-Token": re.search(r'"X-Panel-Token": "([^"]+)"', page).group(1), "HX-Request": "true"}

    response = client.post(f"/panel/action/refund/{charge.id}/run/", {"amount_minor": "2000", "reason": "x"}, headers=headers)

    assert response.status_code == 200 and "review again" in response.content.decode()
    assert merchant.v1.refunds.list({"charge": charge_id}).data == [] and ActionAttempt.objects.count() == 0
