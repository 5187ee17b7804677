"""Freshdesk app requests: the installation's secret, put in `Authorization: Bearer …` by Freshworks' request
proxy from a secure iparam, compared in constant time before the body is read. Freshworks signs nothing we
know of (see the adapter's docstring), so there is no MAC vector to compute; the protocols file's vector for
the REST side (Basic auth of the API key) is checked here with base64 alone."""

from __future__ import annotations

import base64
import logging

import pytest
from django.http.request import HttpHeaders

from chargeside.core.signing import SignatureError
from chargeside.helpdesks.base import DeskRequest
from chargeside.helpdesks.freshdesk.adapter import FreshdeskAdapter

from .freshdesk_helpers import *  # its fixtures
from .freshdesk_helpers import FD_SECRET, fd_fixture, post_panel_request

BODY = fd_fixture("panel_request.json")


def request(body: bytes = BODY, **headers) -> DeskRequest:
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return DeskRequest(method="POST", url="https://billing.example.com/desk/freshdesk/t/", headers=HttpHeaders(meta),
                       query={}, body=body)


def adapter(secret: str = FD_SECRET) -> FreshdeskAdapter:
    return FreshdeskAdapter(settings={"web_url": "https://acme.freshdesk.com"}, credentials={"app_secret": secret})


def test_the_installation_secret_as_a_bearer_value_is_accepted():
    adapter().authenticate(request(Authorization=f"Bearer {FD_SECRET}"))
    adapter().authenticate(request(authorization=f"bearer  {FD_SECRET} "))  # header name and scheme: any case


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", f"Basic {FD_SECRET}", f"{FD_SECRET}", f"Bearer {FD_SECRET}x", f"Bearer {FD_SECRET[:-1]}",
    f"Bearer {FD_SECRET.upper()}", "Bearer fd-other-installation",
])
def test_anything_else_is_refused(header):
    headers = {} if header is None else {"Authorization": header}
    with pytest.raises(SignatureError):
        adapter().authenticate(request(**headers))


def test_a_connection_without_a_secret_accepts_nothing():
    with pytest.raises(SignatureError, match="no installation secret"):
        adapter(secret="").authenticate(request(Authorization="Bearer "))


def test_the_body_is_not_part_of_the_check():
    # Nothing signs the body: any bytes with the right secret pass here, and parsing happens afterwards.
    adapter().authenticate(request(b"not json", Authorization=f"Bearer {FD_SECRET}"))


def test_the_rest_basic_auth_vector():
    assert base64.b64encode(b"fd_api_key:X").decode() == "ZmRfYXBpX2tleTpY"  # protocols/helpdesks.md §2


@pytest.mark.django_db
def test_the_endpoint_refuses_a_wrong_secret_with_401_and_logs_it(client, freshdesk_connection, caplog):
    with caplog.at_level(logging.INFO, logger="chargeside.helpdesks.desk_views"):
        response = post_panel_request(client, freshdesk_connection, BODY, authorization="Bearer wrong")
    assert response.status_code == 401 and response.json()["error"].startswith("Chargeside: ")
    assert "panel_url" not in response.json()
    assert "the secret does not match" in caplog.text


@pytest.mark.django_db
def test_unknown_or_disabled_installations_get_403(client, freshdesk_connection):
    from chargeside.connections.models import Connection

    wrong_token = client.post("/desk/freshdesk/not-a-token/", data=BODY, content_type="application/json",
                              headers={"Authorization": f"Bearer {FD_SECRET}"})
    freshdesk_connection.status = Connection.Status.DISABLED
    freshdesk_connection.save()
    disabled = post_panel_request(client, freshdesk_connection, BODY)

    assert wrong_token.status_code == 403 and disabled.status_code == 403
    assert "panel_url" not in disabled.json()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"contact": "jane@example.com"}', b"\xff\xfe",
                                  b'{"ticket": [1]}', b"{" + b" " * 70000 + b"}"])
def test_a_verified_but_malformed_body_gets_400_never_500(client, freshdesk_connection, body):
    response = post_panel_request(client, freshdesk_connection, body)
    assert response.status_code == 400 and "error" in response.json()

