"""The PayPal fake on the wire: OAuth, errors in PayPal's shape, idempotency, pagination, faults (through the real SDK)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from paypalserversdk.models.money import Money as SdkMoney
from paypalserversdk.models.refund_request import RefundRequest
from sandbox_paypal_client import client_for

from chargeside.gateways.errors import AuthenticationFailed, InvalidRequest, NotFound, RateLimited, Unavailable
from chargeside.sandbox.paypal.fake import CLIENT_ID, CLIENT_SECRET


def raw(fake, method, path, *, headers=None, body=b""):
    request = urllib.request.Request(fake.base_url + path, data=body or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def token(fake, client_id=CLIENT_ID, secret=CLIENT_SECRET, grant=b"grant_type=client_credentials"):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return raw(fake, "POST", "/v1/oauth2/token", body=grant,
               headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})


def paid(fake, amount=5000, currency="EUR"):
    payer = fake.control.payer("ada@example.com", "Ada Lovelace")
    return payer, fake.control.capture_id(fake.control.payment(payer, amount, currency))


def refund_body(value: str, currency="EUR") -> RefundRequest:
    return RefundRequest(amount=SdkMoney(currency_code=currency, value=value))


def test_oauth_client_credentials(paypal_fake):
    status, body = token(paypal_fake)
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 32400 and body["access_token"].startswith("A21AA")
    assert token(paypal_fake, secret="wrong") == (401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
    assert token(paypal_fake, grant=b"grant_type=password")[0] == 400


def test_a_missing_or_bad_bearer_token_is_401_in_paypals_shape(paypal_fake):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        status, body = raw(paypal_fake, "GET", "/v2/payments/captures/X", headers=headers)
        assert status == 401
        assert body["name"] == "AUTHENTICATION_FAILURE" and body["debug_id"] and "details" not in body


def test_unknown_capture_is_404_resource_not_found(paypal_fake):
    access = token(paypal_fake)[1]["access_token"]
    status, body = raw(paypal_fake, "GET", "/v2/payments/captures/NOPE", headers={"Authorization": f"Bearer {access}"})
    assert status == 404
    assert (body["name"], body["details"][0]["issue"]) == ("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")


def test_refunds_down_to_zero_then_422(paypal_fake, paypal_client):
    _, capture = paid(paypal_fake)
    refund = paypal_client.sdk.payments.refund_captured_payment
    first = paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "a", "body": refund_body("10.00")})
    assert first["seller_payable_breakdown"]["total_refunded_amount"] == {"currency_code": "EUR", "value": "10.00"}
    with pytest.raises(InvalidRequest) as over:
        paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "b", "body": refund_body("40.01")})
    assert (over.value.code, over.value.http_status) == ("REFUND_AMOUNT_EXCEEDED", 422)
    assert over.value.message == "The refund is larger than what remains of the payment."
    paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "c", "body": refund_body("40.00")})
    assert paypal_client.call(paypal_client.sdk.payments.get_captured_payment, {"capture_id": capture})["status"] == "REFUNDED"
    with pytest.raises(InvalidRequest) as done:
        paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "d"})
    assert done.value.code == "CAPTURE_FULLY_REFUNDED"


def test_same_paypal_request_id_replays_the_first_refund(paypal_fake, paypal_client):
    _, capture = paid(paypal_fake)
    refund = paypal_client.sdk.payments.refund_captured_payment
    first = paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "key-1", "body": refund_body("5.00")})
    again = paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "key-1", "body": refund_body("5.00")})
    other = paypal_client.call(refund, {"capture_id": capture, "paypal_request_id": "key-2", "body": refund_body("5.00")})
    assert again == first and other["id"] != first["id"]
    assert len(paypal_fake.store.payments(paypal_fake.store.orders[next(iter(paypal_fake.store.orders))])["refunds"]) == 2


def test_transaction_search_refuses_more_than_31_days(paypal_fake, paypal_client):
    with pytest.raises(InvalidRequest) as refused:
        paypal_client.call(paypal_client.sdk.transaction_search.search_transactions,
                           {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"})
    assert refused.value.http_status == 400


def test_transaction_search_pages_and_fields(paypal_fake, paypal_client):
    payer, capture = paid(paypal_fake)
    paypal_fake.control.refund(capture, 100)
    search = paypal_client.sdk.transaction_search.search_transactions
    now = dt.datetime.now(dt.UTC)
    window = {"start_date": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "end_date": (now + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    first = paypal_client.call(search, {**window, "page_size": 1, "page": 1, "fields": "all"})
    second = paypal_client.call(search, {**window, "page_size": 1, "page": 2})
    assert (first["total_items"], first["total_pages"]) == (2, 2)
    assert first["transaction_details"][0]["transaction_info"]["transaction_event_code"] == "T0006"
    assert first["transaction_details"][0]["payer_info"]["email_address"] == "ada@example.com"
    refund_row = second["transaction_details"][0]
    assert refund_row["transaction_info"]["transaction_event_code"] == "T1107" and "payer_info" not in refund_row
    assert refund_row["transaction_info"]["paypal_reference_id"] == capture
    assert refund_row["transaction_info"]["transaction_amount"] == {"currency_code": "EUR", "value": "-1.00"}


def test_disputes_page_with_next_page_token(paypal_fake, paypal_client):
    for _ in range(3):
        paypal_fake.control.dispute(paid(paypal_fake)[1])
    first = paypal_client.request("GET", "/v1/customer/disputes", query={"page_size": 2})
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    token_value = nxt.split("next_page_token=")[1]
    second = paypal_client.request("GET", "/v1/customer/disputes", query={"page_size": 2, "next_page_token": token_value})
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not any(link["rel"] == "next" for link in second["links"])
    assert "disputed_transactions" not in first["items"][0]  # summaries; the detail has it


def test_faults_rate_limit_outage_and_dropped_connection(paypal_fake, paypal_client):
    _, capture = paid(paypal_fake)
    get = paypal_client.sdk.payments.get_captured_payment
    paypal_fake.faults.add(status=429)
    with pytest.raises(RateLimited):
        paypal_client.call(get, {"capture_id": capture})
    paypal_fake.faults.add(status=503)
    with pytest.raises(Unavailable):
        paypal_client.call(get, {"capture_id": capture})
    paypal_fake.faults.add(drop=True)
    with pytest.raises(Unavailable):
        paypal_client.call(get, {"capture_id": capture})
    assert paypal_client.call(get, {"capture_id": capture})["id"] == capture


def test_wrong_client_secret_is_authentication_failed(paypal_fake):
    with pytest.raises(AuthenticationFailed):
        bad = client_for(paypal_fake, secret="nope")
        bad.call(bad.sdk.payments.get_captured_payment, {"capture_id": "X"})


def test_not_found_through_the_sdk(paypal_client):
    with pytest.raises(NotFound):
        paypal_client.call(paypal_client.sdk.payments.get_refund, {"refund_id": "NOPE"})


def test_authorisation_capture_partial_then_void_refused(paypal_fake, paypal_client):
    payer = paypal_fake.control.payer("grace@example.com", "Grace Hopper")
    auth = paypal_fake.control.authorization_id(paypal_fake.control.payment(payer, 9000, "USD", authorize=True))
    from paypalserversdk.models.capture_request import CaptureRequest

    capture = paypal_client.call(paypal_client.sdk.payments.capture_authorized_payment, {
        "authorization_id": auth, "paypal_request_id": "cap", "body": CaptureRequest(amount=SdkMoney(currency_code="USD", value="30.00"))})
    assert capture["supplementary_data"]["related_ids"]["authorization_id"] == auth
    assert paypal_client.call(paypal_client.sdk.payments.get_authorized_payment, {"authorization_id": auth})["status"] == "PARTIALLY_CAPTURED"
    with pytest.raises(InvalidRequest) as refused:
        paypal_client.call(paypal_client.sdk.payments.void_payment, {"authorization_id": auth, "paypal_request_id": "void"})
    assert refused.value.code == "PREVIOUSLY_CAPTURED"
