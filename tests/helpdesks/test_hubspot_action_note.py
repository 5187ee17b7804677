"""Acting from the HubSpot card, end to end against the HubSpot simulator and the Stripe fake: a refund through the
card's IFRAME form moves money once and leaves one note on the contact however often the notes API fails first;
sending an invoice through a confirmation action hook (signed as HubSpot signs it) runs once however often it is
clicked, and notes once; unmapped agents and stale, tampered or foreign hooks are refused. Nothing of
Chargeside's own is mocked: the official Stripe SDK talks to the fake, httpx to the simulator."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge, Invoice
from chargeside.helpdesks.base import DeskError, DeskNoteText
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import deliver_due, note_deliver
from chargeside.helpdesks.registry import adapter_for

from . import hubspot_helpers
from .desk_helpers import hidden_fields, panel_token
from .hubspot_helpers import action_of, open_card

pytestmark = pytest.mark.django_db
# fixtures
hubspot_sim, hubspot_connection, scene, open_invoice = (
    hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection, hubspot_helpers.scene, hubspot_helpers.open_invoice)


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def call_hook(client, settings, sim, uri, record, user, **tamper):
    url, body, headers = sim.hook_request(uri, record, user)
    headers.update(tamper)
    return client.post(url.removeprefix(settings.CHARGESIDE_PUBLIC_URL), data=body, content_type="application/json",
                       headers=headers)


def test_a_refund_from_the_card_moves_money_once_and_leaves_one_note_after_failures(
        client, settings, hubspot_sim, hubspot_connection, scene, agent, paid_customer, django_capture_on_commit_callbacks):
    user, contact = scene
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    refund = action_of(open_card(client, hubspot_sim, contact, user), "refund", charge.pk)
    assert refund["type"] == "IFRAME"

    # when the agent opens the refund form in HubSpot's modal and refunds 45.50 TRY, and HubSpot's API fails twice
    page = client.get(refund["uri"].removeprefix(settings.CHARGESIDE_PUBLIC_URL)).content.decode()
    headers = {"X-Panel-Token": panel_token(page), "HX-Request": "true"}
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": "45.50", "reason": "Charged twice"},
                          headers=headers).content.decode()
    hubspot_sim.fail_next_notes(500, 429)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()
    assert "Refund made: TRY\u00a045.50." in done and len(callbacks) == 1
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", f"contact:{contact.id}")

    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1, 5)]

    # then the note is on the contact once, the refund was made once
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("pending", 2), ("sent", 3)]
    assert tries[0].last_error.startswith("HubSpot answered 500") and tries[1].last_error.startswith("HubSpot answered 429")
    notes = hubspot_sim.notes(contact)
    assert len(notes) == 1 and hubspot_sim.state.note_posts == 3 and tries[2].remote_id == str(notes[0].id)
    assert "Refund made: TRY\u00a045.50" in notes[0].body and "Charged twice" in notes[0].body and agent.display_name in notes[0].body
    assert notes[0].timestamp.endswith("Z") and notes[0].associations == [contact.id]
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:hubspot", 1)
    assert attempt.ticket_url == f"{hubspot_sim.base_url}/contacts/62515/record/0-1/{contact.id}"
    assert note_deliver(note.pk, now=later(60)).tries == 3 and len(hubspot_sim.notes(contact)) == 1


def test_a_confirmation_hook_sends_the_invoice_once_and_notes_once(
        client, settings, hubspot_sim, hubspot_connection, scene, agent, open_invoice, stripe_fake):
    user, contact = scene
    invoice = Invoice.objects.get(remote_id=open_invoice)
    hook = action_of(open_card(client, hubspot_sim, contact, user), "invoice_send", invoice.pk)
    assert hook["type"] == "CONFIRMATION_ACTION_HOOK"

    first = call_hook(client, settings, hubspot_sim, hook["uri"], contact, user)
    again = call_hook(client, settings, hubspot_sim, hook["uri"], contact, user)  # a second click on the same card
    deliver_due(now=later(0))

    assert (first.status_code, first.json()) == (200, {"message": "Invoice sent."})
    assert (again.status_code, again.json()["message"]) == (200, "This was already done; nothing was repeated.")
    sent = [e for e in stripe_fake.control.events("invoice.sent") if e["data"]["object"]["id"] == open_invoice]
    assert len(sent) == 1 and ActionAttempt.objects.get().source == "desk:hubspot"
    notes = hubspot_sim.notes(contact)
    assert len(notes) == 1 and "Invoice sent" in notes[0].body and DeskNote.objects.get().status == "sent"


# --- refusals -----------------------------------------------------------------------------------------

def test_an_unmapped_agent_cannot_act_through_a_hook(client, settings, hubspot_sim, hubspot_connection, workspace, open_invoice):
    from chargeside.helpdesks.deeplinks import SignedDeskLinks
    from chargeside.helpdesks.hubspot.views import CardLinks
    from chargeside.helpdesks.panel import DeskContext

    stranger = hubspot_sim.add_user(email="stranger@example.com")
    contact = hubspot_sim.add_contact(email="ayse.yilmaz@example.com")
    invoice = Invoice.objects.get(remote_id=open_invoice)
    context = DeskContext(workspace=workspace, emails=("ayse.yilmaz@example.com",), ticket=f"contact:{contact.id}",
                          agent="stranger@example.com")
    uri = CardLinks(SignedDeskLinks(connection=hubspot_connection, context=context)).hook("invoice_send", invoice.pk)

    response = call_hook(client, settings, hubspot_sim, uri, contact, stranger)

    assert response.status_code == 403 and "read-only" in response.json()["message"]
    assert ActionAttempt.objects.count() == 0 and DeskNote.objects.count() == 0


def test_stale_tampered_foreign_or_unsigned_hooks_are_refused(
        client, settings, hubspot_sim, hubspot_connection, scene, workspace, open_invoice, paid_customer):
    from chargeside.helpdesks.deeplinks import SignedDeskLinks
    from chargeside.helpdesks.hubspot.views import CardLinks
    from chargeside.helpdesks.panel import DeskContext

    user, contact = scene
    invoice = Invoice.objects.get(remote_id=open_invoice)
    charge = Charge.objects.get(remote_id=paid_customer[1])
    context = DeskContext(workspace=workspace, emails=("ayse.yilmaz@example.com",), ticket=f"contact:{contact.id}", agent=user["email"])
    links = CardLinks(SignedDeskLinks(connection=hubspot_connection, context=context))
    old = CardLinks(SignedDeskLinks(connection=hubspot_connection, context=context, now=time.time() - 16 * 60))
    uri = links.hook("invoice_send", invoice.pk)
    someone = hubspot_sim.add_user(email="someone.else@example.com")

    assert call_hook(client, settings, hubspot_sim, uri, contact, user, **{"X-HubSpot-Signature-v3": "bm9wZQ=="}).status_code == 401
    assert call_hook(client, settings, hubspot_sim, old.hook("invoice_send", invoice.pk), contact, user).status_code == 403
    assert call_hook(client, settings, hubspot_sim, uri.replace(f"item={invoice.pk}", f"item={invoice.pk + 1}"), contact, user).status_code == 403
    assert call_hook(client, settings, hubspot_sim, uri, contact, someone).status_code == 403  # HubSpot names another user
    refused = call_hook(client, settings, hubspot_sim, links.hook("refund", charge.pk), contact, user)
    assert refused.status_code == 400  # a refund needs an amount and a reason: the card's form, not a hook
    assert client.post(f"/desk/hubspot/not-a-token/action/?{uri.partition('?')[2]}").status_code == 403
    assert ActionAttempt.objects.count() == 0


# --- the notes API --------------------------------------------------------------------------------------

def test_a_note_on_a_ticket_is_associated_as_a_ticket_and_bad_references_are_refused(hubspot_sim, hubspot_connection):
    ticket = hubspot_sim.add_ticket(subject="Charged twice?", email="ayse.yilmaz@example.com")
    adapter = adapter_for(hubspot_connection)

    note_id = adapter.post_note(ticket=f"ticket:{ticket.id}", note=DeskNoteText(title="Chargeside: <Refund>"))

    assert [n.id for n in hubspot_sim.notes(ticket)] == [int(note_id)]
    assert "&lt;Refund&gt;" in hubspot_sim.notes(ticket)[0].body
    for ref in ("12", "lead:1", "ticket:abc"):
        with pytest.raises(DeskError) as refused:
            adapter.post_note(ticket=ref, note=DeskNoteText(title="x"))
        assert refused.value.retryable is False
    with pytest.raises(DeskError) as unknown:  # HubSpot's 400 for an association to a record it does not have
        adapter.post_note(ticket="ticket:1", note=DeskNoteText(title="x"))
    assert (unknown.value.status, unknown.value.retryable) == (400, False)


def test_a_wrong_token_is_not_retried(hubspot_sim, hubspot_connection):
    hubspot_connection.set_credentials({"client_secret": "x", "access_token": "wrong"})
    contact = hubspot_sim.add_contact(email="a@example.com")
    with pytest.raises(DeskError) as refused:
        adapter_for(hubspot_connection).post_note(ticket=f"contact:{contact.id}", note=DeskNoteText(title="x"))
    assert (refused.value.status, refused.value.retryable) == (401, False)
