"""The desk endpoint (/desk/<key>/<token>/): who gets in, what a refusal looks like, and the Help Scout panel it
renders (snapshot, escaping, read-only agents, language, deep links)."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection

from .conftest import HS_SECRET
from .desk_helpers import (
    callback_path,
    deep_links,
    fixture_bytes,
    jane_dtos,
    normalised,
    post_callback,
)

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"
BODY = fixture_bytes("helpscout_callback.json")  # Jane Doe, agent Help Scout user 42


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


@pytest.fixture
def mapped_agent(agent):
    agent.desk_identities = ["helpscout:42"]
    agent.save()
    return agent


def html_of(response) -> str:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["html"]


def test_a_signed_callback_gets_the_panel_as_help_scout_html(client, helpscout_connection, jane, mapped_agent):
    response = post_callback(client, helpscout_connection, BODY)

    html = html_of(response)
    assert response.status_code == 200
    assert "Jane Doe" in html and "TRY\u00a01,234.56" in html and "Order #1001" in html
    assert html.index("Payments") < html.index("Subscriptions") < html.index("Invoices") < html.index("Refunds")
    assert "<script" not in html and "class=" not in html  # Help Scout strips scripts and style sheets: inline only
    actions = {action for action, _item, _url in deep_links(html)}
    assert {"refund", "subscription_cancel", ""} <= actions  # "" is "Open in Chargeside"


def test_render_snapshot(client, helpscout_connection, jane, mapped_agent):
    html = normalised(html_of(post_callback(client, helpscout_connection, BODY)))

    snapshot = SNAPSHOTS / "helpscout_panel_en.html"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(html)
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert html == snapshot.read_text()


def test_hostile_names_and_descriptions_stay_text(client, workspace, helpscout_connection, mapped_agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name='<img src=x onerror="alert(1)">')
    dtos = jane_dtos(name="<script>alert('x')</script>")
    dtos[1] = dataclasses.replace(dtos[1], description='"><a href="javascript:alert(1)">win</a>')
    upsert_many(connection, dtos)
    body = BODY.replace(b'"fname":"Jane"', b'"fname":"<b onmouseover=alert(1)>Jane"')

    html = html_of(post_callback(client, helpscout_connection, body))

    assert "<script" not in html and "<img" not in html and "<b " not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;a href=&#34;javascript:alert(1)&#34;&gt;win&lt;/a&gt;" in html


def test_an_unmapped_agent_sees_the_panel_read_only_with_what_to_do(client, helpscout_connection, jane, agent):
    html = html_of(post_callback(client, helpscout_connection, BODY))

    assert "Read-only: your helpdesk account is not linked to a Chargeside member" in html
    assert "(helpscout:42)" in html  # the identity to add in the console
    assert [action for action, _item, _url in deep_links(html)] == [""]  # only "Open in Chargeside"


def test_the_agent_language_comes_from_the_member(client, helpscout_connection, jane, mapped_agent):
    mapped_agent.language = "tr"
    mapped_agent.save()

    html = html_of(post_callback(client, helpscout_connection, BODY))

    assert "Ödemeler" in html and "₺1.234,56" in html


def test_a_customer_we_do_not_know(client, helpscout_connection, mapped_agent):
    html = html_of(post_callback(client, helpscout_connection, BODY))
    assert "No billing found for jane@example.com" in html


# --- refusals -----------------------------------------------------------------------------------------

def test_a_wrong_signature_is_401_and_logged(client, helpscout_connection, jane, caplog):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = post_callback(client, helpscout_connection, BODY, secret="not-the-secret")

    assert response.status_code == 401 and "Jane" not in response.content.decode()
    assert "signature does not match" in caplog.text


def test_an_unknown_installation_is_403_and_logged(client, helpscout_connection, caplog):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = client.post("/desk/helpscout/not-a-token/", data=BODY, content_type="application/json",
                               headers={"X-HelpScout-Signature": "MVDOFLQEWM9hMth/Ji2mlSlvlig="})
    assert response.status_code == 403 and "unknown or disabled installation" in caplog.text


def test_a_token_under_another_desk_key_or_an_unknown_desk_is_403(client, helpscout_connection):
    for path in (f"/desk/freescout/{helpscout_connection.webhook_token}/", f"/desk/nodesk/{helpscout_connection.webhook_token}/"):
        response = client.post(path, data=BODY, content_type="application/json", headers={"X-HelpScout-Signature": "x"})
        assert response.status_code == 403


def test_a_disabled_connection_is_403(client, helpscout_connection):
    helpscout_connection.status = Connection.Status.DISABLED
    helpscout_connection.save()
    assert post_callback(client, helpscout_connection, BODY).status_code == 403


def test_a_gateway_connection_token_does_not_open_a_desk(client, jane):
    response = client.post(f"/desk/helpscout/{jane.webhook_token}/", data=BODY, content_type="application/json",
                           headers={"X-HelpScout-Signature": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [b"", b"null", b"[1,2]", b"\xff", b'{"customer":"x"}', b"{" * 5000])
def test_signed_junk_is_400_never_500(client, helpscout_connection, body):
    assert post_callback(client, helpscout_connection, body, secret=HS_SECRET).status_code == 400


def test_only_post_is_served(client, helpscout_connection):
    assert client.get(callback_path(helpscout_connection)).status_code == 405
