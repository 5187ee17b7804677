"""An action from inside Freshdesk, end to end: the app's request as the simulator's request proxy renders it
from apps/freshdesk/config/requests.json (secure header added server-side) → the panel URL → the generic
panel's refund → one refund at the fake Stripe → one private note on the simulated ticket through
POST /api/v2/tickets/{id}/notes (Basic api_key:X), however often the desk fails first. Nothing of Chargeside's
own is mocked: the official Stripe SDK talks to the fake, httpx to the simulator."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import deliver_due, note_deliver

from .desk_helpers import hidden_fields, panel_token
from .freshdesk_helpers import *  # its fixtures
from .freshdesk_helpers import FD_SECRET, local_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(freshdesk_sim, freshdesk_sim_connection, agent):
    freshdesk_sim.add_agent(name="Sam Agent", email=agent.user.email, agent_id=42)
    return freshdesk_sim.add_ticket(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", subject="Charged twice?",
                                    description="I was charged twice.")


def app_request(sim, ticket, agent_id: int = 42) -> bytes:
    """The body apps/freshdesk/app/scripts/app.js builds from the data methods (same fields, same order)."""
    data = {name: sim.data(name, ticket, sim.state.agents.get(agent_id)) for name in ("ticket", "contact", "loggedInUser", "domainName")}
    user = data["loggedInUser"]["loggedInUser"] if data["loggedInUser"] else {}
    pick = lambda obj, keys: {k: obj[k] for k in keys if obj.get(k) is not None}
    return json.dumps({
        "ticket": pick(data["ticket"]["ticket"], ["id", "subject", "requester_id"]),
        "contact": pick(data["contact"]["contact"], ["id", "name", "email", "other_emails"]),
        "loggedInUser": {"id": user.get("id"), "contact": pick(user.get("contact") or {}, ["name", "email", "language"])},
        "domainName": data["domainName"]["domainName"],
    }).encode()


def open_panel(client, sim, ticket, agent_id: int = 42) -> tuple[dict, str, dict]:
    """As Freshworks' proxy: render the app's template, send it to us; then load the panel URL as the frame does."""
    sim.iparams["chargeside_host"] = "testserver"
    method, url, headers = sim.render_template("chargesidePanel", {})
    assert (method, headers["Authorization"]) == ("POST", f"Bearer {FD_SECRET}")
    found = client.post(urlsplit(url).path, data=app_request(sim, ticket, agent_id), content_type=headers["Content-Type"],
                        headers={"Authorization": headers["Authorization"]}).json()
    page = client.get(local_path(found["panel_url"])).content.decode()
    return found, page, {"X-Panel-Token": panel_token(page), "HX-Request": "true"}


def refund(client, headers, charge, amount="45.50", reason="Charged twice") -> str:
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": amount, "reason": reason},
                          headers=headers).content.decode()
    return client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_the_template_puts_the_secret_only_in_the_header_and_calls_our_connection_url(freshdesk_sim, freshdesk_sim_connection):
    freshdesk_sim.iparams["chargeside_host"] = "billing.example.com"
    _method, url, headers = freshdesk_sim.render_template("chargesidePanel", {})

    assert url == f"https://billing.example.com/desk/freshdesk/{freshdesk_sim_connection.webhook_token}/"
    assert FD_SECRET not in url and headers == {"Authorization": f"Bearer {FD_SECRET}", "Content-Type": "application/json"}


def test_a_refund_from_freshdesk_moves_money_once_and_leaves_one_private_note_after_failures(
        client, freshdesk_sim, freshdesk_sim_connection, ticket, agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    found, page, headers = open_panel(client, freshdesk_sim, ticket)
    assert found["read_only"] is False and f'hx-get="/panel/action/refund/{charge.pk}/"' in page
    assert f"From Freshdesk, ticket {ticket.id}" in page

    # when the agent refunds 45.50 TRY, and Freshdesk answers 500 and then 429 before it works
    freshdesk_sim.fail_next_notes(500, 429)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = refund(client, headers, charge)
    assert "Refund made: TRY\u00a045.50." in done and len(callbacks) == 1
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", str(ticket.id))

    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1, 5)]

    # then the note is posted on the third try, once, as a private note; the refund was made once
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("pending", 2), ("sent", 3)]
    assert "Freshdesk answered 500" in tries[0].last_error and "Freshdesk answered 429" in tries[1].last_error
    notes = freshdesk_sim.notes(ticket.id)
    assert len(notes) == 1 and notes[0].private is True and freshdesk_sim.state.note_posts == 3
    assert tries[2].remote_id == str(notes[0].id)
    assert "Refund made: TRY\u00a045.50" in notes[0].body and "Charged twice" in notes[0].body
    assert agent.display_name in notes[0].body and "/audit/?action=refund&amp;customer=" in notes[0].body
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:freshdesk", 1)
    assert attempt.ticket_url == f"{freshdesk_sim.base_url}/a/tickets/{ticket.id}"
    assert note_deliver(note.pk, now=later(60)).tries == 3 and len(freshdesk_sim.notes(ticket.id)) == 1


def test_a_double_submitted_confirmation_refunds_once_and_notes_once(client, freshdesk_sim, freshdesk_sim_connection, ticket,
                                                                      paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _found, _page, headers = open_panel(client, freshdesk_sim, ticket)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": "20", "reason": "dup"},
                          headers=headers).content.decode()

    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    deliver_due(now=later(0))

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [2000]
    assert ActionAttempt.objects.count() == 1 and len(freshdesk_sim.notes(ticket.id)) == 1


def test_a_wrong_api_key_fails_the_note_without_retrying_and_the_refund_stands(
        client, freshdesk_sim, freshdesk_sim_connection, ticket, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    _found, _page, headers = open_panel(client, freshdesk_sim, ticket)
    refund(client, headers, charge)
    freshdesk_sim.api_key = "rotated-at-freshdesk"

    note = note_deliver(DeskNote.objects.get().pk, now=later(0))

    freshdesk_sim_connection.refresh_from_db()
    assert (note.status, note.tries) == ("failed", 1) and "Freshdesk answered 401" in freshdesk_sim_connection.last_error
    assert ActionAttempt.objects.get().status == "succeeded" and len(merchant.v1.refunds.list({"charge": charge_id}).data) == 1


def test_an_unmapped_agent_sees_the_panel_read_only_and_cannot_act(client, freshdesk_sim, freshdesk_sim_connection, ticket,
                                                                    paid_customer):
    charge = Charge.objects.get(remote_id=paid_customer[1])
    freshdesk_sim.add_agent(name="Lee Outsider", email="lee@elsewhere.example", agent_id=77)

    found, page, headers = open_panel(client, freshdesk_sim, ticket, agent_id=77)
    refused = client.get(f"/panel/action/refund/{charge.pk}/", headers=headers)

    assert found["read_only"] is True and "Read-only" in page and "/panel/action/refund/" not in page
    assert refused.status_code == 403 and "read-only" in refused.content.decode()
    assert ActionAttempt.objects.count() == 0 and DeskNote.objects.count() == 0
