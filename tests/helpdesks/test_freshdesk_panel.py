"""The Freshdesk panel: the app's request gets a short-lived panel URL, and that URL opens the generic panel
bound to the ticket (snapshot, hostile names inert, language, read-only for unmapped agents)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection

from .desk_helpers import jane_dtos
from .freshdesk_helpers import *  # its fixtures
from .freshdesk_helpers import answer, fd_fixture, local_path, post_panel_request

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"
BODY = fd_fixture("panel_request.json")  # Jane Doe; agent sam@freshdesk.example, Freshdesk user 42


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


@pytest.fixture
def mapped_agent(agent):
    agent.desk_identities = ["sam@freshdesk.example"]  # the agent's Freshdesk email differs from its login
    agent.save()
    return agent


def open_panel(client, connection, body: bytes = BODY) -> tuple[dict, str]:
    found = answer(post_panel_request(client, connection, body))
    page = client.get(local_path(found["panel_url"]))
    assert page.status_code == 200
    return found, page.content.decode()


def stable(html: str) -> str:
    """The page with what changes per run or per database (the session token, row ids) made stable."""
    html = re.sub(r'"X-Panel-Token": "[^"]+"', '"X-Panel-Token": "TOKEN"', html)
    html = re.sub(r'((?:id|hx-target)="#?[a-z_-]+-)\d+"', r'\1N"', html)
    return re.sub(r'(/panel/action/[a-z_]+/)\d+/', r'\1N/', html)


def test_the_app_gets_a_short_lived_panel_url_for_its_frame(client, settings, freshdesk_connection, jane, mapped_agent):
    found = answer(post_panel_request(client, freshdesk_connection, BODY))

    assert found["expires_in"] == 900 and found["found"] is True and found["read_only"] is False
    assert found["panel_url"].startswith(f"{settings.CHARGESIDE_PUBLIC_URL}/desk/freshdesk/{freshdesk_connection.webhook_token}/open/?")
    assert "ticket=1234" in found["panel_url"] and f"desk={freshdesk_connection.pk}" in found["panel_url"]


def test_render_snapshot(client, freshdesk_connection, jane, mapped_agent):
    _found, page = open_panel(client, freshdesk_connection)
    html = stable(page)

    assert "From Freshdesk, ticket 1234: what you do here is noted on the ticket." in html
    snapshot = SNAPSHOTS / "freshdesk_panel_en.html"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.write_text(html)
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert html == snapshot.read_text()


def test_the_panel_page_may_be_framed_only_by_the_workspace_desk_origins(client, workspace, freshdesk_connection, jane):
    workspace.panel_frame_origins = "https://acme.freshdesk.com https://*.freshworksapi.example"
    workspace.save()
    found = answer(post_panel_request(client, freshdesk_connection, BODY))

    response = client.get(local_path(found["panel_url"]))

    assert "frame-ancestors 'self' https://acme.freshdesk.com https://*.freshworksapi.example" in response["Content-Security-Policy"]


def test_hostile_names_stay_text(client, workspace, freshdesk_connection, mapped_agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name='<img src=x onerror="alert(1)">')
    upsert_many(connection, jane_dtos(name="<script>alert('x')</script>"))
    hostile = BODY.replace(b'"name":"Jane Doe"', b'"name":"<svg onload=alert(2)>"')

    _found, page = open_panel(client, freshdesk_connection, hostile)

    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_an_unmapped_agent_gets_a_read_only_panel_that_says_so(client, freshdesk_connection, jane):
    found, page = open_panel(client, freshdesk_connection)

    assert found["read_only"] is True
    assert "hx-get=\"/panel/action/" not in page
    assert "read-only" in page.lower()


def test_the_agent_language_from_freshdesk_is_used(client, freshdesk_connection, jane, mapped_agent):
    found, page = open_panel(client, freshdesk_connection, BODY.replace(b'"language":"en"}}', b'"language":"tr"}}'))

    assert found["language"] == "tr" and '<html lang="tr">' in page
    assert "TRY\u00a01.234,56" in page or "₺1.234,56" in page
