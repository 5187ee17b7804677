"""The demo ticket page (/demo/) and the `panel-url` command."""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_page_explains_setup_when_the_demo_workspace_is_missing(client, settings):
    settings.CHARGESIDE_DEMO_WORKSPACE = "no-such-demo"

    response = client.get("/demo/")

    assert response.status_code == 200
    assert "The demo workspace is not set up yet." in response.content.decode()


def test_demo_page_frames_a_freshly_signed_panel_for_the_featured_customer(client, settings, workspace, ayse, agent):
    settings.CHARGESIDE_DEMO_WORKSPACE = workspace.slug

    page = client.get("/demo/?lang=tr")

    body = page.content.decode()
    src = html.unescape(re.search(r'<iframe class="panel-frame"[^>]*src="([^"]+)"', body).group(1))
    assert "<strong>Ayşe Yılmaz</strong> &lt;ayse.yilmaz@example.com&gt;" in body
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    panel = client.get(src)
    assert panel.status_code == 200
    assert "₺1.534,56" in panel.content.decode() and '<html lang="tr">' in panel.content.decode()


def test_panel_url_command_prints_a_link_that_opens_the_panel(client, workspace, ayse, agent):
    out = StringIO()

    call_command("panel-url", "--workspace", "acme", "--email", "ayse.yilmaz@example.com", "--agent", agent.user.email,
                 "--ttl", "120", stdout=out)

    url = out.getvalue().strip()
    assert url.startswith("http://127.0.0.1:8000/panel/?agent=")
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_panel_url_command_refuses_an_unknown_workspace_and_a_silly_ttl(workspace):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("panel-url", "--workspace", "nope", "--email", "a@example.com")
    with pytest.raises(CommandError, match="--ttl"):
        call_command("panel-url", "--workspace", "acme", "--email", "a@example.com", "--ttl", "0")
