"""The Crisp widget page: the generic panel's content (same information, order and money formatting) in a
page sized for Crisp's sidebar, with a session bound to the Crisp conversation; hostile names stay text; an
operator who is not a member gets it read-only with what to do."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection
from chargeside.helpdesks.signing import session_verify

from .desk_helpers import jane_dtos, panel_token

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"
WEBSITE = "a63d1c82-809d-4ff0-be7b-9c82b24cfcf3"
SESSION = "session_4396ad07-53d9-47a7-81ba-3b6278bf5fae"
TOKEN = "c99e0df2-db6f-4b0c-9505-83fcbb2da627"


@pytest.fixture
def crisp_connection(workspace):
    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="crisp", name="Crisp",
                            settings={"website_id": WEBSITE})
    connection.set_credentials({"widget_token": TOKEN})
    connection.save()
    return connection


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


def open_widget(client, connection, *, operator: str, nickname: str = "Jane Doe", locale: str = "en"):
    return client.get(f"/desk/crisp/{connection.webhook_token}/", {
        "email": "jane@example.com", "nickname": nickname, "operator": operator, "operator_id": "",
        "session_id": SESSION, "website_id": WEBSITE, "token": TOKEN, "locale": locale,
    })


def stable(html: str) -> str:
    """The page with what changes per run (the session token, row ids: PostgreSQL sequences outlive tests)."""
    html = re.sub(r'"X-Panel-Token": "[^"]+"', '"X-Panel-Token": "TOKEN"', html)
    return re.sub(r'((?:/panel/action/\w+/|slot-\w+-|id="\w+-|#\w+-)(?:\w+-)?)\d+', r"\1N", html)


def test_the_widget_is_the_generic_panel_bound_to_the_conversation(client, crisp_connection, jane, agent):
    response = open_widget(client, crisp_connection, operator=agent.user.email)
    html = response.content.decode()

    assert response.status_code == 200 and 'class="cs-panel cs-crisp"' in html and "crisp.css" in html
    assert "Jane Doe" in html and "TRY\u00a01,234.56" in html and "Order #1001" in html
    assert html.index("Payments") < html.index("Subscriptions") < html.index("Invoices") < html.index("Refunds")
    session = session_verify(panel_token(html))
    assert session.desk == (crisp_connection.pk, SESSION, "crisp") and session.member_id == agent.pk
    assert session.ticket_url == f"https://app.crisp.chat/website/{WEBSITE}/inbox/{SESSION}/"
    assert "Read-only" not in html


def test_render_snapshot(client, crisp_connection, jane, agent):
    html = stable(open_widget(client, crisp_connection, operator=agent.user.email).content.decode())

    snapshot = SNAPSHOTS / "crisp_widget_en.html"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.write_text(html)
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert html == snapshot.read_text()


def test_hostile_names_and_descriptions_stay_text(client, workspace, crisp_connection, agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name='<img src=x onerror="alert(1)">')
    dtos = jane_dtos(name="<script>alert('x')</script>")
    dtos[1] = dataclasses.replace(dtos[1], description='"><a href="javascript:alert(1)">win</a>')
    upsert_many(connection, dtos)

    html = open_widget(client, crisp_connection, operator=agent.user.email, nickname="<b onmouseover=alert(1)>J").content.decode()

    assert "<img" not in html and "<b " not in html and 'href="javascript' not in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_an_unmapped_operator_sees_it_read_only_with_what_to_do(client, crisp_connection, jane, agent):
    html = open_widget(client, crisp_connection, operator="stranger@elsewhere.example").content.decode()

    assert "Read-only: your helpdesk account is not linked to a Chargeside member" in html
    assert "/panel/action/refund/" not in html and session_verify(panel_token(html)).member_id is None


def test_the_operator_locale_picks_the_language(client, crisp_connection, jane, agent):
    html = open_widget(client, crisp_connection, operator=agent.user.email, locale="tr").content.decode()

    assert '<html lang="tr">' in html and "Ödemeler" in html
