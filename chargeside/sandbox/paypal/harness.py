"""The PayPal sandbox for the shared contract suite (chargeside/sandbox/harness.py)."""

from __future__ import annotations

from chargeside.sandbox.harness import Harness, SeededCustomer

from .fake import CLIENT_ID, CLIENT_SECRET, PayPalFake


class PayPalHarness(Harness):
    provider = "paypal"

    def __init__(self):
        self.fake: PayPalFake | None = None
        self.webhook_id = ""

    def start(self, state_dir: str) -> None:  # state is in memory; state_dir is not needed
        self.fake = PayPalFake()
        self.fake.start()
        self.webhook_id = self.fake.control.webhook("")["id"]  # the connection's webhook, delivered by signed_webhook

    def stop(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake = None

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.fake.base_url, "client_id": CLIENT_ID, "webhook_id": self.webhook_id, "cert_hosts": "127.0.0.1"}

    def connection_credentials(self) -> dict[str, str]:
        return {"client_secret": CLIENT_SECRET}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        seeded = []
        for n, email in enumerate(emails, start=1):
            name = f"Contract Customer {n}"
            payer = self.fake.control.payer(email, name)
            order = self.fake.control.payment(payer, amount, currency)
            seeded.append(SeededCustomer(email=email, name=name, customer_remote_id=payer["payer_id"],
                                         charge_remote_id=self.fake.control.capture_id(order), amount=amount, currency=currency))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        refund = self.fake.control.refund(seeded.charge_remote_id, max(seeded.amount // 10, 1))
        return self.fake.control.signed_event(self.webhook_id, "PAYMENT.CAPTURE.REFUNDED", "refund", refund)


HARNESS = PayPalHarness
