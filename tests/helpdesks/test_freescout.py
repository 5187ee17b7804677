"""FreeScout (CustomApp module): the same callback and deep links as Help Scout, its own signature header and
note endpoint (API & Webhooks module: X-FreeScout-API-Key, a user required)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.helpdesks.notes import deliver_due

from .desk_helpers import deep_links, hidden_fields, panel_token, post_callback

pytestmark = pytest.mark.django_db


def test_a_refund_from_freescout_leaves_one_note_written_as_the_configured_user(
        client, freescout_sim, freescout_connection, agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    agent.desk_identities = ["freescout:9"]
    agent.save()
    user = freescout_sim.add_user(fname="Sam", lname="Agent", user_id=9)
    conversation = freescout_sim.add_conversation(email="ayse.yilmaz@example.com", subject="Refund please")

    response = post_callback(client, freescout_connection, freescout_sim.callback_body(conversation, user),
                             header="X-FREESCOUT-SIGNATURE")
    link = next(url for action, item, url in deep_links(response.json()["html"]) if action == "refund")
    headers = {"X-Panel-Token": panel_token(client.get(link).content.decode()), "HX-Request": "true"}
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "full", "reason": "Never arrived"},
                          headers=headers).content.decode()
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    sent = deliver_due(now=timezone.now())

    assert [n.status for n in sent] == ["sent"]
    notes = freescout_sim.notes(conversation.id)
    assert len(notes) == 1 and notes[0].user == 3 and "Never arrived" in notes[0].body
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [12000]
    attempt = ActionAttempt.objects.get()
    assert (attempt.source, attempt.ticket_url) == ("desk:freescout", f"{freescout_sim.base_url}/conversation/{conversation.id}")


def test_a_wrong_api_key_fails_the_note_for_good(client, freescout_sim, freescout_connection):
    from chargeside.helpdesks.base import DeskError, DeskNoteText
    from chargeside.helpdesks.registry import adapter_for

    conversation = freescout_sim.add_conversation(email="jane@example.com")
    freescout_connection.set_credentials({"secret_key": "fs-secret", "api_key": "wrong"})

    with pytest.raises(DeskError) as refused:
        adapter_for(freescout_connection).post_note(ticket=str(conversation.id), note=DeskNoteText(title="x"))

    assert (refused.value.status, refused.value.retryable) == (401, False)
