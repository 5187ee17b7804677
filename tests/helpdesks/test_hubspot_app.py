"""The HubSpot card definition (apps/hubspot/manifest.json, the body of HubSpot's create-card call) and
`chargeside apps build hubspot --connection <id>` filling in the connection's data-fetch URL."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import resolve

from chargeside.sandbox.hubspot.simulator import DEFAULT_PROPERTIES

from . import hubspot_helpers

APP = Path(__file__).resolve().parents[2] / "apps" / "hubspot"
pytestmark = pytest.mark.django_db
hubspot_sim, hubspot_connection = hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection  # fixtures


def test_the_card_definition_asks_for_what_the_adapter_reads():
    card = json.loads((APP / "manifest.json").read_text())
    assert set(card) == {"title", "fetch", "display", "actions"} and card["title"] == "Chargeside"
    sent = {t["name"]: tuple(t["propertiesToSend"]) for t in card["fetch"]["objectTypes"]}
    assert sent == {"contacts": DEFAULT_PROPERTIES["contact"], "tickets": DEFAULT_PROPERTIES["ticket"]}  # the simulator sends the same
    assert {"email", "hs_additional_emails"} <= set(sent["contacts"]) and "email" in sent["tickets"]


def test_build_fills_in_the_connections_url(tmp_path, hubspot_connection):
    out = tmp_path / "hubspot.zip"
    call_command("apps", "build", "hubspot", "--out", str(out), "--base-url", "https://billing.example.com",
                 "--connection", hubspot_connection.webhook_token)
    with zipfile.ZipFile(out) as package:
        assert package.namelist() == ["manifest.json"]
        card = json.loads(package.read("manifest.json"))
    target = card["fetch"]["targetUrl"]
    assert target == f"https://billing.example.com/desk/hubspot/{hubspot_connection.webhook_token}/"
    assert resolve(target.removeprefix("https://billing.example.com")).url_name == "callback"
    assert card["actions"]["baseUrls"] == ["https://billing.example.com"]  # our hooks and IFRAME pages live under it


def test_build_without_a_connection_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--connection"):
        call_command("apps", "build", "hubspot", "--out", str(tmp_path / "x.zip"), "--base-url", "https://billing.example.com")
