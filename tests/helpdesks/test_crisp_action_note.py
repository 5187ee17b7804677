"""An action from inside Crisp, end to end: the simulator's inbox page → our widget (Crisp's GET with the
website token and filled data bindings) → the panel's refund form → run_action → one refund at the fake Stripe
→ one private note in the simulated conversation through Crisp's REST API (plugin token, X-Crisp-Tier), even
though Crisp fails the first try. Nothing of Chargeside's own is mocked: the official Stripe SDK talks to the
fake, httpx to the simulator."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.connections.models import Connection
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import deliver_due, note_deliver

from .desk_helpers import hidden_fields, panel_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisp_sim():
    from chargeside.sandbox.crisp import CrispSimulator

    sim = CrispSimulator()
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def crisp_connection(workspace, crisp_sim):
    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="crisp", name="Crisp", settings={
        "website_id": crisp_sim.website_id, "plugin_identifier": crisp_sim.identifier, "api_base_url": crisp_sim.base_url,
        "app_url": crisp_sim.base_url,
    })
    connection.set_credentials({"widget_token": crisp_sim.widget_token, "plugin_key": crisp_sim.key,
                                "signing_secret": crisp_sim.signing_secret})
    connection.save()
    crisp_sim.widget_url = f"http://testserver/desk/crisp/{connection.webhook_token}/"
    return connection


@pytest.fixture
def conversation(crisp_sim, crisp_connection):
    return crisp_sim.add_conversation(email="ayse.yilmaz@example.com", nickname="Ayşe Yılmaz", message="I was charged twice.")


def open_widget(client, sim, conversation, operator) -> tuple[str, dict]:
    """As Crisp: render the inbox page, then load the iframe it shows (the same URL, through the test client)."""
    import urllib.request

    with urllib.request.urlopen(sim.inbox_url(conversation, operator)) as response:
        inbox = response.read().decode()
    src = unescape(re.search(r'<iframe title="Chargeside" src="([^"]+)"', inbox).group(1))
    url = urlsplit(src)
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200
    html = page.content.decode()
    return html, {"X-Panel-Token": panel_token(html), "HX-Request": "true"}


def refund(client, headers, charge, amount="45.50", reason="Charged twice") -> str:
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": amount, "reason": reason},
                          headers=headers).content.decode()
    return client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_refund_from_crisp_moves_money_once_and_leaves_one_note(
        client, crisp_sim, crisp_connection, conversation, agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    operator = crisp_sim.add_operator(first_name="Sam", last_name="Agent", email=agent.user.email)
    page, headers = open_widget(client, crisp_sim, conversation, operator)
    assert f'hx-get="/panel/action/refund/{charge.pk}/"' in page

    crisp_sim.fail_next_notes(503)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = refund(client, headers, charge)
    assert "Refund made: TRY\u00a045.50." in done and len(callbacks) == 1
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", conversation.session_id)

    first, second = note_deliver(note.pk, now=later(0)), note_deliver(note.pk, now=later(1))

    assert (first.status, second.status) == ("pending", "sent") and "Crisp answered 503" in first.last_error
    notes = crisp_sim.notes(conversation.session_id)
    assert len(notes) == 1 and crisp_sim.note_posts == 2
    assert (notes[0].type, notes[0].origin, second.remote_id) == ("note", "operator", str(notes[0].fingerprint))
    assert "Refund made: TRY\u00a045.50" in notes[0].content and "Charged twice" in notes[0].content
    assert agent.display_name in notes[0].content and "/audit/?action=refund&customer=" in notes[0].content
    assert "<" not in notes[0].content  # Crisp notes are text: the plain form is sent
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:crisp", 1)
    assert attempt.ticket_url == f"{crisp_sim.base_url}/website/{crisp_sim.website_id}/inbox/{conversation.session_id}/"
    assert note_deliver(note.pk, now=later(60)).status == "sent" and len(crisp_sim.notes(conversation.session_id)) == 1


def test_a_double_submitted_confirmation_refunds_once_and_notes_once(
        client, crisp_sim, crisp_connection, conversation, agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    operator = crisp_sim.add_operator(first_name="Sam", last_name="Agent", email=agent.user.email)
    _page, headers = open_widget(client, crisp_sim, conversation, operator)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": "20", "reason": "dup"},
                          headers=headers).content.decode()

    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    deliver_due(now=later(0))

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [2000]
    assert ActionAttempt.objects.count() == 1 and DeskNote.objects.count() == 1
    assert len(crisp_sim.notes(conversation.session_id)) == 1


def test_a_wrong_plugin_token_fails_the_note_without_retrying_and_the_refund_stands(
        client, crisp_sim, crisp_connection, conversation, agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    operator = crisp_sim.add_operator(first_name="Sam", last_name="Agent", email=agent.user.email)
    _page, headers = open_widget(client, crisp_sim, conversation, operator)
    refund(client, headers, charge)
    crisp_sim.key = "rotated-key"

    note = note_deliver(DeskNote.objects.get().pk, now=later(0))

    crisp_connection.refresh_from_db()
    assert (note.status, note.tries) == ("failed", 1) and "Crisp answered 401 (invalid_session)" in crisp_connection.last_error
    assert ActionAttempt.objects.get().status == "succeeded" and len(merchant.v1.refunds.list({"charge": charge_id}).data) == 1


def test_an_operator_who_is_no_member_cannot_act(client, crisp_sim, crisp_connection, conversation, paid_customer):
    charge = Charge.objects.get(remote_id=paid_customer[1])
    operator = crisp_sim.add_operator(first_name="Kim", last_name="Temp", email="kim@outsourcer.example")
    page, headers = open_widget(client, crisp_sim, conversation, operator)

    assert "Read-only" in page and f"/panel/action/refund/{charge.pk}/" not in page
    form = client.get(f"/panel/action/refund/{charge.pk}/", headers=headers)
    assert form.status_code in (403, 404) and ActionAttempt.objects.count() == 0


def test_a_signed_hook_from_the_simulator_is_accepted(client, crisp_sim, crisp_connection, conversation):
    body, headers = crisp_sim.hook("message:send", {"session_id": conversation.session_id, "website_id": crisp_sim.website_id,
                                                    "type": "text", "content": "hi", "from": "user", "origin": "chat"})
    response = client.post(f"/desk/crisp/{crisp_connection.webhook_token}/", body, content_type="application/json",
                            headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert response.status_code == 200
