"""Front's panel and actions: the plugin's panel is the generic panel bound to the conversation (snapshot,
hostile names inert, unmapped teammates read-only), and a refund from inside Front moves money once at the
fake Stripe and leaves exactly one comment on the simulated conversation, however often Front fails first.
Nothing of Chargeside's own is mocked: the official Stripe SDK talks to the fake, httpx to the simulator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import note_deliver

from . import front_desk_helpers
from .desk_helpers import hidden_fields, jane_dtos, panel_token
from .front_desk_helpers import AUTH_SECRET, open_plugin, sdk_context

front_sim, front = front_desk_helpers.front_sim, front_desk_helpers.front  # the shared fixtures
pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


def teammate(member) -> dict:
    return {"id": "tea_42", "email": member.user.email, "username": "sam", "name": "Sam Agent"}


def normalised(html: str) -> str:
    html = re.sub(r'"X-Panel-Token": "[^"]+"', '"X-Panel-Token": "TOKEN"', html)
    html = re.sub(r'(id="|#)([a-z]+(?:-[a-z]+)*-)\d+"', r'\1\2N"', html)  # row ids differ between databases
    return re.sub(r"(/action/[a-z_]+/)\d+/", r"\1N/", html)


def test_render_snapshot(client, front, jane, agent):
    response = open_plugin(client, front, sdk_context("cnv_55c8c149", email="jane@example.com", name="Jane Doe", teammate=teammate(agent)))

    html = response.content.decode()
    assert response.status_code == 200
    assert "frame-ancestors 'self' https://*.frontapp.com https://*.frontapplication.com" in response["Content-Security-Policy"]
    assert "From Front, ticket cnv_55c8c149" in html and "Jane Doe" in html and "TRY\u00a01,234.56" in html
    assert html.index("Payments") < html.index("Subscriptions") < html.index("Invoices") < html.index("Refunds")
    snapshot = SNAPSHOTS / "front_panel_en.html"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.write_text(normalised(html))
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert normalised(html) == snapshot.read_text()


def test_hostile_names_and_descriptions_stay_text(client, workspace, front, agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name='<img src=x onerror="alert(1)">')
    dtos = jane_dtos(name="<script>alert('x')</script>")
    dtos[1] = dataclasses.replace(dtos[1], description='"><a href="javascript:alert(1)">win</a>')
    upsert_many(connection, dtos)
    hostile = sdk_context("cnv_1", email="jane@example.com", name='<svg onload="alert(2)">', teammate=teammate(agent))
    hostile["conversation"]["id"] = "cnv_1<b>x</b>"

    html = open_plugin(client, front, hostile).content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html and '<a href="javascript' not in html
    assert "<svg" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "cnv_1&lt;b&gt;x&lt;/b&gt;" in html


def test_an_unmapped_teammate_gets_a_read_only_panel_that_cannot_act(client, front, jane):
    stranger = {"id": "tea_9", "email": "stranger@elsewhere.test", "name": "Stranger"}
    html = open_plugin(client, front, sdk_context("cnv_1", email="jane@example.com", teammate=stranger)).content.decode()

    assert "Read-only" in html and "/panel/action/" not in html and "Jane Doe" in html
    charge = Charge.objects.get(remote_id="ch_jane_1")
    refused = client.get(f"/panel/action/refund/{charge.pk}/", headers={"X-Panel-Token": panel_token(html), "HX-Request": "true"})
    assert refused.status_code == 403 and "read-only" in refused.content.decode()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_refund_from_front_moves_money_once_and_leaves_one_comment_after_failures(
        client, front_sim, front, agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    conversation = front_sim.add_conversation(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", subject="Charged twice?")
    context = front_sim.context(conversation, teammate(agent))  # exactly what the simulator hands the plugin SDK
    page = open_plugin(client, front, context).content.decode()
    headers = {"X-Panel-Token": panel_token(page), "HX-Request": "true"}
    assert f'hx-get="/panel/action/refund/{charge.pk}/"' in page

    # when the agent refunds 45.50 TRY, and Front answers 500 then 429 before it works
    front_sim.fail_next_comments(500, 429)
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "partial", "amount": "45.50", "reason": "Charged twice"},
                          headers=headers).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers).content.decode()
        client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)  # a double submit
    assert "Refund made: TRY\u00a045.50." in done and len(callbacks) == 1
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", conversation.id)

    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1, 5)]

    # then one comment on the conversation, one refund at the gateway
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("pending", 2), ("sent", 3)]
    assert "Front answered 500" in tries[0].last_error or "Front answered 429" in tries[1].last_error
    comments = front_sim.comments(conversation.id)
    assert len(comments) == 1 and front_sim.comment_posts == 3 and tries[2].remote_id == comments[0]["id"]
    body = comments[0]["body"]
    assert "Refund made: TRY\u00a045.50" in body and "Reason: Charged twice" in body and agent.display_name in body
    assert "/audit/?action=refund&customer=" in body and "<" not in body  # a plain-text comment, no markup
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.calls) == ("succeeded", "desk:front", 1)
    assert attempt.ticket_url == f"{front_sim.base_url}/open/{conversation.id}"
    assert note_deliver(note.pk, now=later(60)).tries == 3 and len(front_sim.comments(conversation.id)) == 1


def test_a_comment_front_refuses_is_not_retried(client, front_sim, front, agent, paid_customer):
    _merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    conversation = front_sim.add_conversation(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz")
    page = open_plugin(client, front, front_sim.context(conversation, teammate(agent))).content.decode()
    headers = {"X-Panel-Token": panel_token(page), "HX-Request": "true"}
    confirm = client.post(f"/panel/action/refund/{charge.pk}/preview/", {"mode": "full", "reason": "x"}, headers=headers).content.decode()
    client.post(f"/panel/action/refund/{charge.pk}/run/", hidden_fields(confirm), headers=headers)
    front.set_credentials({"auth_secret": AUTH_SECRET, "api_token": "revoked"})
    front.save()

    note = note_deliver(DeskNote.objects.get().pk, now=later(0))

    assert (note.status, note.tries) == ("failed", 1) and "Front answered 401" in note.last_error
    assert front_sim.comments(conversation.id) == []
