"""Front: who gets in. The plugin load's `auth_secret`, the grant the plugin page carries instead, and Front's
signed application webhooks (the protocols file's vector, computed again here; the 5-minute window both
ways). Wrong, missing, expired or unknown → 401/403 (logged), malformed → 400, never a 500."""

from __future__ import annotations

import json
import logging

import pytest

from chargeside.connections.models import Connection
from chargeside.core.signing import SignatureError
from chargeside.helpdesks.base import DeskRequest
from chargeside.helpdesks.front.adapter import FrontAdapter

from .desk_helpers import FIXTURES
from .front_desk_helpers import (
    APP_SECRET,
    AUTH_SECRET,
    front_signature,
    grant_of,
    panel_path,
    plugin_path,
    sdk_context,
    webhook_path,
)

SYNC = (FIXTURES / "front" / "webhook_sync.json").read_bytes()
VECTOR_TS = "1700000000000"
VECTOR_SIG = "KKNkyqZNkbIOHtWWDv191IxirEZA7NhobruMZgf5mP8="  # protocols file, section 5


@pytest.fixture
def front(workspace):
    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="front", name="Front", settings={})
    connection.set_credentials({"auth_secret": AUTH_SECRET, "app_secret": APP_SECRET})
    connection.save()
    return connection


def adapter(**credentials) -> FrontAdapter:
    return FrontAdapter(settings={}, credentials={"auth_secret": AUTH_SECRET, "app_secret": APP_SECRET, **credentials})


def webhook_request(body: bytes, headers: dict) -> DeskRequest:
    return DeskRequest("POST", "https://x/", headers, {}, body)


# --- application webhooks: the signature on the raw bytes -------------------------------------------------

def test_the_protocols_vector_computed_independently_matches_and_verifies():
    assert SYNC == b'{"type":"sync","authorization":{"id":"cmp_abc"}}'
    assert front_signature(APP_SECRET, VECTOR_TS, SYNC) == VECTOR_SIG

    adapter().verify_webhook(webhook_request(SYNC, {"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": VECTOR_TS}),
                             now=1700000000 + 299)


@pytest.mark.parametrize("headers, now, why", [
    ({"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": VECTOR_TS}, 1700000000 + 301, "tolerance"),
    ({"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": VECTOR_TS}, 1700000000 - 301, "tolerance"),
    ({"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": "1700000000001"}, 1700000000, "does not match"),
    ({"X-Front-Signature": VECTOR_SIG.lower(), "X-Front-Request-Timestamp": VECTOR_TS}, 1700000000, "does not match"),
    ({"X-Front-Signature": VECTOR_SIG}, 1700000000, "no signature"),
    ({"X-Front-Request-Timestamp": VECTOR_TS}, 1700000000, "no signature"),
    ({"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": "1700000000.0"}, 1700000000, "no signature"),
])
def test_replays_outside_the_window_and_wrong_signatures_are_refused(headers, now, why):
    with pytest.raises(SignatureError, match=why):
        adapter().verify_webhook(webhook_request(SYNC, headers), now=now)


def test_one_changed_byte_or_another_secret_is_refused():
    headers = {"X-Front-Signature": VECTOR_SIG, "X-Front-Request-Timestamp": VECTOR_TS}
    with pytest.raises(SignatureError):
        adapter().verify_webhook(webhook_request(SYNC.replace(b"abc", b"abd"), headers), now=1700000000)
    with pytest.raises(SignatureError):
        adapter(app_secret="another").verify_webhook(webhook_request(SYNC, headers), now=1700000000)
    with pytest.raises(SignatureError, match="no app secret"):
        adapter(app_secret="").verify_webhook(webhook_request(SYNC, headers), now=1700000000)


def test_the_webhook_endpoint_echoes_the_challenge_and_refuses_what_is_not_signed(client, front, caplog):
    import time

    stamp = str(int(time.time() * 1000))
    signed = {"HTTP_X_FRONT_SIGNATURE": front_signature(APP_SECRET, stamp, SYNC), "HTTP_X_FRONT_REQUEST_TIMESTAMP": stamp}

    ok = client.post(webhook_path(front), SYNC, content_type="application/json", HTTP_X_FRONT_CHALLENGE="ch4ll", **signed)
    event = client.post(webhook_path(front), SYNC, content_type="application/json", **signed)
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.front.views"):
        wrong = client.post(webhook_path(front), SYNC + b" ", content_type="application/json", HTTP_X_FRONT_CHALLENGE="x", **signed)
        unknown = client.post("/desk/front/not-a-token/webhook/", SYNC, content_type="application/json", **signed)

    assert (ok.status_code, json.loads(ok.content)) == (200, {"challenge": "ch4ll"})
    assert (event.status_code, wrong.status_code, unknown.status_code) == (200, 401, 403)
    assert b"ch4ll" not in wrong.content
    assert "webhook refused: signature does not match" in caplog.text and "unknown or disabled installation" in caplog.text


# --- the plugin: auth_secret on load, then the grant ---------------------------------------------------

def test_the_plugin_loads_with_the_auth_secret_and_the_page_keeps_no_secret(client, front):
    response = client.get(plugin_path(front), {"auth_secret": AUTH_SECRET})

    html = response.content.decode()
    assert response.status_code == 200
    assert AUTH_SECRET not in html and grant_of(html).startswith(f"{front.pk}.")
    assert "front-plugin-sdk.umd.js" in html and "chargeside/front/plugin.js" in html
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://*.frontapp.com https://*.frontapplication.com" in policy
    assert "script-src 'self';" in policy and "frame-src 'self'" in policy
    assert response["Referrer-Policy"] == "no-referrer" and "X-Frame-Options" not in response


@pytest.mark.parametrize("query", [{}, {"auth_secret": ""}, {"auth_secret": "wrong"}, {"auth_secret": AUTH_SECRET.upper()}])
def test_a_plugin_load_without_the_right_secret_is_401_and_logged(client, front, query, caplog):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.front.views"):
        response = client.get(plugin_path(front), query)

    assert response.status_code == 401 and b"grant" not in response.content
    assert "plugin load refused" in caplog.text


def test_the_secret_twice_an_unknown_or_disabled_installation_is_refused(client, front):
    assert client.get(f"{plugin_path(front)}?auth_secret={AUTH_SECRET}&auth_secret={AUTH_SECRET}").status_code == 401
    assert client.get("/desk/front/nope/plugin/", {"auth_secret": AUTH_SECRET}).status_code == 403
    front.status = Connection.Status.DISABLED
    front.save()
    assert client.get(plugin_path(front), {"auth_secret": AUTH_SECRET}).status_code == 403


def test_the_panel_needs_a_grant_of_this_installation_that_has_not_expired(client, workspace, front):
    other = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="front", name="Front 2", settings={})
    other.set_credentials({"auth_secret": AUTH_SECRET})
    other.save()
    context = json.dumps(sdk_context("cnv_1"))
    good = adapter().grant(front.pk)
    expired = adapter().grant(front.pk, now=0)
    forged = f"{front.pk}.9999999999.{'0' * 64}"

    assert client.post(panel_path(front), {"grant": good, "context": context}).status_code == 200
    for grant in ("", "x.y.z", expired, forged, adapter(auth_secret="other").grant(front.pk)):
        assert client.post(panel_path(front), {"grant": grant, "context": context}).status_code == 401, grant
    assert client.post(panel_path(other), {"grant": good, "context": context}).status_code == 401  # another installation's
    assert client.get(panel_path(front)).status_code == 405


@pytest.mark.parametrize("context", ["", "not json", "[]", '{"type": "noConversation"}', '{"type": "multiConversations"}',
                                     '{"type": "singleConversation", "conversation": {}}', '{"type": "singleConversation"}'])
def test_a_context_the_sdk_does_not_give_for_one_conversation_is_400(client, front, context):
    response = client.post(panel_path(front), {"grant": adapter().grant(front.pk), "context": context})
    assert response.status_code == 400


def test_the_shared_desk_callback_is_not_a_way_in_for_front(client, front):
    context = json.dumps(sdk_context("cnv_1"))
    signed = client.post(f"/desk/front/{front.webhook_token}/?auth_secret={AUTH_SECRET}", context, content_type="application/json")
    unsigned = client.post(f"/desk/front/{front.webhook_token}/", context, content_type="application/json")

    assert (signed.status_code, unsigned.status_code) == (404, 401)
    assert b"plugin" in signed.content and b"Jane" not in signed.content


def test_the_simulator_signs_webhooks_the_way_the_endpoint_checks_them(client, front):
    from chargeside.sandbox.front import FrontSimulator

    sim = FrontSimulator(app_secret=APP_SECRET)
    headers = sim.webhook_headers(SYNC, challenge="abc")
    assert headers["X-Front-Signature"] == front_signature(APP_SECRET, headers["X-Front-Request-Timestamp"], SYNC)
    assert sim.webhook_headers(SYNC, timestamp_ms=int(VECTOR_TS))["X-Front-Signature"] == VECTOR_SIG

    response = client.post(webhook_path(front), SYNC, content_type="application/json",
                           headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert (response.status_code, json.loads(response.content)) == (200, {"challenge": "abc"})
