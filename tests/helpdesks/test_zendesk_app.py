"""The Zendesk app package (apps/zendesk/): a ZAF v2 server-side app whose ticket sidebar loads this instance's
Zendesk connection URL with signed URLs, and `chargeside apps build zendesk --connection <id>` fills it in."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from . import zendesk_helpers

APP = Path(__file__).resolve().parents[2] / "apps" / "zendesk"
pytestmark = pytest.mark.django_db
zendesk_sim, zendesk_connection = zendesk_helpers.zendesk_sim, zendesk_helpers.zendesk_connection  # fixtures


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_is_a_signed_server_side_ticket_sidebar_app():
    manifest = json.loads((APP / "manifest.json").read_text())
    assert manifest["frameworkVersion"] == "2.0" and manifest["signedUrls"] is True
    assert manifest["location"]["support"]["ticket_sidebar"]["url"] == "__CHARGESIDE_DESK_URL__"
    assert {"name", "email", "url"} <= set(manifest["author"]) and manifest["defaultLocale"] == "en"
    for locale in ("en", "tr"):
        app = json.loads((APP / "translations" / f"{locale}.json").read_text())["app"]
        assert app["name"] == "Chargeside" and app["short_description"] and app["long_description"]
    # the logos Zendesk asks for: logo.png 320x320 and logo-small.png 128x128
    assert png_size((APP / "assets" / "logo.png").read_bytes()) == (320, 320)
    assert png_size((APP / "assets" / "logo-small.png").read_bytes()) == (128, 128)


def test_build_fills_in_the_connections_url(tmp_path, zendesk_connection):
    out = tmp_path / "zendesk.zip"
    call_command("apps", "build", "zendesk", "--out", str(out), "--base-url", "https://billing.example.com",
                 "--connection", str(zendesk_connection.pk))
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["assets/logo-small.png", "assets/logo.png", "manifest.json",
                                              "translations/en.json", "translations/tr.json"]
        manifest = json.loads(package.read("manifest.json"))
    url = manifest["location"]["support"]["ticket_sidebar"]["url"]
    assert url == f"https://billing.example.com/desk/zendesk/{zendesk_connection.webhook_token}/"
    assert manifest["domainWhitelist"] == ["billing.example.com"] and manifest["author"]["url"] == "https://billing.example.com"


def test_build_without_a_connection_is_refused_and_leaves_no_package(tmp_path):
    out = tmp_path / "zendesk.zip"
    with pytest.raises(CommandError, match="--connection"):
        call_command("apps", "build", "zendesk", "--out", str(out), "--base-url", "https://billing.example.com")
    assert not out.exists()
    with pytest.raises(CommandError, match="No helpdesk connection"):
        call_command("apps", "build", "zendesk", "--out", str(out), "--base-url", "https://b.example.com", "--connection", "999")


def test_the_connection_may_be_named_by_its_url_token(tmp_path, zendesk_connection):
    out = tmp_path / "zendesk.zip"
    call_command("apps", "build", "zendesk", "--out", str(out), "--base-url", "https://billing.example.com",
                 "--connection", zendesk_connection.webhook_token)
    with zipfile.ZipFile(out) as package:
        assert zendesk_connection.webhook_token in json.loads(package.read("manifest.json"))["location"]["support"]["ticket_sidebar"]["url"]
