"""An action from inside Help Scout, end to end: the signed callback → the sidebar's deep link → the generic
panel's form → run_action → one refund at the fake Stripe → one private note on the simulated conversation
through the Mailbox API (OAuth client credentials), however often the desk fails first. Nothing of
Chargeside's own is mocked: the official Stripe SDK talks to the fake, httpx to the simulator."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import MAX_TRIES, deliver_due, note_deliver
from chargeside.helpdesks.tasks import deliver_desk_note

from .desk_helpers import deep_links, hidden_fields, panel_token, post_callback

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(helpscout_sim, helpscout_connection, agent):
    agent.desk_identities = ["helpscout:42"]
    agent.save()
    helpscout_sim.add_user(fname="Sam", lname="Agent", user_id=42)
    return helpscout_sim.add_conversation(email="ayse.yilmaz@example.com", fname="Ayşe", lname="Yılmaz",
                                          subject="Charged twice?", message="I was charged twice.")


def open_refund(client, sim, connection, conversation, charge) -> tuple[str, dict]:
    """As the agent: open the conversation (the simulator's exact callback), follow the refund link."""
    html = post_callback(client, connection, sim.callback_body(conversation, sim.state.users[42])).json()["html"]
    link = next(url for action, item, url in deep_links(html) if action == "refund" and item == str(charge.pk))
    page = client.get(link)
    assert page.status_code == 200
    return page.content.decode(), {"X-Panel-Token": panel_token(page.content.decode()), "HX-Request": "true"}


def refund(client, headers, charge, amount="45.50", reason="Charged twice") -> str:
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": amount, "reason": reason},
                          headers=headers).content.decode()
    return client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_refund_from_help_scout_moves_money_once_and_leaves_one_note_after_three_failures(
        client, helpscout_sim, helpscout_connection, conversation, agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    assert f'hx-get="/panel/action/refund/{charge.pk}/"' in page and "Charged twice?" not in page

    # when the agent refunds 45.50 TRY, and the desk's API answers 500 three times before it works
    helpscout_sim.fail_next_notes(500, 500, 500)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = refund(client, headers, charge)
    assert "Refund made: TRY\u00a045.50." in done
    note = DeskNote.objects.get()
    assert (note.status, note.tries, note.ticket) == ("pending", 0, str(conversation.id))
    assert len(callbacks) == 1  # the task is enqueued once the action's transaction committed

    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1, 5, 30)]

    # then the note is posted on the fourth try, once; the refund was made once and never again
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("pending", 2), ("pending", 3), ("sent", 4)]
    assert "Help Scout answered 500" in tries[2].last_error and tries[3].last_error == ""
    notes = helpscout_sim.notes(conversation.id)
    assert len(notes) == 1 and helpscout_sim.state.note_posts == 4
    assert tries[3].remote_id == str(notes[0].id)
    assert "Refund made: TRY\u00a045.50" in notes[0].body and "Charged twice" in notes[0].body
    assert f"{agent.display_name}" in notes[0].body and "/audit/?action=refund&amp;customer=" in notes[0].body
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:helpscout", 1)
    assert attempt.ticket_url == f"{helpscout_sim.base_url}/conversation/{conversation.id}/{conversation.number}/"

    # and another try of a sent note does nothing
    assert note_deliver(note.pk, now=later(60)).tries == 4 and len(helpscout_sim.notes(conversation.id)) == 1


def test_a_double_submitted_confirmation_refunds_once_and_notes_once(
        client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": "20", "reason": "dup"},
                          headers=headers).content.decode()

    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    deliver_due(now=later(0))

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [2000]
    assert ActionAttempt.objects.count() == 1 and DeskNote.objects.count() == 1
    assert len(helpscout_sim.notes(conversation.id)) == 1


def test_the_task_posts_the_note_and_a_failed_try_enqueues_the_next_after_its_backoff(
        client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    _merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    refund(client, headers, charge)
    note = DeskNote.objects.get()
    helpscout_sim.fail_next_notes(503)

    first = deliver_desk_note.call(note.pk)

    note.refresh_from_db()
    assert first == {"status": "pending", "tries": 1}
    queued = DBTaskResult.objects.get(task_path="chargeside.helpdesks.tasks.deliver_desk_note")
    assert queued.args_kwargs["args"] == [note.pk] and queued.run_after == note.next_try_at
    assert dt.timedelta(seconds=25) < note.next_try_at - timezone.now() <= dt.timedelta(seconds=30)
    assert deliver_desk_note.call(note.pk) == {"status": "pending", "tries": 1}  # not due yet: left alone
    assert note_deliver(note.pk, now=note.next_try_at).status == "sent"


def test_a_refused_note_fails_without_retrying_and_the_refund_stands(
        client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    refund(client, headers, charge)
    helpscout_sim.fail_next_notes(422)

    note = note_deliver(DeskNote.objects.get().pk, now=later(0))

    helpscout_connection.refresh_from_db()
    assert (note.status, note.tries) == ("failed", 1) and "Help Scout answered 422" in helpscout_connection.last_error
    assert deliver_due(now=later(600)) == []
    assert ActionAttempt.objects.get().status == "succeeded" and len(merchant.v1.refunds.list({"charge": charge_id}).data) == 1


def test_a_desk_that_stays_down_fails_the_note_after_the_last_try(
        client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    _merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    refund(client, headers, charge)
    helpscout_sim.fail_next_notes(*[500] * MAX_TRIES)

    for hours in range(MAX_TRIES):
        note = note_deliver(DeskNote.objects.get().pk, now=later(hours * 600))

    assert (note.status, note.tries) == ("failed", MAX_TRIES) and helpscout_sim.notes(conversation.id) == []


def test_an_expired_token_at_the_desk_is_renewed_once(client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    _merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    refund(client, headers, charge, amount="10")
    deliver_due(now=later(0))
    helpscout_sim.state.tokens.clear()  # Help Scout revoked or expired our cached token

    refund(client, headers, charge, amount="11")
    sent = deliver_due(now=later(0))

    assert [n.status for n in sent] == ["sent"] and len(helpscout_sim.notes(conversation.id)) == 2


# --- deep links -----------------------------------------------------------------------------------------

def test_an_expired_deep_link_is_refused(client, settings, helpscout_sim, helpscout_connection, conversation, paid_customer):
    from chargeside.helpdesks.deeplinks import SignedDeskLinks
    from chargeside.helpdesks.panel import DeskContext

    charge = Charge.objects.get(remote_id=paid_customer[1])
    context = DeskContext(workspace=helpscout_connection.workspace, emails=("ayse.yilmaz@example.com",), ticket=str(conversation.id),
                          agent="helpscout:42")
    old = SignedDeskLinks(connection=helpscout_connection, context=context, now=time.time() - 16 * 60).action("refund", charge.pk)

    response = client.get(old.removeprefix(settings.CHARGESIDE_PUBLIC_URL))

    assert response.status_code == 403 and "X-Panel-Token" not in response.content.decode()


def test_a_deep_link_works_only_under_its_own_connection(client, workspace, helpscout_sim, helpscout_connection, conversation,
                                                          paid_customer):
    from chargeside.connections.models import Connection

    charge = Charge.objects.get(remote_id=paid_customer[1])
    html = post_callback(client, helpscout_connection, helpscout_sim.callback_body(conversation, helpscout_sim.state.users[42])).json()["html"]
    link = next(url for action, item, url in deep_links(html) if action == "refund")
    other = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="helpscout", name="Second Help Scout")
    other.save()

    assert client.get(link).status_code == 200
    assert client.get(link.replace(helpscout_connection.webhook_token, other.webhook_token)).status_code == 403
    assert client.get(link.replace("do=refund", "do=void")).status_code == 403  # every parameter is signed
    assert client.get(link.replace(f"item={charge.pk}", f"item={charge.pk + 1}")).status_code == 403


def test_a_deep_link_to_an_action_no_longer_offered_opens_the_panel_with_why(
        client, helpscout_sim, helpscout_connection, conversation, paid_customer):
    charge = Charge.objects.get(remote_id=paid_customer[1])
    html = post_callback(client, helpscout_connection, helpscout_sim.callback_body(conversation, helpscout_sim.state.users[42])).json()["html"]
    link = next(url for action, item, url in deep_links(html) if action == "refund")
    _page, headers = open_refund(client, helpscout_sim, helpscout_connection, conversation, charge)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "full", "reason": "all of it"}, headers=headers)
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm.content.decode()), headers=headers)

    page = client.get(link).content.decode()

    assert "This action is no longer available for this item" in page and 'id="section-charges"' in page
    assert "hx-trigger=\"load\"" not in page
