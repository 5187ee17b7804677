"""apps/front: what to enter on Front's Developers page, built by `chargeside apps build front` with our address
filled in; the URLs it names are the ones Chargeside serves for a Front connection."""

from __future__ import annotations

import json
import zipfile

from django.core.management import call_command
from django.urls import resolve


def test_the_build_fills_in_our_address_and_names_the_plugin_and_webhook_urls(tmp_path):
    out = tmp_path / "front.zip"
    call_command("apps", "build", "front", "--out", str(out), "--base-url", "https://billing.example.com/")

    with zipfile.ZipFile(out) as package:
        assert package.namelist() == ["manifest.json"]  # README.md is for us, not for Front
        manifest = json.loads(package.read("manifest.json"))
    plugin = manifest["features"]["plugin"]["url"]
    webhook = manifest["features"]["application_webhook"]["url"]
    assert plugin == "https://billing.example.com/desk/front/__CONNECTION_TOKEN__/plugin/"
    assert webhook == "https://billing.example.com/desk/front/__CONNECTION_TOKEN__/webhook/"
    assert "__CHARGESIDE" not in json.dumps(manifest)
    assert resolve(plugin.removeprefix("https://billing.example.com").replace("__CONNECTION_TOKEN__", "tok")).url_name == "front_plugin"
    assert resolve(webhook.removeprefix("https://billing.example.com").replace("__CONNECTION_TOKEN__", "tok")).url_name == "front_webhook"
