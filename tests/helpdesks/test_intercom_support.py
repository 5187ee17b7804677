"""Helpers and fixtures the Intercom tests share (no tests here; a uniquely named module, since test folders
must not import conftest). Signatures are computed here with hmac/hashlib, independently of Chargeside."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection

from .desk_helpers import FIXTURES, jane_dtos

IC_SECRET = "ic-client-secret"
IC_TOKEN = "ic-access-token"
ADMIN_ID = "814860"


def fixture(name: str) -> bytes:
    return (FIXTURES / "intercom" / name).read_bytes()


def body_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def initialize_path(connection) -> str:
    return f"/desk/intercom/{connection.webhook_token}/"


def submit_path(connection) -> str:
    return f"/desk/intercom/{connection.webhook_token}/submit/"


def post_canvas(client, path: str, body: bytes, *, secret: str = IC_SECRET, signature: str | None = None):
    headers = {"X-Body-Signature": signature if signature is not None else body_signature(secret, body)}
    return client.post(path, data=body, content_type="application/json", headers=headers)


def components(response) -> list[dict]:
    assert response["Content-Type"] == "application/json", response.content
    return json.loads(response.content)["canvas"]["content"]["components"]


def canvas_of(response) -> dict:
    return json.loads(response.content)["canvas"]


def buttons(comps: list[dict]) -> list[str]:
    return [c["id"] for c in comps if c["type"] == "button" and c["action"]["type"] == "submit"]


def texts(comps: list[dict]) -> str:
    return "\n".join(c.get("text", "") for c in comps if c["type"] == "text")


@pytest.fixture
def intercom_sim():
    from chargeside.sandbox.intercom import IntercomSimulator

    sim = IntercomSimulator(client_secret=IC_SECRET, access_token=IC_TOKEN, workspace_id="abc123")
    sim.add_admin(name="Sam Agent", email="sam.agent@example.com", admin_id=ADMIN_ID)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def intercom_connection(workspace, intercom_sim):
    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="intercom", name="Intercom", settings={
        "api_base_url": intercom_sim.base_url, "note_admin_id": ADMIN_ID, "inbox_url": intercom_sim.base_url,
    })
    connection.set_credentials({"client_secret": IC_SECRET, "access_token": IC_TOKEN})
    connection.save()
    return connection


@pytest.fixture
def jane(workspace):
    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    upsert_many(connection, jane_dtos())
    return connection


@pytest.fixture
def mapped_agent(agent):
    """The teammate is the member with the same email (Intercom sends the admin's email)."""
    agent.user.email = "sam.agent@example.com"
    agent.user.save()
    return agent
