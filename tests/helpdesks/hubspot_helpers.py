"""Helpers and fixtures for the HubSpot desk tests (a uniquely named module: test folders must not import conftest).

The signature here is computed independently of Chargeside's code (plain hmac/hashlib/base64 over exactly the
bytes sent), like HubSpot computes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "hubspot"
HS_SECRET = "hs-app-client-secret"
PORTAL = 62515
ACCESS_TOKEN = "hs-private-app-token"
SERVER = "http://testserver"


def fixture_query(name: str) -> str:
    return (FIXTURES / name).read_text()


# HubSpot signs the URI with these escapes decoded (its "Validating requests" docs).
DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(", "%29": ")",
           "%2A": "*", "%2C": ",", "%3B": ";"}


def hubspot_uri(url: str) -> str:
    for escaped, char in DECODED.items():
        url = url.replace(escaped, char)
    return url


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """`uri` as HubSpot signs it (see hubspot_uri)."""
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def now_ms() -> str:
    return str(int(time.time() * 1000))


def card_path(connection) -> str:
    return f"/desk/hubspot/{connection.webhook_token}/"


def fetch_card(client, connection, query: str, *, secret: str = HS_SECRET, timestamp: str | None = None,
               signed_url: str | None = None, signature: str | None = None, headers: dict | None = None):
    """GET the card as HubSpot does: the full URL (as Django sees it under the test client) signed with v3."""
    timestamp = timestamp or now_ms()
    url = f"{SERVER}{card_path(connection)}?{query}"
    sent = {"X-HubSpot-Signature-v3": signature if signature is not None else sign_v3(secret, "GET", hubspot_uri(signed_url or url), b"", timestamp),
            "X-HubSpot-Request-Timestamp": timestamp, **(headers or {})}
    return client.get(f"{card_path(connection)}?{query}", headers=sent)


def card_json(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:300]
    return json.loads(response.content)


def all_actions(card: dict) -> list[dict]:
    found = [action for result in card["results"] for action in result.get("actions", [])]
    return found + [a for a in (card.get("primaryAction"), *(card.get("secondaryActions") or [])) if a]


@pytest.fixture
def hubspot_sim():
    from chargeside.sandbox.hubspot import HubSpotSimulator

    sim = HubSpotSimulator(client_secret=HS_SECRET, portal_id=PORTAL, access_token=ACCESS_TOKEN)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def hubspot_connection(workspace, hubspot_sim):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="hubspot", name="HubSpot", settings={
        "portal_id": str(PORTAL), "api_base_url": hubspot_sim.base_url, "web_url": hubspot_sim.base_url,
    })
    connection.set_credentials({"client_secret": HS_SECRET, "access_token": ACCESS_TOKEN})
    connection.save()
    hubspot_sim.card_url = f"{SERVER}{card_path(connection)}"
    return connection


@pytest.fixture
def erasable_audit(transactional_db):
    """The audit trail's append-only triggers would refuse the flush that ends a live-server test (as in
    test_helpscout_browser.py)."""
    yield
    from importlib import import_module

    from django.db import connection

    triggers = import_module("chargeside.actions.migrations.0002_audit_append_only_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in triggers.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute("DELETE FROM actions_auditevent")
            for statement in triggers.SQLITE_UP:
                cursor.execute(statement)
        else:
            cursor.execute("ALTER TABLE actions_auditevent DISABLE TRIGGER actions_auditevent_append_only")
            cursor.execute("DELETE FROM actions_auditevent")
            cursor.execute("ALTER TABLE actions_auditevent ENABLE TRIGGER actions_auditevent_append_only")


def sync(connection) -> None:
    from chargeside.billing.upsert import upsert_many
    from chargeside.gateways.registry import adapter_for as gateway

    adapter = gateway(connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)
            upsert_many(connection, page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


@pytest.fixture
def scene(hubspot_sim, hubspot_connection, agent):
    user = hubspot_sim.add_user(email=agent.user.email, first="Sam", last="Agent")
    contact = hubspot_sim.add_contact(email="ayse.yilmaz@example.com", firstname="Ayşe", lastname="Yılmaz")
    return user, contact


@pytest.fixture
def open_invoice(paid_customer, stripe_connection):
    merchant, charge_id = paid_customer
    customer = merchant.v1.charges.retrieve(charge_id).customer
    merchant.v1.invoice_items.create({"customer": customer, "amount": 5000, "currency": "try", "description": "Extra seat"})
    invoice = merchant.v1.invoices.create({"customer": customer, "collection_method": "send_invoice", "days_until_due": 30,
                                           "pending_invoice_items_behavior": "include"}).id
    merchant.v1.invoices.finalize_invoice(invoice)  # the panel offers sending for open invoices
    sync(stripe_connection)
    return invoice


def open_card(client, sim, record, user) -> dict:
    """As HubSpot: the signed data fetch for this record and user, sent to Chargeside through the test client."""
    url, headers = sim.card_request(record, user)
    return card_json(client.get(url.removeprefix(SERVER), headers=headers))


def action_of(card: dict, name: str, item_id: int) -> dict:
    """The card's button for this action on this row (the URI names both)."""
    return next(a for r in card["results"] for a in r["actions"]
                if (parse_qs(urlsplit(a["uri"]).query).get("do"), parse_qs(urlsplit(a["uri"]).query).get("item")) == ([name], [str(item_id)]))
