"""Fixtures and helpers of the Freshdesk tests (a uniquely named module: test folders must not import conftest).
Test modules import the fixtures they use from here."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from .desk_helpers import FIXTURES

# Test modules take the fixtures with `from .freshdesk_helpers import *` (a plain import of a fixture reads as unused).
__all__ = ["freshdesk_connection", "freshdesk_sim", "freshdesk_sim_connection"]

FD_SECRET = "fd-installation-secret"
FD_API_KEY = "fd_api_key"


def fd_fixture(name: str) -> bytes:
    return (FIXTURES / "freshdesk" / name).read_bytes()


def callback_path(connection) -> str:
    return f"/desk/freshdesk/{connection.webhook_token}/"


def post_panel_request(client, connection, body: bytes, *, authorization: str | None = None):
    """What Freshworks' proxy sends for the app's `chargesidePanel` template (the header computed here)."""
    headers = {"Authorization": f"Bearer {FD_SECRET}" if authorization is None else authorization}
    return client.post(callback_path(connection), data=body, content_type="application/json", headers=headers)


def local_path(url: str) -> str:
    """The path and query of an absolute URL we minted, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def freshdesk_sim():
    from chargeside.sandbox.freshdesk import FreshdeskSimulator

    sim = FreshdeskSimulator(api_key=FD_API_KEY, iparams={"chargeside_secret": FD_SECRET})
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def freshdesk_connection(workspace):
    """Pointed at a closed port: tests that post notes use `freshdesk_sim_connection`."""
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="freshdesk", name="Freshdesk",
                            settings={"web_url": "https://acme.freshdesk.com"})
    connection.set_credentials({"app_secret": FD_SECRET, "api_key": FD_API_KEY})
    connection.save()
    return connection


@pytest.fixture
def freshdesk_sim_connection(freshdesk_connection, freshdesk_sim):
    freshdesk_connection.settings = {"web_url": freshdesk_sim.base_url}
    freshdesk_connection.save()
    freshdesk_sim.iparams["connection_token"] = freshdesk_connection.webhook_token
    return freshdesk_connection


def answer(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)
