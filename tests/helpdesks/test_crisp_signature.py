"""Crisp's signed requests and widget loads: X-Crisp-Signature over "[timestamp;JSON]" (vectors computed here
with hmac, and once with Node's crypto + JSON.stringify as Crisp's own library verifies them), the widget's
per-website token, and what the desk endpoint answers to each (401/403, logged; never 500)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import pytest

from chargeside.core.signing import SignatureError
from chargeside.helpdesks.crisp import signature

FIXTURES = Path(__file__).parent / "fixtures" / "crisp"
SECRET = "crisp-hook-secret"
HOOK = (FIXTURES / "hook_message_send.json").read_bytes()
WEBSITE = "a63d1c82-809d-4ff0-be7b-9c82b24cfcf3"
TOKEN = "c99e0df2-db6f-4b0c-9505-83fcbb2da627"
STAMP = "1700000000000"  # milliseconds
AT = 1700000000.0
# Computed twice, independently: Python hmac over the raw bytes, and Node (crypto.createHmac over
# "[" + ts + ";" + JSON.stringify(JSON.parse(body)) + "]"), the way Crisp's crisp-api library checks hooks.
VECTOR = "0dc8e5e5731b85b4f5ace89f401120d485b306c76c72b96b813f7e50fd304e3d"


def independent(secret: str, stamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), b"[" + stamp.encode() + b";" + body + b"]", hashlib.sha256).hexdigest()


def test_the_vector():
    assert independent(SECRET, STAMP, HOOK) == VECTOR
    assert signature.sign(SECRET, STAMP, HOOK) == VECTOR


def test_a_signed_hook_verifies_on_its_raw_bytes():
    signature.verify(SECRET, timestamp=STAMP, signature=VECTOR, body=HOOK, now=AT + 10)
    signature.verify(SECRET, timestamp=STAMP, signature=VECTOR.upper(), body=HOOK, now=AT)  # hex case is not meaning


def test_a_body_spelled_with_unicode_escapes_verifies_as_crisps_library_would():
    escaped = HOOK.replace("Ayşe Yılmaz".encode(), b"Ay\\u015fe Y\\u0131lmaz")
    assert escaped != HOOK
    signature.verify(SECRET, timestamp=STAMP, signature=VECTOR, body=escaped, now=AT)


@pytest.mark.parametrize("secret, stamp, body, sent, now, reason", [
    ("other-secret", STAMP, HOOK, VECTOR, AT, "does not match"),
    (SECRET, STAMP, HOOK.replace(b"twice", b"once!"), VECTOR, AT, "does not match"),
    (SECRET, "1700000000001", HOOK, VECTOR, AT, "does not match"),  # the timestamp is signed
    (SECRET, STAMP, HOOK, "", AT, "no signature"),
    (SECRET, "", HOOK, VECTOR, AT, "no signature"),
    (SECRET, "17e11", HOOK, VECTOR, AT, "not a number"),
    (SECRET, STAMP, HOOK, VECTOR, AT + 301, "tolerance"),  # replayed 5 minutes later
    (SECRET, STAMP, HOOK, VECTOR, AT - 301, "tolerance"),
    ("", STAMP, HOOK, VECTOR, AT, "no signing secret"),
])
def test_refusals(secret, stamp, body, sent, now, reason):
    with pytest.raises(SignatureError, match=reason):
        signature.verify(secret, timestamp=stamp, signature=sent, body=body, now=now)


def test_a_timestamp_in_seconds_is_understood():
    stamp = "1700000000"
    signature.verify(SECRET, timestamp=stamp, signature=independent(SECRET, stamp, HOOK), body=HOOK, now=AT + 299)
    with pytest.raises(SignatureError, match="tolerance"):
        signature.verify(SECRET, timestamp=stamp, signature=independent(SECRET, stamp, HOOK), body=HOOK, now=AT + 301)


# --- through the desk endpoint --------------------------------------------------------------------------

@pytest.fixture
def crisp_connection(workspace):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="crisp", name="Crisp",
                            settings={"website_id": WEBSITE, "plugin_identifier": "plugin-id"})
    connection.set_credentials({"widget_token": TOKEN, "signing_secret": SECRET, "plugin_key": "plugin-key"})
    connection.save()
    return connection


def widget(client, connection, **changes):
    query = {"session_id": "session_4396ad07-53d9-47a7-81ba-3b6278bf5fae", "website_id": WEBSITE, "token": TOKEN,
             "locale": "en", "email": "ayse.yilmaz@example.com"}
    query.update(changes)
    return client.get(f"/desk/crisp/{connection.webhook_token}/", {k: v for k, v in query.items() if v is not None})


@pytest.mark.django_db
def test_the_widget_with_its_website_token_opens(client, crisp_connection):
    response = widget(client, crisp_connection)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "https://app.crisp.chat" in response["Content-Security-Policy"].split("frame-ancestors")[1]
    assert response["Referrer-Policy"] == "no-referrer" and "X-Frame-Options" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("changes", [
    {"token": "c99e0df2-db6f-4b0c-9505-83fcbb2da628"}, {"token": ""}, {"token": None},
    {"website_id": "b63d1c82-809d-4ff0-be7b-9c82b24cfcf3"}, {"website_id": None},
])
def test_a_widget_load_with_a_wrong_token_or_website_is_401_and_logged(client, crisp_connection, caplog, changes):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = widget(client, crisp_connection, **changes)

    assert response.status_code == 401 and "X-Panel-Token" not in response.content.decode()
    assert "refused" in caplog.text and TOKEN not in caplog.text


@pytest.mark.django_db
def test_an_unknown_or_disabled_installation_is_403(client, crisp_connection):
    from chargeside.connections.models import Connection

    assert client.get("/desk/crisp/not-a-token/", {"token": TOKEN, "website_id": WEBSITE}).status_code == 403
    crisp_connection.status = Connection.Status.DISABLED
    crisp_connection.save()
    assert widget(client, crisp_connection).status_code == 403


@pytest.mark.django_db
def test_signed_posts_are_checked_before_the_body_is_read(client, crisp_connection):
    path = f"/desk/crisp/{crisp_connection.webhook_token}/"
    import time

    now = str(int(time.time() * 1000))
    good = {"X-Crisp-Request-Timestamp": now, "X-Crisp-Signature": independent(SECRET, now, HOOK)}
    stale = {"X-Crisp-Request-Timestamp": STAMP, "X-Crisp-Signature": VECTOR}
    garbage = b"\xff not json"

    assert client.post(path, HOOK, content_type="application/json", headers=good).status_code == 200
    assert client.post(path, HOOK, content_type="application/json", headers=stale).status_code == 401
    assert client.post(path, HOOK, content_type="application/json").status_code == 401
    assert client.post(path, garbage, content_type="application/json", headers={
        "X-Crisp-Request-Timestamp": now, "X-Crisp-Signature": independent(SECRET, now, garbage)}).status_code == 400
    other = HOOK.replace(WEBSITE.encode(), b"b63d1c82-809d-4ff0-be7b-9c82b24cfcf3")
    assert client.post(path, other, content_type="application/json", headers={
        "X-Crisp-Request-Timestamp": now, "X-Crisp-Signature": independent(SECRET, now, other)}).status_code == 400


@pytest.mark.django_db
def test_desks_that_only_post_still_refuse_a_get(client, workspace):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="helpscout", name="HS")
    connection.set_credentials({"secret_key": "hs"})
    connection.save()
    assert client.get(f"/desk/helpscout/{connection.webhook_token}/").status_code == 405
