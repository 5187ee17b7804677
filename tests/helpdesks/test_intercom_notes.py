"""The note client against the simulator's REST API: what it sends (POST /conversations/{id}/reply, a note by
the configured admin, Intercom-Version 2.11) and which failures are worth a retry (5xx, 429, network) and which
are not (401, 404, a bad id, a connection without a token or admin)."""

from __future__ import annotations

import pytest

from chargeside.helpdesks.base import DeskError, DeskNoteText
from chargeside.helpdesks.intercom.adapter import IntercomAdapter
from chargeside.helpdesks.intercom.client import IntercomNotes

from . import test_intercom_support as ic
from .test_intercom_support import ADMIN_ID, IC_TOKEN

intercom_sim = ic.intercom_sim  # the shared fixture


@pytest.fixture
def conversation(intercom_sim):
    return intercom_sim.add_conversation(email="jane@example.com", name="Jane Doe", title="Refund?")


def adapter(sim, **credentials) -> IntercomAdapter:
    return IntercomAdapter(settings={"api_base_url": sim.base_url, "note_admin_id": ADMIN_ID},
                           credentials={"client_secret": "x", "access_token": IC_TOKEN, **credentials})


def test_a_note_is_a_private_reply_by_the_admin_and_returns_its_part_id(intercom_sim, conversation):
    note = DeskNoteText(title="Chargeside: Refund made: TRY 45.50", lines=(("Reason", "<b>twice</b>"),),
                        link_label="Audit trail", link_url="https://billing.example.com/audit/?action=refund")

    part_id = adapter(intercom_sim).post_note(ticket=conversation.id, note=note)

    [posted] = intercom_sim.notes(conversation.id)
    assert part_id == posted.id and posted.author == {"type": "admin", "id": ADMIN_ID, "name": "Sam Agent"}
    assert posted.body.startswith("<p><b>Chargeside: Refund made: TRY 45.50</b><br>Reason: &lt;b&gt;twice&lt;/b&gt;")
    assert intercom_sim.state.note_versions == ["2.11"]


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False)])
def test_faults_say_whether_to_retry(intercom_sim, conversation, status, retryable):
    intercom_sim.fail_next_notes(status)
    with pytest.raises(DeskError) as raised:
        adapter(intercom_sim).post_note(ticket=conversation.id, note=DeskNoteText(title="t"))
    assert (raised.value.status, raised.value.retryable) == (status, retryable)
    assert intercom_sim.notes(conversation.id) == []


def test_refusals_are_not_retried(intercom_sim, conversation):
    cases = [
        (adapter(intercom_sim, access_token="wrong"), conversation.id, 401),
        (adapter(intercom_sim), "999999", 404),
        (adapter(intercom_sim), "not-an-id", None),
        (adapter(intercom_sim, access_token=""), conversation.id, None),
    ]
    for desk, ticket, status in cases:
        with pytest.raises(DeskError) as raised:
            desk.post_note(ticket=ticket, note=DeskNoteText(title="t"))
        assert raised.value.retryable is False and raised.value.status == status


def test_an_unreachable_api_is_worth_a_retry():
    with pytest.raises(DeskError) as raised:
        IntercomNotes(base_url="http://127.0.0.1:9", token="t", admin_id="1").create_note("1", "<p>x</p>")
    assert raised.value.retryable is True
