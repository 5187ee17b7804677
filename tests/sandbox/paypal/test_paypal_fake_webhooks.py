"""The fake's webhooks: one signed delivery per state change, retried until acknowledged, verifiable offline and by API."""

from __future__ import annotations

import http.server
import threading

import pytest

from chargeside.gateways.paypal import webhooks as verifier
from chargeside.sandbox.paypal.seed import seed


class Receiver:
    """A loopback endpoint that answers each request with the next status in `statuses` (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.upper(): v for k, v in self.headers.items()}, body))  # any case on the wire
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_a_refund_is_delivered_signed_and_verifies_offline(paypal_fake, receiver):
    paypal_fake.webhooks.synchronous = True
    hook = paypal_fake.control.webhook(receiver.url, ("PAYMENT.CAPTURE.REFUNDED",))
    payer = paypal_fake.control.payer("ada@example.com", "Ada Lovelace")
    capture = paypal_fake.control.capture_id(paypal_fake.control.payment(payer, 5000, "EUR"))
    paypal_fake.control.refund(capture, 1000)
    (headers, body), = receiver.received  # only the subscribed type
    assert headers["PAYPAL-AUTH-ALGO"] == "SHA256withRSA"
    assert headers["PAYPAL-CERT-URL"] == f"{paypal_fake.base_url}/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
    verifier.verify_offline(headers, body, webhook_id=hook["id"], allowed_hosts=("127.0.0.1",), tolerance=300)
    with pytest.raises(verifier.SignatureError):
        verifier.verify_offline(headers, body, webhook_id="OTHER-WEBHOOK", allowed_hosts=("127.0.0.1",), tolerance=300)


def test_failed_deliveries_are_retried_until_acknowledged(paypal_fake):
    receiver = Receiver(statuses=[500, 503])
    try:
        paypal_fake.webhooks.synchronous = True
        paypal_fake.webhooks.retry_delays = (0.0, 0.0, 0.0)
        paypal_fake.control.webhook(receiver.url, ("CATALOG.PRODUCT.CREATED",))
        paypal_fake.control.product("Pro")
        deadline_ok = threading.Event()
        for _ in range(200):  # wait for the background retries (no timing assertion: only the outcome counts)
            if len(receiver.received) >= 3:
                deadline_ok.set()
                break
            deadline_ok.wait(0.05)
        statuses = [a["status"] for a in paypal_fake.webhooks.attempts]
        assert statuses[:3] == [500, 503, 200]
        ids = {__import__("json").loads(body)["id"] for _, body in receiver.received}
        transmissions = {headers["PAYPAL-TRANSMISSION-ID"] for headers, _ in receiver.received}
        assert len(ids) == 1 and len(transmissions) == 3  # same event, a fresh transmission (and signature) each time
    finally:
        receiver.close()


def test_verify_webhook_signature_api(paypal_fake, paypal_client):
    hook = paypal_fake.control.webhook("")
    payer = paypal_fake.control.payer("ada@example.com", "Ada Lovelace")
    capture = paypal_fake.control.capture_id(paypal_fake.control.payment(payer, 5000, "EUR"))
    refund = paypal_fake.control.refund(capture, 100)
    headers, body = paypal_fake.control.signed_event(hook["id"], "PAYMENT.CAPTURE.REFUNDED", "refund", refund)
    import json

    ask = {"auth_algo": headers["PAYPAL-AUTH-ALGO"], "cert_url": headers["PAYPAL-CERT-URL"],
           "transmission_id": headers["PAYPAL-TRANSMISSION-ID"], "transmission_sig": headers["PAYPAL-TRANSMISSION-SIG"],
           "transmission_time": headers["PAYPAL-TRANSMISSION-TIME"], "webhook_id": hook["id"], "webhook_event": json.loads(body)}
    verify = lambda payload: paypal_client.request("POST", "/v1/notifications/verify-webhook-signature", body=payload)  # noqa: E731
    assert verify(ask) == {"verification_status": "SUCCESS"}
    tampered = json.loads(body)
    tampered["resource"]["amount"]["value"] = "99.00"
    assert verify({**ask, "webhook_event": tampered}) == {"verification_status": "FAILURE"}
    assert verify({**ask, "webhook_id": "WRONG"}) == {"verification_status": "FAILURE"}


def test_seed_makes_several_currencies_states_and_declines(paypal_fake):
    seed(paypal_fake, 15)
    captures = [p for _, p in paypal_fake.store.all_payments("captures")]
    assert {c["amount"]["currency_code"] for c in captures} == {"EUR", "USD", "TRY"}
    assert {c["status"] for c in captures} >= {"COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED", "DECLINED"}
    assert any(c.get("processor_response", {}).get("response_code") == "5120" for c in captures) or \
        any(c.get("processor_response") for c in captures)
    assert {s["status"] for s in paypal_fake.store.subscriptions.values()} >= {"ACTIVE", "SUSPENDED", "CANCELLED"}
    assert {i["status"] for i in paypal_fake.store.invoices.values()} >= {"DRAFT", "PAID"}
    assert paypal_fake.store.disputes
    assert {a["status"] for _, a in paypal_fake.store.all_payments("authorizations")} >= {"CREATED", "VOIDED"}
