"""The Stripe fake as the contract suite sees it (`chargeside.sandbox.harness.Harness`).

Everything goes through the fake's public HTTP API with the official SDK, as a merchant would: customers,
card payments and the refund that `signed_webhook` reports. The webhook is the fake's own delivery: at start
the harness registers a webhook endpoint at the fake (like a merchant in the dashboard) pointing at a small
loopback listener, keeps the signing secret the fake issued for it (the connection's `webhook_secret`) and
hands out the headers and bytes the fake delivered, so the suite posts exactly what Stripe would.
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

from ..harness import Harness, SeededCustomer
from .fake import StripeFake

API_KEY = "sk_test_contract_harness"
# The events a refund at Stripe produces that the connection hears about (what a merchant would enable).
EVENTS = ["charge.refunded", "charge.refund.updated", "refund.created", "refund.updated"]
DELIVERY_TIMEOUT = 10.0  # seconds; the fake delivers on its own thread


class _Inbox:
    """A loopback HTTP listener keeping every POST the fake delivers (headers and raw body), answering 200."""

    def __init__(self):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self._lock = threading.Condition()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with inbox._lock:
                    inbox.received.append(({name: value for name, value in self.headers.items()}, body))
                    inbox._lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet in test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="stripe-harness-inbox", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/"

    def wait_for(self, match, timeout: float) -> tuple[dict[str, str], bytes]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for headers, body in self.received:
                    if match(json.loads(body)):
                        return headers, body
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the fake Stripe delivered no matching webhook")
                self._lock.wait(left)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class StripeHarness(Harness):
    provider = "stripe"

    def __init__(self):
        self.fake: StripeFake | None = None
        self._inbox: _Inbox | None = None
        self._webhook_secret = ""

    def start(self, state_dir: str) -> None:
        self.fake = StripeFake(state_path=os.path.join(state_dir, "stripe-contract.sqlite3"))
        self.fake.start()
        self._inbox = _Inbox()
        endpoint = self.sdk.v1.webhook_endpoints.create({"url": self._inbox.url, "enabled_events": EVENTS})
        self._webhook_secret = endpoint.secret  # shown once, on creation, as at Stripe

    def stop(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake = None
        if self._inbox is not None:
            self._inbox.close()
            self._inbox = None

    @property
    def sdk(self) -> stripe.StripeClient:
        return stripe.StripeClient(API_KEY, base_addresses={"api": self.fake.base_url}, max_network_retries=0)

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.fake.base_url}

    def connection_credentials(self) -> dict[str, str]:
        return {"secret_key": API_KEY, "webhook_secret": self._webhook_secret}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        sdk = self.sdk
        seeded = []
        for number, email in enumerate(emails, 1):
            name = f"Contract Customer {number}"
            customer = sdk.v1.customers.create({"email": email, "name": name})
            intent = sdk.v1.payment_intents.create({
                "amount": amount, "currency": currency.lower(), "customer": customer.id, "payment_method": "pm_card_visa",
                "confirm": True, "off_session": True, "payment_method_types": ["card"],
            })
            seeded.append(SeededCustomer(email=email, name=name, customer_remote_id=customer.id,
                                         charge_remote_id=intent.latest_charge, amount=amount, currency=currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        # A real change at the fake: a partial refund of the seeded payment. Stripe then sends charge.refunded.
        sdk = self.sdk
        sdk.v1.refunds.create({"charge": seeded.charge_remote_id, "amount": max(seeded.amount // 10, 1)})
        refunded = sdk.v1.charges.retrieve(seeded.charge_remote_id).amount_refunded
        headers, body = self._inbox.wait_for(
            lambda event: event.get("type") == "charge.refunded" and event["data"]["object"]["id"] == seeded.charge_remote_id
            and event["data"]["object"]["amount_refunded"] == refunded,
            DELIVERY_TIMEOUT,
        )
        # What the receiving endpoint needs of the headers the fake sent (the signature and the body's type).
        wanted = {"stripe-signature", "content-type", "user-agent"}
        return {name: value for name, value in headers.items() if name.lower() in wanted}, body


HARNESS = StripeHarness
