"""Helpers for the Front tests (a uniquely named module: test folders must not import conftest). The Front
side is computed here independently of Chargeside's code (hmac/hashlib/base64 only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from html import unescape

import pytest

from .desk_helpers import FIXTURES

AUTH_SECRET = "front-plugin-secret"
APP_SECRET = "front-app-secret"
API_TOKEN = "front-api-token"


def fixture_text(name: str) -> str:
    return (FIXTURES / "front" / name).read_text()


def front_signature(secret: str, timestamp_ms: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), timestamp_ms.encode() + b":" + body, hashlib.sha256).digest()).decode()


def plugin_path(connection) -> str:
    return f"/desk/front/{connection.webhook_token}/plugin/"


def panel_path(connection) -> str:
    return f"/desk/front/{connection.webhook_token}/panel/"


def webhook_path(connection) -> str:
    return f"/desk/front/{connection.webhook_token}/webhook/"


def grant_of(html: str) -> str:
    return unescape(re.search(r'name="grant" value="([^"]+)"', html).group(1))


def open_plugin(client, connection, context: dict | str):
    """As Front and our plugin page do it: load the plugin URL with auth_secret, then post the SDK context."""
    page = client.get(plugin_path(connection), {"auth_secret": AUTH_SECRET})
    assert page.status_code == 200, page.status_code
    raw = context if isinstance(context, str) else json.dumps(context)
    return client.post(panel_path(connection), {"grant": grant_of(page.content.decode()), "context": raw})


def sdk_context(conversation_id: str, *, email: str = "ayse.yilmaz@example.com", name: str = "Ayşe Yılmaz",
                teammate: dict | None = None) -> dict:
    return {"type": "singleConversation", "id": "ctx_1",
            "teammate": teammate if teammate is not None else {"id": "tea_1", "email": "agent@acme.test", "name": "Sam"},
            "conversation": {"id": conversation_id, "recipient": {"handle": email, "name": name, "type": "email"}}}


@pytest.fixture
def front_sim():
    from chargeside.sandbox.front import FrontSimulator

    sim = FrontSimulator(auth_secret=AUTH_SECRET, api_token=API_TOKEN, app_secret=APP_SECRET)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def front(workspace, front_sim):
    """A Front connection whose Core API is the simulator (credentials encrypted like production)."""
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="front", name="Front", settings={
        "api_base_url": front_sim.base_url, "web_url": front_sim.base_url,
    })
    connection.set_credentials({"auth_secret": AUTH_SECRET, "api_token": API_TOKEN, "app_secret": APP_SECRET})
    connection.save()
    return connection
