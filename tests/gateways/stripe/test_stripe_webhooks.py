"""Stripe-Signature verification on raw bytes, with the protocol vector from shared/protocols/gateways.md §1."""

from __future__ import annotations

import hashlib
import json
import hmac
import pathlib

import pytest

from chargeside.core.signing import SignatureError
from chargeside.gateways.stripe import webhooks
from chargeside.gateways.stripe.adapter import StripeAdapter

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_test_webhook","object":"event"}'
T = 1700000000
GOOD = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"


def header(*parts: str) -> dict[str, str]:
    return {"Stripe-Signature": ",".join(parts)}


def test_protocol_vector_is_accepted():
    webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET, now=T)


def test_vector_is_our_own_hmac():
    assert hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest() == GOOD


def test_accepted_at_the_edges_of_the_window():
    webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET, now=T + 300)
    webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET, now=T - 300)


def test_rejected_301_seconds_later():
    with pytest.raises(SignatureError, match="tolerance"):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET, now=T + 301)


def test_rejected_from_the_future_too():
    with pytest.raises(SignatureError, match="tolerance"):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET, now=T - 301)


def test_tampered_body_is_rejected():
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY.replace(b"evt_test", b"evt_evil"), SECRET, now=T)


def test_trailing_newline_is_a_different_body():
    with pytest.raises(SignatureError):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY + b"\n", SECRET, now=T)


def test_wrong_secret_is_rejected():
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, "whsec_other", now=T)


def test_missing_header_is_rejected():
    with pytest.raises(SignatureError, match="missing Stripe-Signature"):
        webhooks.verify({"Content-Type": "application/json"}, BODY, SECRET, now=T)


def test_multiple_v1_with_one_good_is_accepted():
    webhooks.verify(header(f"t={T}", "v1=" + "0" * 64, f"v1={GOOD}", "v1=deadbeef"), BODY, SECRET, now=T)


def test_v0_only_is_rejected():
    with pytest.raises(SignatureError, match="no v1 signature"):
        webhooks.verify(header(f"t={T}", f"v0={GOOD}"), BODY, SECRET, now=T)


def test_other_schemes_are_ignored():
    webhooks.verify(header(f"t={T}", "v0=abc", f"v1={GOOD}", "v2=xyz"), BODY, SECRET, now=T)


@pytest.mark.parametrize("name", ["stripe-signature", "STRIPE-SIGNATURE", "Stripe-Signature", "HTTP_STRIPE_SIGNATURE"])
def test_header_name_is_case_insensitive(name):
    webhooks.verify({name: f"t={T},v1={GOOD}"}, BODY, SECRET, now=T)


@pytest.mark.parametrize("value", ["", "garbage", f"v1={GOOD}", f"t=abc,v1={GOOD}", f"t={T},t={T},v1={GOOD}", f"t=,v1={GOOD}", ",,,"])
def test_garbled_header_is_rejected_with_a_reason(value):
    with pytest.raises(SignatureError) as info:
        webhooks.verify({"Stripe-Signature": value}, BODY, SECRET, now=T)
    assert info.value.reason


def test_timestamp_is_signed_as_spelled():
    # Re-spelling t (leading zero) changes the signed bytes, so the original signature no longer matches.
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        webhooks.verify(header(f"t=0{T}", f"v1={GOOD}"), BODY, SECRET, now=T)


def test_missing_secret_is_rejected():
    with pytest.raises(SignatureError, match="secret"):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, "", now=T)


def test_decoded_text_is_refused():
    with pytest.raises(TypeError):
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY.decode(), SECRET, now=T)


def test_adapter_uses_the_connection_secret():
    adapter = StripeAdapter(settings={}, credentials={"secret_key": "sk_test_x", "webhook_secret": SECRET})
    adapter.verify_webhook(headers=header(f"t={T}", f"v1={GOOD}"), body=BODY, now=T)
    with pytest.raises(SignatureError):
        StripeAdapter(settings={}, credentials={"webhook_secret": "whsec_else"}).verify_webhook(
            headers=header(f"t={T}", f"v1={GOOD}"), body=BODY, now=T)


def test_default_now_is_the_clock():
    with pytest.raises(SignatureError, match="tolerance"):  # the vector is from 2023
        webhooks.verify(header(f"t={T}", f"v1={GOOD}"), BODY, SECRET)


def test_the_replay_window_is_the_deployments_setting(settings):
    adapter = StripeAdapter(settings={}, credentials={"webhook_secret": "whsec_test_secret"})
    body = b'{"id":"evt_test_webhook","object":"event"}'
    header = {"Stripe-Signature": "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"}
    settings.CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS = 600
    adapter.verify_webhook(headers=header, body=body, now=1700000000 + 599)
    settings.CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS = 60
    with pytest.raises(SignatureError):
        adapter.verify_webhook(headers=header, body=body, now=1700000000 + 61)


def test_the_endpoints_summary_matches_what_the_drain_parses(payload):
    # The endpoint records (id, type, acted on) without mapping the payload; the drain maps it later.
    adapter = StripeAdapter(settings={}, credentials={})
    names = sorted(p.stem for p in (pathlib.Path(__file__).parent / "fixtures").glob("event_*.json"))
    assert names
    for name in names:
        body = json.dumps(payload(name)).encode()
        parsed = [(e.event_id, e.type, e.kind is not None) for e in adapter.parse_webhook(body)]
        assert adapter.summarize_webhook(body) == parsed, name
    with pytest.raises(ValueError):
        adapter.summarize_webhook(b'{"object": "charge", "id": "ch_1"}')
