"""Zendesk test helpers and fixtures (a uniquely named module; test modules import the fixtures by name).

The ZAF JWT is built here with `cryptography` only — independently of chargeside/helpdesks/zendesk/zafjwt.py
and of the simulator — following the protocols file's recipe."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"
SUBDOMAIN, INSTALLATION = "acme", 360001
ISS = "acme.zendesk.com"
FORM = "application/x-www-form-urlencoded"
ZAF_QUERY = "?origin=https%3A%2F%2Facme.zendesk.com&app_guid=abc"  # ZAF's bootstrap parameters, as Zendesk adds them
AUD = "https://acme.zendesk.com/api/v2/apps/installations/360001.json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def claims(**overrides) -> dict:
    body = json.loads((FIXTURES / "zaf_jwt_claims.json").read_text())
    now = int(time.time())
    body.update(iat=now, nbf=now, exp=now + 300)
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def jwt_rs256(key, body: dict, header: dict | None = None) -> str:
    head = b64url(json.dumps(header or {"typ": "JWT", "alg": "RS256"}).encode())
    payload = b64url(json.dumps(body).encode())
    return f"{head}.{payload}.{b64url(key.sign(f'{head}.{payload}'.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def jwt_hs256(secret: bytes, body: dict) -> str:
    head = b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
    payload = b64url(json.dumps(body).encode())
    return f"{head}.{payload}.{b64url(hmac.new(secret, f'{head}.{payload}'.encode(), hashlib.sha256).digest())}"


def jwt_none(body: dict) -> str:
    return f"{b64url(json.dumps({'typ': 'JWT', 'alg': 'none'}).encode())}.{b64url(json.dumps(body).encode())}."


def callback_path(connection) -> str:
    return f"/desk/zendesk/{connection.webhook_token}/"


def signed_load(client, connection, token: str):
    """Zendesk's first load: a form POST with the JWT, ZAF's bootstrap parameters in the query."""
    return client.post(callback_path(connection) + ZAF_QUERY, urlencode({"token": token}), content_type=FORM)


def boot_token(html: str) -> str:
    return re.search(r'name="boot" value="([^"]+)"', html).group(1)


def frame_post(client, connection, boot: str, ticket, *, locale: str = "en-US", agent_email: str = ""):
    """boot.js's second POST, as the browser submits the form."""
    return client.post(callback_path(connection) + ZAF_QUERY, urlencode(
        {"boot": boot, "ticket": str(ticket), "locale": locale, "agent_email": agent_email}), content_type=FORM)


@pytest.fixture
def zendesk_sim():
    from chargeside.sandbox.zendesk import ZendeskSimulator

    sim = ZendeskSimulator(subdomain=SUBDOMAIN, installation_id=INSTALLATION)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def zendesk_connection(workspace, zendesk_sim):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="zendesk", name="Zendesk", settings={
        "subdomain": SUBDOMAIN, "installation_id": str(INSTALLATION), "app_public_key": zendesk_sim.public_key_pem,
        "agent_email": zendesk_sim.agent_email, "api_base_url": zendesk_sim.base_url, "web_url": zendesk_sim.base_url,
        "zaf_sdk_url": f"{zendesk_sim.base_url}/zaf_sdk.js",
    })
    connection.set_credentials({"api_token": zendesk_sim.api_token})
    connection.save()
    return connection
