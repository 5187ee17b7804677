"""HubSpot's X-HubSpot-Signature-v3 on the card's data fetch: the protocols file's vector (computed there with
plain hmac and through the official SDK's helper), and the endpoint accepting HubSpot's requests and refusing
everything else with 401/403, logged, never a 500."""

from __future__ import annotations

import logging
import time

import pytest

from chargeside.connections.models import Connection
from chargeside.core.signing import SignatureError
from chargeside.helpdesks.hubspot.signature import signature_v3, signed_uri, verify_v3

from . import hubspot_helpers
from .hubspot_helpers import (
    HS_SECRET,
    SERVER,
    card_json,
    card_path,
    fetch_card,
    fixture_query,
    now_ms,
    sign_v3,
)

pytestmark = pytest.mark.django_db
hubspot_sim, hubspot_connection = hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection  # fixtures
QUERY = fixture_query("contact_card_query.txt")

# The protocols file's v3 vector (helpdesks.md §6), computed there twice, once through hubspot-api-client's
# Signature.get_signature; hubspot-api-client is not installed here, so it is checked against its value.
VECTOR = {"secret": "test-client-secret", "method": "POST", "body": b'{"customerEmail":"jane@example.com"}',
          "timestamp": "1700000000000", "expected": "NF7HigxPsI26mQlcbdjaIGfcB0C6nQ7M9/isJPxj9AY="}
VECTOR_URI = "https://billing.example.com/hubspot/card?portalId=62515&userEmail=agent@example.com"


def test_the_protocols_vector_with_plain_hmac_and_ours():
    args = (VECTOR["secret"], VECTOR["method"], VECTOR_URI, VECTOR["body"], VECTOR["timestamp"])
    assert sign_v3(*args) == VECTOR["expected"]
    for uri in (VECTOR_URI, VECTOR_URI.replace("@", "%40")):  # the same request arriving with @ escaped
        assert signature_v3(VECTOR["secret"], method="POST", url=uri, body=VECTOR["body"], timestamp=VECTOR["timestamp"]) == VECTOR["expected"]


def test_only_the_listed_escapes_are_decoded():
    assert signed_uri("https://x/p%3Fa%2Fb?e=a%40b%3a%2C%20%25%26") == "https://x/p?a/b?e=a@b:,%20%25%26"


def test_the_window_is_five_minutes_both_ways():
    ts = 1_700_000_000_000
    signature = signature_v3("s", method="GET", url="https://x/", body=b"", timestamp=str(ts))
    verify_v3("s", method="GET", urls=["https://x/"], body=b"", signature=signature, timestamp=str(ts), now=ts / 1000 + 299)
    for now in (ts / 1000 + 301, ts / 1000 - 301):
        with pytest.raises(SignatureError, match="window"):
            verify_v3("s", method="GET", urls=["https://x/"], body=b"", signature=signature, timestamp=str(ts), now=now)


def test_a_signed_data_fetch_gets_the_card(client, hubspot_connection):
    response = fetch_card(client, hubspot_connection, QUERY)

    assert response.status_code == 200
    assert "results" in card_json(response)


def test_a_request_signed_for_the_public_url_is_accepted_behind_a_proxy(client, settings, hubspot_connection):
    signed = f"{settings.CHARGESIDE_PUBLIC_URL}{card_path(hubspot_connection)}?{QUERY}"

    assert fetch_card(client, hubspot_connection, QUERY, signed_url=signed).status_code == 200


def test_escapes_hubspot_decodes_verify_in_either_case(client, hubspot_connection):
    timestamp = now_ms()
    signed = f"{SERVER}{card_path(hubspot_connection)}?{QUERY}".replace("%40", "@").replace("%3B", ";")  # as HubSpot signs it
    headers = {"X-HubSpot-Signature-v3": sign_v3(HS_SECRET, "GET", signed, b"", timestamp), "X-HubSpot-Request-Timestamp": timestamp}

    for query in (QUERY, QUERY.replace("%3B", "%3b").replace("%40", "%40")):
        assert client.get(f"{card_path(hubspot_connection)}?{query}", headers=headers).status_code == 200


@pytest.mark.parametrize("case", ["wrong secret", "no signature", "no timestamp", "stale", "future", "not a number",
                                  "tampered query", "other portal"])
def test_refusals_are_401_and_logged(client, hubspot_connection, caplog, case):
    query, kwargs = QUERY, {}
    if case == "wrong secret":
        kwargs["secret"] = "not-the-secret"
    elif case == "no signature":
        kwargs["signature"] = ""
    elif case == "no timestamp":
        kwargs["headers"] = {"X-HubSpot-Request-Timestamp": ""}
    elif case == "stale":
        kwargs["timestamp"] = str(int((time.time() - 301) * 1000))
    elif case == "future":  # far enough ahead that a slow test run cannot bring it back into the window
        kwargs["timestamp"] = str(int((time.time() + 3600) * 1000))
    elif case == "not a number":
        kwargs["timestamp"] = "yesterday"
    elif case == "tampered query":
        signed = f"{SERVER}{card_path(hubspot_connection)}?{QUERY}"
        query = QUERY.replace("jane%40example.com", "mallory%40example.com")
        kwargs["signed_url"] = signed
    elif case == "other portal":
        query = QUERY.replace("portalId=62515", "portalId=99999")

    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = fetch_card(client, hubspot_connection, query, **kwargs)

    assert response.status_code == 401
    assert card_json(response)["status"] == "error" and "results" not in card_json(response)
    assert "refused" in caplog.text


def test_unknown_or_disabled_installations_are_403(client, hubspot_connection):
    hubspot_connection.status = Connection.Status.DISABLED
    hubspot_connection.save()
    assert fetch_card(client, hubspot_connection, QUERY).status_code == 403
    hubspot_connection.webhook_token = "not-a-token"
    assert fetch_card(client, hubspot_connection, QUERY).status_code == 403


def test_a_post_to_the_card_url_is_not_what_hubspot_sends(client, hubspot_connection):
    assert client.post(card_path(hubspot_connection), data=b"{}", content_type="application/json").status_code == 405


@pytest.mark.parametrize("query", ["userId=1&portalId=62515", "associatedObjectType=LEAD&associatedObjectId=1&portalId=62515",
                                   "associatedObjectType=CONTACT&associatedObjectId=abc&portalId=62515"])
def test_a_verified_request_without_a_record_is_400(client, hubspot_connection, query):
    assert fetch_card(client, hubspot_connection, query).status_code == 400
