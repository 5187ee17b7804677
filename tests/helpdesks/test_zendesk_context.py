"""What Chargeside learns from Zendesk: the requester from the Tickets API answer (captured shapes in
fixtures/zendesk/), the agent from the JWT's `sub` (or, without one, the SDK's email), the language from
currentUser.locale; and the panel page it answers with: the generic panel, hostile names inert."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chargeside.helpdesks.base import DeskPayloadError
from chargeside.helpdesks.signing import session_verify
from chargeside.helpdesks.zendesk.context import parse_form, requester

from . import zendesk_helpers
from .desk_helpers import jane_dtos, panel_token
from .zendesk_helpers import (
    FIXTURES,
    boot_token,
    claims,
    frame_post,
    jwt_rs256,
    signed_load,
)

zendesk_sim, zendesk_connection = zendesk_helpers.zendesk_sim, zendesk_helpers.zendesk_connection  # fixtures

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_the_requester_is_the_side_loaded_user_the_ticket_names():
    assert requester(fixture("ticket_with_users.json")) == ("Ayse.Yilmaz@Example.com", "Ayşe Yılmaz", "20978392")
    assert requester(fixture("ticket_requester_without_email.json")) == ("", "Phone Caller", "555")
    assert requester({"ticket": {"id": 1, "requester_id": 9}}) == ("", "", "9")
    with pytest.raises(DeskPayloadError):
        requester({"tickets": []})


def test_the_form_is_read_strictly():
    assert parse_form(b"boot=a%3Ab&ticket=12") == {"boot": "a:b", "ticket": "12"}
    for bad in (b"ticket=1&ticket=2", "ticket=\u00e9".encode(), b"x" * 40_000):
        with pytest.raises(DeskPayloadError):
            parse_form(bad)


def open_panel(client, sim, connection, ticket, *, user_id=42, locale="en-US", agent_email=""):
    boot = boot_token(signed_load(client, connection, jwt_rs256(sim.key, claims(sub=str(user_id) if user_id else None))).content.decode())
    return frame_post(client, connection, boot, ticket.id, locale=locale, agent_email=agent_email)


@pytest.fixture
def hostile_ticket(zendesk_sim, workspace, stripe_connection):
    from chargeside.billing.upsert import upsert_many

    upsert_many(stripe_connection, jane_dtos(name='<img src=x onerror=alert(1)> "Jane" & <b>Doe</b>'))
    jane = zendesk_sim.add_user(name="<script>alert('zd')</script> Jane", email="jane@example.com")
    return zendesk_sim.add_ticket(requester=jane, subject="<script>alert(2)</script>", message="Hi")


def test_the_panel_is_the_generic_page_for_the_tickets_requester_with_a_desk_bound_session(
        client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    agent.desk_identities = ["zendesk:42"]
    agent.save()
    response = open_panel(client, zendesk_sim, zendesk_connection, hostile_ticket, locale="tr")
    assert response.status_code == 200
    html = response.content.decode()
    # same information, order and money formatting as the generic panel, in the agent's Zendesk language
    assert "Order #1001" in html and "1.234,56" in html and 'lang="tr"' in html
    assert html.index("Order #1001") < html.index("INV-0007")
    # hostile names are text, never markup
    assert "<script>" not in html and "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    session = session_verify(panel_token(html))
    assert session.desk == (zendesk_connection.pk, str(hostile_ticket.id), "zendesk")
    assert session.member_id == agent.pk and session.emails == ("jane@example.com",)
    assert session.ticket_url == f"{zendesk_sim.base_url}/agent/tickets/{hostile_ticket.id}"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and f"frame-ancestors 'self' {zendesk_sim.base_url}" in csp


def test_the_frame_cannot_choose_the_requester(client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    """The frame names the ticket; who the requester is comes from Zendesk's API (an extra `email` is ignored)."""
    from urllib.parse import urlencode

    from .zendesk_helpers import FORM, ZAF_QUERY, callback_path

    boot = boot_token(signed_load(client, zendesk_connection, jwt_rs256(zendesk_sim.key, claims())).content.decode())
    body = urlencode({"boot": boot, "ticket": hostile_ticket.id, "email": "someone.else@example.com"})
    html = client.post(callback_path(zendesk_connection) + ZAF_QUERY, body, content_type=FORM).content.decode()
    assert session_verify(panel_token(html)).emails == ("jane@example.com",)


def test_an_unmapped_agent_gets_the_read_only_panel(client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    html = open_panel(client, zendesk_sim, zendesk_connection, hostile_ticket, user_id=999).content.decode()
    assert "Read-only" in html and "Order #1001" in html
    assert 'hx-get="/panel/action/refund/' not in html
    assert session_verify(panel_token(html)).member_id is None


def test_without_sub_the_agent_is_the_sdks_email(client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    html = open_panel(client, zendesk_sim, zendesk_connection, hostile_ticket, user_id=None,
                      agent_email=agent.user.email).content.decode()
    assert session_verify(panel_token(html)).member_id == agent.pk


def test_zendesk_failing_the_lookup_shows_a_message_not_a_500(client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    from chargeside.sandbox.zendesk.simulator import Ticket

    missing = Ticket(id=1, subject="", requester_id=0)
    response = open_panel(client, zendesk_sim, zendesk_connection, missing)
    assert response.status_code == 502 and "Reload the app" in response.content.decode()
    assert open_panel(client, zendesk_sim, zendesk_connection, type(missing)(id="x", subject="", requester_id=0)).status_code == 400


def normalised(html: str) -> str:
    html = re.sub(r'"X-Panel-Token": "[^"]+"', '"X-Panel-Token": "TOKEN"', html)
    html = re.sub(r"http://127\.0\.0\.1:\d+", "http://SIMULATOR", html)
    html = re.sub(r'(id="|#)([a-z]+(?:-[a-z]+)*-)\d+"', r'\1\2N"', html)  # row ids differ between databases
    return re.sub(r"(/action/[a-z_]+/)\d+/", r"\1N/", html)


def test_render_snapshot_with_hostile_names(client, zendesk_sim, zendesk_connection, agent, hostile_ticket):
    agent.desk_identities = ["zendesk:42"]
    agent.save()
    html = open_panel(client, zendesk_sim, zendesk_connection, hostile_ticket, locale="en-US").content.decode()
    assert "TRY\u00a01,234.56" in html and "<script>" not in html
    snapshot = SNAPSHOTS / "zendesk_panel_en.html"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.write_text(normalised(html))
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert normalised(html) == snapshot.read_text()
