"""Intercom's Canvas Kit signature on raw bytes: `X-Body-Signature` = hex HMAC-SHA256(client secret, body),
against the protocols file's vector (section 4) and values computed here with hmac, and what the two
endpoints answer to unsigned, mis-signed, unknown-installation and malformed requests (401/403/400, logged,
never 500)."""

from __future__ import annotations

import logging

import pytest
from django.http.request import HttpHeaders

from chargeside.core.signing import SignatureError
from chargeside.helpdesks.base import DeskRequest
from chargeside.helpdesks.intercom.adapter import IntercomAdapter

from . import test_intercom_support as ic
from .test_intercom_support import (
    body_signature,
    components,
    fixture,
    initialize_path,
    post_canvas,
    submit_path,
)

VECTOR = "0aec3e1f9025329bdc8bc576af63f759b92578db73a86ee03b86efcb5d16cae4"  # protocols/helpdesks.md 4
VECTOR_SECRET = "intercom-client-secret"

intercom_connection, intercom_sim = ic.intercom_connection, ic.intercom_sim  # the shared fixtures


def request(body: bytes, **headers) -> DeskRequest:
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return DeskRequest(method="POST", url="https://billing.example.com/desk/intercom/t/", headers=HttpHeaders(meta), query={}, body=body)


def adapter(secret=VECTOR_SECRET) -> IntercomAdapter:
    return IntercomAdapter(settings={}, credentials={"client_secret": secret})


def test_the_vector_is_what_hmac_sha256_hex_gives():
    assert body_signature(VECTOR_SECRET, fixture("vector_initialize.json")) == VECTOR


def test_the_vector_is_accepted_whatever_the_header_case():
    adapter().authenticate(request(fixture("vector_initialize.json"), **{"X-Body-Signature": VECTOR}))
    adapter().authenticate(request(fixture("vector_initialize.json"), **{"x-body-signature": VECTOR}))


@pytest.mark.parametrize("body_change", [
    lambda b: b + b" ",
    lambda b: b.replace(b'"conversation_id":111', b'"conversation_id":112'),
    lambda b: b.replace(b",", b", "),  # the same JSON re-serialised
])
def test_any_other_bytes_are_refused(body_change):
    with pytest.raises(SignatureError):
        adapter().authenticate(request(body_change(fixture("vector_initialize.json")), **{"X-Body-Signature": VECTOR}))


@pytest.mark.parametrize("headers", [
    {},
    {"X-Body-Signature": ""},
    {"X-Body-Signature": "sha256=" + VECTOR},
    {"X-Body-Signature": VECTOR[:-1]},
    {"X-Hub-Signature": "sha1=0fa19b2a0c26da52ccf09a7877106665b3cec9f0"},  # the webhook scheme is not the canvas one
])
def test_missing_or_wrong_signatures_are_refused(headers):
    with pytest.raises(SignatureError):
        adapter().authenticate(request(fixture("vector_initialize.json"), **headers))


def test_another_secret_or_none_is_refused():
    for secret in ("other-secret", ""):
        with pytest.raises(SignatureError):
            adapter(secret).authenticate(request(fixture("vector_initialize.json"), **{"X-Body-Signature": VECTOR}))


@pytest.mark.django_db
@pytest.mark.parametrize("path", [initialize_path, submit_path])
def test_endpoints_refuse_a_wrong_signature_with_401_and_log_it(client, intercom_connection, path, caplog):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = post_canvas(client, path(intercom_connection), fixture("initialize.json"), secret="not-the-secret")
    assert response.status_code == 401
    assert "signature" in components(response)[0]["text"]  # a canvas Intercom can show, not a 500
    assert "signature does not match" in caplog.text


@pytest.mark.django_db
def test_unknown_installation_gets_403(client, intercom_connection):
    response = post_canvas(client, "/desk/intercom/no-such-token/", fixture("initialize.json"))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"admin": "nope"}'])
def test_signed_but_malformed_bodies_get_400(client, intercom_connection, body):
    for path in (initialize_path, submit_path):
        assert post_canvas(client, path(intercom_connection), body).status_code == 400


@pytest.mark.django_db
def test_a_submit_whose_input_values_are_not_an_object_gets_400(client, intercom_connection):
    body = b'{"contact": {"email": "a@b.c"}, "component_id": "panel", "input_values": [1]}'
    assert post_canvas(client, submit_path(intercom_connection), body).status_code == 400
