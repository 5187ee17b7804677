"""An action from inside Zendesk, end to end: Zendesk's signed load → the frame's ticket POST → the generic panel's
refund form → run_action → one refund at the fake Stripe → one private (public:false) comment on the simulated
ticket through the Tickets API, however often Zendesk fails first. Nothing of Chargeside's own is mocked: the
official Stripe SDK talks to the fake, httpx to the Zendesk simulator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import deliver_due, note_deliver

from . import zendesk_helpers
from .desk_helpers import hidden_fields, panel_token
from .zendesk_helpers import boot_token, claims, frame_post, jwt_rs256, signed_load

pytestmark = pytest.mark.django_db
zendesk_sim, zendesk_connection = zendesk_helpers.zendesk_sim, zendesk_helpers.zendesk_connection  # fixtures


@pytest.fixture
def ticket(zendesk_sim, zendesk_connection, agent):
    agent.desk_identities = ["zendesk:42"]
    agent.save()
    zendesk_sim.add_user(name="Sam Agent", email="sam@acme.test", role="agent", user_id=42)
    ayse = zendesk_sim.add_user(name="Ayşe Yılmaz", email="ayse.yilmaz@example.com", locale="tr")
    return zendesk_sim.add_ticket(requester=ayse, subject="Charged twice?", message="I was charged twice.")


def open_panel(client, sim, connection, ticket, user_id=42) -> tuple[str, dict]:
    boot = boot_token(signed_load(client, connection, jwt_rs256(sim.key, claims(sub=str(user_id)))).content.decode())
    page = frame_post(client, connection, boot, ticket.id)
    assert page.status_code == 200
    html = page.content.decode()
    return html, {"X-Panel-Token": panel_token(html), "HX-Request": "true"}


def refund(client, headers, charge, amount="45.50", reason="Charged twice") -> str:
    """Review, then confirm (the panel's two steps)."""
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": amount, "reason": reason},
                          headers=headers).content.decode()
    return client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_refund_from_zendesk_moves_money_once_and_leaves_one_private_note_after_failures(
        client, zendesk_sim, zendesk_connection, ticket, agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    page, headers = open_panel(client, zendesk_sim, zendesk_connection, ticket)
    assert f'hx-get="/panel/action/refund/{charge.pk}/"' in page

    # when the agent refunds 45.50 TRY (the confirmation submitted twice), and Zendesk answers 500 then 429
    zendesk_sim.fail_next_notes(500, 429)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/",
                          {"mode": "partial", "amount": "45.50", "reason": "Charged twice"}, headers=headers).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()
        client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    assert "Refund made: TRY\u00a045.50." in done
    assert len(callbacks) == 1  # one note task, enqueued once the action's transaction committed
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", str(ticket.id))

    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1, 5)]

    # then the note is posted on the third try, once, as a private comment; the money moved once
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("pending", 2), ("sent", 3)]
    assert "Zendesk answered 429" in tries[1].last_error and zendesk_sim.note_puts == 3
    notes = zendesk_sim.notes(ticket.id)
    assert len(notes) == 1
    first = notes[0]
    assert first["public"] is False and tries[2].remote_id == str(first["id"])
    assert "Refund made: TRY\u00a045.50" in first["html_body"] and "Charged twice" in first["html_body"]
    assert agent.display_name in first["html_body"] and "/audit/?action=refund&amp;customer=" in first["html_body"]
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:zendesk", 1)
    assert attempt.ticket_url == f"{zendesk_sim.base_url}/agent/tickets/{ticket.id}"
    # another try of a sent note does nothing
    assert note_deliver(note.pk, now=later(60)).tries == 3


def test_a_refused_note_fails_without_retrying_and_the_refund_stands(
        client, zendesk_sim, zendesk_connection, ticket, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_panel(client, zendesk_sim, zendesk_connection, ticket)
    refund(client, headers, charge)
    zendesk_sim.fail_next_notes(422)

    note = note_deliver(DeskNote.objects.get().pk, now=later(0))

    zendesk_connection.refresh_from_db()
    assert (note.status, note.tries) == ("failed", 1) and "Zendesk answered 422" in zendesk_connection.last_error
    assert deliver_due(now=later(600)) == []
    assert ActionAttempt.objects.get().status == "succeeded" and len(merchant.v1.refunds.list({"charge": charge_id}).data) == 1


def test_an_unmapped_agent_cannot_run_an_action(client, zendesk_sim, zendesk_connection, ticket, paid_customer):
    _merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    page, headers = open_panel(client, zendesk_sim, zendesk_connection, ticket, user_id=777)
    assert "Read-only" in page
    answer = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "full", "reason": "x"}, headers=headers)
    assert "read-only" in answer.content.decode() and ActionAttempt.objects.count() == 0 and DeskNote.objects.count() == 0
