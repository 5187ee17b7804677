"""Help Scout's and FreeScout's callback signature on raw bytes, against the protocols file's vectors (3a, 3c)
and values computed in the test with hmac/base64, not with Chargeside's code."""

from __future__ import annotations

import pytest

from chargeside.core.signing import SignatureError
from chargeside.helpdesks.base import DeskRequest
from chargeside.helpdesks.freescout.adapter import FreeScoutAdapter
from chargeside.helpdesks.helpscout.adapter import HelpScoutAdapter

from .desk_helpers import fixture_bytes, sign

HS_VECTOR = "MVDOFLQEWM9hMth/Ji2mlSlvlig="  # protocols/helpdesks.md 3a: secret hs-secret
FS_VECTOR = "8DQbNZcyq5TjBS/cSj0EIb0cSj0="  # protocols/helpdesks.md 3c: secret fs-secret


def request(body: bytes, **headers) -> DeskRequest:
    from django.http.request import HttpHeaders

    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return DeskRequest(method="POST", url="https://billing.example.com/desk/x/y/", headers=HttpHeaders(meta), query={}, body=body)


def helpscout(secret="hs-secret") -> HelpScoutAdapter:
    return HelpScoutAdapter(settings={}, credentials={"secret_key": secret})


def freescout(secret="fs-secret") -> FreeScoutAdapter:
    return FreeScoutAdapter(settings={"web_url": "https://support.example.com"}, credentials={"secret_key": secret})


def test_the_vectors_are_what_hmac_sha1_base64_gives():
    assert sign("hs-secret", fixture_bytes("helpscout_callback.json")) == HS_VECTOR
    assert sign("fs-secret", fixture_bytes("freescout_callback.json")) == FS_VECTOR


def test_help_scout_accepts_its_vector():
    helpscout().authenticate(request(fixture_bytes("helpscout_callback.json"), **{"X-HelpScout-Signature": HS_VECTOR}))


def test_header_names_are_case_insensitive():
    helpscout().authenticate(request(fixture_bytes("helpscout_callback.json"), **{"x-helpscout-signature": HS_VECTOR}))


@pytest.mark.parametrize("body_change", [
    lambda b: b + b" ",  # a trailing space: the same JSON, other bytes
    lambda b: b.replace(b'"id":123', b'"id":124'),
    lambda b: b.replace(b",", b", "),  # re-serialised
])
def test_any_other_bytes_are_refused(body_change):
    with pytest.raises(SignatureError):
        helpscout().authenticate(request(body_change(fixture_bytes("helpscout_callback.json")), **{"X-HelpScout-Signature": HS_VECTOR}))


@pytest.mark.parametrize("headers", [
    {},
    {"X-HelpScout-Signature": ""},
    {"X-HelpScout-Signature": HS_VECTOR.lower()},
    {"X-HelpScout-Signature": sign("other-secret", fixture_bytes("helpscout_callback.json"))},
    {"X-FreeScout-Signature": HS_VECTOR},  # Help Scout's own adapter reads only Help Scout's header
])
def test_missing_or_wrong_signatures_are_refused(headers):
    with pytest.raises(SignatureError):
        helpscout().authenticate(request(fixture_bytes("helpscout_callback.json"), **headers))


def test_a_connection_without_a_secret_refuses_everything():
    body = fixture_bytes("helpscout_callback.json")
    with pytest.raises(SignatureError):
        helpscout(secret="").authenticate(request(body, **{"X-HelpScout-Signature": sign("", body)}))


@pytest.mark.parametrize("header", ["X-FREESCOUT-SIGNATURE", "X-HELPSCOUT-SIGNATURE"])
def test_freescout_accepts_its_vector_under_either_header(header):
    freescout().authenticate(request(fixture_bytes("freescout_callback.json"), **{header: FS_VECTOR}))


def test_freescout_refuses_a_help_scout_signature_made_with_another_secret():
    with pytest.raises(SignatureError):
        freescout().authenticate(request(fixture_bytes("freescout_callback.json"),
                                         **{"X-FREESCOUT-SIGNATURE": sign("hs-secret", fixture_bytes("freescout_callback.json"))}))
