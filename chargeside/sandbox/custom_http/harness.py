"""The custom HTTP gateway's reference server as the contract suite sees it (`chargeside.sandbox.harness.Harness`).

The server starts empty (no seed) on a free loopback port; customers and payments are added through its
ledger, as the merchant's own system would create them. Its webhooks go to a loopback inbox, and
`signed_webhook` hands out the headers and bytes the server actually delivered after a refund it made.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..harness import Harness, SeededCustomer
from . import reference_server

SECRET = "contract-harness-shared-secret-0123456789"
DELIVERY_TIMEOUT = 10.0  # seconds; the server delivers from its own thread
DELIVERED_HEADERS = {"content-type", "x-chargeside-timestamp", "x-chargeside-signature"}


class Inbox:
    """A loopback listener keeping every webhook delivered to it (headers, raw body), answering 200."""

    def __init__(self):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.changed = threading.Condition()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with inbox.changed:
                    inbox.received.append((dict(self.headers.items()), body))
                    inbox.changed.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True, name="custom-http-inbox").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/"

    def wait_for(self, match) -> tuple[dict[str, str], bytes]:
        def found():
            return next((item for item in self.received if match(json.loads(item[1]))), None)

        with self.changed:
            if not self.changed.wait_for(found, DELIVERY_TIMEOUT):
                raise TimeoutError(f"the reference server delivered no matching webhook within {DELIVERY_TIMEOUT:.0f} s")
            return found()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class CustomHttpHarness(Harness):
    provider = "custom_http"

    def __init__(self):
        self.server = None
        self.inbox: Inbox | None = None

    def start(self, state_dir: str) -> None:  # the reference server keeps its state in memory
        self.inbox = Inbox()
        self.server = reference_server().ReferenceServer(secrets=[SECRET], webhook_url=self.inbox.url, seeded=False).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.inbox is not None:
            self.inbox.close()

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.server.base_url}

    def connection_credentials(self) -> dict[str, str]:
        return {"secret": SECRET}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        ledger, seeded = self.server.ledger, []
        for email in emails:
            name = email.split("@")[0].replace(".", " ").title()
            customer = ledger.add_customer(email, name)
            payment = ledger.add_payment(customer["id"], amount, currency.upper(), description="Contract order")
            seeded.append(SeededCustomer(email=email, name=name, customer_remote_id=customer["id"], charge_remote_id=payment["id"],
                                         amount=amount, currency=currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        # A real change at the server: a partial refund of the seeded payment, announced as payment.refunded.
        self.server.ledger.refund(seeded.charge_remote_id, {"amount": max(seeded.amount // 10, 1), "currency": seeded.currency})
        refunded = self.server.ledger.get("payments", seeded.charge_remote_id)["amount_refunded"]
        headers, body = self.inbox.wait_for(
            lambda event: event.get("type") == "payment.refunded" and event["object"]["id"] == seeded.charge_remote_id
            and event["object"]["amount_refunded"] == refunded)
        return {name: value for name, value in headers.items() if name.lower() in DELIVERED_HEADERS}, body


HARNESS = CustomHttpHarness
