"""The pinned base-URL override, error translation, and webhook verification (incl. the protocol file's vector)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib

import pytest
from paypalserversdk.configuration import Configuration, Environment, Server

from chargeside.core.signing import SignatureError
from chargeside.gateways.errors import AuthenticationFailed, Declined, InvalidRequest, NotFound, RateLimited, Unavailable
from chargeside.gateways.paypal import client as pp_client
from chargeside.gateways.paypal import webhooks


# --- base URL --------------------------------------------------------------------------------------------

def test_point_at_changes_one_configuration_only():
    before = json.dumps({str(k): {str(s): u for s, u in v.items()} for k, v in Configuration.environments.items()})
    mine = pp_client.point_at(Configuration(), "http://127.0.0.1:9999/")
    other = Configuration()
    assert mine.get_base_uri() == "http://127.0.0.1:9999"
    assert other.get_base_uri() == "https://api-m.sandbox.paypal.com"
    assert json.dumps({str(k): {str(s): u for s, u in v.items()} for k, v in Configuration.environments.items()}) == before


def test_point_at_is_pinned_to_the_sdk_it_was_written_for(monkeypatch):
    # If paypal-server-sdk changes, this fails loudly instead of silently sending requests to PayPal.
    assert pp_client.PINNED_SDK == "2.4.0"
    assert set(Configuration.environments) == {Environment.PRODUCTION, Environment.SANDBOX}
    assert Configuration.environments[Environment.PRODUCTION][Server.DEFAULT] == "https://api-m.paypal.com"
    monkeypatch.setattr(pp_client, "version", lambda name: "3.0.0")
    with pytest.raises(pp_client.SdkShapeChanged, match="3.0.0"):
        pp_client.point_at(Configuration(), "http://127.0.0.1:1")


def test_the_sdk_sends_token_and_api_calls_to_the_fake(paypal_fake):
    seen = []
    paypal_fake.api.observers.append(lambda method, path, *rest: seen.append((method, path)))
    client = pp_client.Client(client_id="AZfakeChargesideClientId", client_secret="EKfakeChargesideClientSecret", base_url=paypal_fake.base_url)
    with pytest.raises(NotFound):
        client.call(client.sdk.payments.get_captured_payment, {"capture_id": "NOPE"})
    assert seen == [("POST", "/v1/oauth2/token"), ("GET", "/v2/payments/captures/NOPE")]


def test_missing_credentials_are_refused_before_any_request():
    with pytest.raises(AuthenticationFailed, match="No PayPal client id and secret"):
        pp_client.Client(client_id="", client_secret="", base_url="http://127.0.0.1:1")


# --- errors ----------------------------------------------------------------------------------------------

def _error(name, issue="", description=""):
    body = {"name": name, "message": "m", "debug_id": "dbg123"}
    if issue:
        body["details"] = [{"issue": issue, "description": description}]
    return body


@pytest.mark.parametrize("status,body,kind,code", [
    (422, _error("UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED"), InvalidRequest, "REFUND_AMOUNT_EXCEEDED"),
    (422, _error("UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED"), InvalidRequest, "CAPTURE_FULLY_REFUNDED"),
    (422, _error("UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED"), Declined, "INSTRUMENT_DECLINED"),
    (400, _error("INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "A required field is missing."), InvalidRequest, "MISSING_REQUIRED_PARAMETER"),
    (404, _error("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID"), NotFound, "INVALID_RESOURCE_ID"),
    (401, {"error": "invalid_token", "error_description": "Token signature verification failed"}, AuthenticationFailed, "invalid_token"),
    (429, _error("RATE_LIMIT_REACHED"), RateLimited, "RATE_LIMIT_REACHED"),
    (500, _error("INTERNAL_SERVER_ERROR"), Unavailable, "INTERNAL_SERVER_ERROR"),
    (503, {}, Unavailable, ""),
])
def test_translate(status, body, kind, code):
    error = pp_client.translate(status, body)
    assert type(error) is kind and error.code == code and error.http_status == status
    if body.get("debug_id"):
        assert error.request_id == "dbg123"


def test_translate_speaks_plainly():
    assert pp_client.translate(422, _error("UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED")).message == \
        "This payment has already been refunded in full."
    assert pp_client.translate(400, _error("INVALID_REQUEST", "X", "The value of a field is invalid.")).message == "The value of a field is invalid."


# --- webhooks ---------------------------------------------------------------------------------------------

def test_protocol_vector_signed_string():
    body = b'{"id":"evt_test_webhook","object":"event"}'
    assert zlib.crc32(body) & 0xFFFFFFFF == 2255471879
    assert webhooks.signed_string("tid-123", "2026-01-01T00:00:00Z", "WH-ID-1", body) == b"tid-123|2026-01-01T00:00:00Z|WH-ID-1|2255471879"


def _signed(paypal_fake, hook_id, *, when=None):
    payer = paypal_fake.control.payer("ada@example.com", "Ada Lovelace")
    capture = paypal_fake.control.capture_id(paypal_fake.control.payment(payer, 5000, "EUR"))
    refund = paypal_fake.control.refund(capture, 500)
    return paypal_fake.control.signed_event(hook_id, "PAYMENT.CAPTURE.REFUNDED", "refund", refund, transmission_time=when)


def test_adapter_verifies_a_genuine_delivery_offline(paypal_fake, paypal_adapter):
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"])
    paypal_adapter.verify_webhook(headers=headers, body=body)
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}  # as request.META
    paypal_adapter.verify_webhook(headers=meta, body=body)


@pytest.mark.parametrize("change,reason", [
    (lambda h, b: (h, b.replace(b"5.00", b"6.00")), "does not match"),
    (lambda h, b: ({**h, "PAYPAL-TRANSMISSION-ID": "other"}, b), "does not match"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "PAYPAL-TRANSMISSION-SIG"}, b), "missing PAYPAL-TRANSMISSION-SIG"),
    (lambda h, b: ({**h, "PAYPAL-AUTH-ALGO": "SHA1withRSA"}, b), "unsupported PAYPAL-AUTH-ALGO"),
    (lambda h, b: ({**h, "PAYPAL-CERT-URL": "https://evil.example.com/cert.pem"}, b), "not an allowed PayPal certificate host"),
    (lambda h, b: ({**h, "PAYPAL-TRANSMISSION-SIG": "%%%"}, b), "not base64"),
])
def test_forged_or_garbled_deliveries_are_rejected(paypal_fake, paypal_adapter, change, reason):
    headers, body = change(*_signed(paypal_fake, paypal_adapter.settings["webhook_id"]))
    with pytest.raises(SignatureError, match=reason):
        paypal_adapter.verify_webhook(headers=headers, body=body)


def test_stale_and_future_transmissions_are_rejected_as_replays(paypal_fake, paypal_adapter):
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=301)).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"], when=old)
    with pytest.raises(SignatureError, match="tolerance"):
        paypal_adapter.verify_webhook(headers=headers, body=body)
    paypal_adapter.verify_webhook(headers=headers, body=body, now=dt.datetime.now(dt.UTC).timestamp() - 300)  # inside the window then
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"], when=soon)
    with pytest.raises(SignatureError, match="tolerance"):
        paypal_adapter.verify_webhook(headers=headers, body=body)


def test_the_replay_window_is_the_deployments_setting(settings, paypal_fake, paypal_adapter):
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=900)).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"], when=old)
    settings.CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS = 1000
    paypal_adapter.verify_webhook(headers=headers, body=body)
    settings.CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS = 600
    with pytest.raises(SignatureError):
        paypal_adapter.verify_webhook(headers=headers, body=body)


def test_certificate_hosts_default_to_paypal_and_http_only_on_loopback():
    with pytest.raises(SignatureError, match="not an allowed"):
        webhooks.check_cert_url("http://127.0.0.1:1/cert", webhooks.PAYPAL_CERT_HOSTS)
    webhooks.check_cert_url("https://api.paypal.com/v1/notifications/certs/CERT-1", webhooks.PAYPAL_CERT_HOSTS)
    with pytest.raises(SignatureError, match="https"):
        webhooks.check_cert_url("http://api.paypal.com/v1/notifications/certs/CERT-1", webhooks.PAYPAL_CERT_HOSTS)


def test_verification_through_paypals_api(paypal_fake, paypal_adapter):
    paypal_adapter.settings["webhook_verification"] = "api"
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"])
    paypal_adapter.verify_webhook(headers=headers, body=body)
    with pytest.raises(SignatureError, match="FAILURE"):
        paypal_adapter.verify_webhook(headers=headers, body=body.replace(b"5.00", b"6.00"))
    with pytest.raises(SignatureError, match="not JSON"):
        paypal_adapter.verify_webhook(headers=headers, body=b"not json")


def test_no_webhook_id_configured(paypal_fake, paypal_adapter):
    headers, body = _signed(paypal_fake, paypal_adapter.settings["webhook_id"])
    paypal_adapter.settings["webhook_id"] = ""
    with pytest.raises(SignatureError, match="no PayPal webhook id"):
        paypal_adapter.verify_webhook(headers=headers, body=body)


def test_signature_is_base64_rsa_sha256_over_the_signed_string(paypal_fake):
    headers, body = paypal_fake.webhooks.signed("WH-ID-1", {"id": "WH-1", "event_type": "X", "resource": {}})
    signature = base64.b64decode(headers["PAYPAL-TRANSMISSION-SIG"])
    assert len(signature) == 256  # RSA-2048
    assert paypal_fake.signer.verify(headers["PAYPAL-TRANSMISSION-ID"], headers["PAYPAL-TRANSMISSION-TIME"], "WH-ID-1", body,
                                     headers["PAYPAL-TRANSMISSION-SIG"])
