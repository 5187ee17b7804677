"""The card HubSpot renders: the legacy data-fetch JSON (results with properties and actions) from the same view
model as every desk — snapshot, order, money, language, escaping in the simulated record page, read-only agents,
which actions are IFRAME forms and which are confirmation hooks."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection

from . import hubspot_helpers
from .desk_helpers import jane_dtos
from .hubspot_helpers import (
    all_actions,
    card_json,
    fetch_card,
    fixture_query,
)

pytestmark = pytest.mark.django_db
hubspot_sim, hubspot_connection = hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection  # fixtures
SNAPSHOTS = Path(__file__).parent / "snapshots"
QUERY = fixture_query("contact_card_query.txt")  # Jane Doe, opened by acme-agent@example.com


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


def stable(card: dict) -> str:
    """The card with what changes per run (links' expiry and signature, row ids) made stable."""
    text = json.dumps(card, ensure_ascii=False, indent=1, sort_keys=True)

    def link(match):
        url = urlsplit(match.group(1))
        query = parse_qs(url.query)
        kind = "HOOK" if url.path.endswith("/action/") else "DEEPLINK"
        return f'"{kind}[{(query.get("do") or ["panel"])[0]}]"'

    text = re.sub(r'"(https?://[^"]*/desk/hubspot/[^"]*)"', link, text)
    return re.sub(r'"objectId": \d+', '"objectId": N', text)


def test_the_card_in_hubspots_legacy_shape(client, hubspot_connection, jane, agent):
    card = card_json(fetch_card(client, hubspot_connection, QUERY))

    results = card["results"]
    assert 1 < len(results) <= 5
    assert all(set(r) >= {"objectId", "title", "link", "properties", "actions"} for r in results)
    assert all(set(p) >= {"label", "dataType", "value"} for r in results for p in r["properties"])
    summary = results[0]
    assert summary["title"] == "Jane Doe"
    assert {"label": "Email", "dataType": "EMAIL", "value": "jane@example.com"} in summary["properties"]
    assert any(p["label"] == "TRY" and "Net TRY\u00a01,264.56" in p["value"] for p in summary["properties"])
    titles = [r["title"] for r in results[1:]]
    assert titles[0] == "TRY\u00a01,234.56 · Order #1001"  # the generic panel's order: payments first
    assert titles.index("Pro") > 1 and titles[-1].startswith("INV-0007")
    assert card["primaryAction"]["type"] == "IFRAME" and card["primaryAction"]["label"] == "Open in Chargeside"


def test_render_snapshot(client, hubspot_connection, jane, agent):
    text = stable(card_json(fetch_card(client, hubspot_connection, QUERY)))

    snapshot = SNAPSHOTS / "hubspot_card_en.json"
    if not snapshot.exists():  # a new snapshot is written once, read by a person, then committed
        snapshot.write_text(text)
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert text == snapshot.read_text()


def test_actions_with_inputs_are_forms_in_hubspots_modal(client, hubspot_connection, jane, agent):
    actions = all_actions(card_json(fetch_card(client, hubspot_connection, QUERY)))

    by_action = {parse_qs(urlsplit(a["uri"]).query).get("do", ["panel"])[0]: a for a in actions}
    assert by_action["refund"]["type"] == "IFRAME" and "/open/?" in by_action["refund"]["uri"]
    assert (by_action["refund"]["width"], by_action["refund"]["height"]) == (890, 748)
    assert {by_action[name]["type"] for name in ("subscription_cancel", "coupon_apply", "card_update_link")} == {"IFRAME"}


def test_only_actions_that_need_nothing_but_a_yes_are_confirmation_hooks():
    from chargeside.actions.inputs import INPUTS
    from chargeside.helpdesks.hubspot.card import hook_action

    assert [name for name in INPUTS if hook_action(name)] == ["invoice_send"]


def test_an_unmapped_agent_gets_the_card_read_only_with_what_to_do(client, hubspot_connection, jane):
    card = card_json(fetch_card(client, hubspot_connection, QUERY))

    notice = card["results"][0]["properties"][0]
    assert (notice["dataType"], notice["optionType"]) == ("STATUS", "WARNING")
    assert "Read-only: your helpdesk account is not linked" in notice["value"] and "(acme-agent@example.com)" in notice["value"]
    assert {a["label"] for a in all_actions(card)} == {"Open in Chargeside", "Show 1 more"}  # both open the whole panel


def test_the_agent_language_comes_from_the_member(client, hubspot_connection, jane, agent):
    agent.language = "tr"
    agent.save()

    card = card_json(fetch_card(client, hubspot_connection, QUERY))

    assert card["results"][1]["title"] == "₺1.234,56 · Order #1001"
    assert card["primaryAction"]["label"] == "Chargeside'da aç"


def test_a_customer_we_do_not_know(client, hubspot_connection, agent):
    card = card_json(fetch_card(client, hubspot_connection, QUERY))
    assert card["results"][0]["title"] == "No billing found for jane@example.com, jane.doe@work.example"
    assert len(card["results"]) == 1


def test_hostile_names_stay_text_in_the_card_and_on_the_record_page(client, workspace, hubspot_sim, hubspot_connection, agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name='<img src=x onerror="alert(1)">')
    dtos = jane_dtos(name="<script>alert('x')</script>")
    dtos[1] = dataclasses.replace(dtos[1], description='"><a href="javascript:alert(1)">win</a>')
    upsert_many(connection, dtos)

    card = card_json(fetch_card(client, hubspot_connection, QUERY))
    assert card["results"][0]["title"] == "<script>alert('x')</script>"  # JSON text; HubSpot renders it as text

    from chargeside.sandbox.hubspot.page import record_page

    record = hubspot_sim.add_contact(email="jane@example.com", firstname="<b onmouseover=alert(1)>Jane", lastname="Doe")
    html = record_page(hubspot_sim, record, None, status=200, card=card)
    assert "<script>alert" not in html and "<img" not in html and "<b " not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
