"""Example Pay's fake as Chargeside's gateway contract suite sees it. Point the suite at it with

    CHARGESIDE_CONTRACT_PROVIDER=example CHARGESIDE_CONTRACT_HARNESS=chargeside_example_gateway.harness:ExampleHarness
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chargeside.sandbox.harness import Harness, SeededCustomer

from .fake import ExamplePay

API_KEY, WEBHOOK_SECRET = "ex_test_key", "ex_test_webhook_secret"


class ExampleHarness(Harness):
    provider = "example"

    def start(self, state_dir: str) -> None:
        self.fake = ExamplePay(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET).start()
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        harness = self

        class Inbox(BaseHTTPRequestHandler):  # where the fake delivers its webhooks
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with harness.arrived:
                    harness.received.append((dict(self.headers.items()), body))
                    harness.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.inbox = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
        threading.Thread(target=self.inbox.serve_forever, daemon=True).start()
        self.fake.webhook_url = f"http://127.0.0.1:{self.inbox.server_address[1]}/"

    def stop(self) -> None:
        self.fake.stop()
        self.inbox.shutdown()
        self.inbox.server_close()

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.fake.base_url}

    def connection_credentials(self) -> dict[str, str]:
        return {"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        from chargeside.core.money import to_major

        seeded = []
        for email in emails:
            name = email.split("@")[0].title()
            customer = self.fake.add("customers", email=email, name=name)
            paid = self.fake.add("payments", customer=customer["id"], amount=str(to_major(amount, currency)), refunded="0",
                                 currency=currency.lower(), description="Example order")
            seeded.append(SeededCustomer(email, name, customer["id"], paid["id"], amount, currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        from chargeside.core.money import to_major

        self.fake.refund(seeded.charge_remote_id, str(to_major(max(seeded.amount // 10, 1), seeded.currency)))
        wanted = f'"kind": "payment", "id": "{seeded.charge_remote_id}"'.encode()
        with self.arrived:
            if not self.arrived.wait_for(lambda: any(wanted in body for _, body in self.received), timeout=10):
                raise TimeoutError("Example Pay delivered no webhook about the refund")
            headers, body = next(item for item in self.received if wanted in item[1])
        return {k: v for k, v in headers.items() if k.lower() in {"content-type", "example-signature"}}, body
