"""The Recurly sandbox for the shared contract suite (tests/gateways/contract.py)."""

from __future__ import annotations

from chargeside.core.money import to_major
from chargeside.gateways.recurly.webhooks import signature_header
from chargeside.sandbox.harness import Harness, SeededCustomer

from .fake import RecurlyFake

API_KEY = "recurly_contract_key"
WEBHOOK_SECRET = "recurly_contract_secret"


class RecurlyHarness(Harness):
    provider = "recurly"

    def __init__(self):
        self.fake: RecurlyFake | None = None

    def start(self, state_dir: str) -> None:
        # State lives in memory for the fake's lifetime; state_dir is not needed.
        self.fake = RecurlyFake(api_keys={API_KEY})
        self.fake.start()

    def stop(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake = None

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.fake.base_url}

    def connection_credentials(self) -> dict[str, str]:
        return {"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        seeded = []
        for n, email in enumerate(emails):
            first, _, last = email.split("@")[0].replace(".", " ").title().partition(" ")
            last = last or "Customer"
            code = f"contract-{len(self.fake.store.all('account'))}-{n}"
            account = self.fake.control.create_account(code, email, first, last)
            tx = self.fake.control.purchase(account["id"], str(to_major(amount, currency)), currency)
            seeded.append(SeededCustomer(email=email, name=f"{first} {last}", customer_remote_id=account["id"],
                                         charge_remote_id=tx["id"], amount=amount, currency=currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        """A refund made in Recurly's admin UI, announced as Recurly does: payment/refunded naming the refund."""
        credit = self.fake.control.refund(seeded.charge_remote_id, "1.00", notes="Contract suite")
        refund = credit["transactions"][0]
        note = {"id": refund["id"], "object_type": "payment", "site_id": self.fake.site_id, "event_type": "refunded",
                "event_time": self.fake.clock.iso(), "uuid": refund["uuid"]}
        import json
        import time

        body = json.dumps(note, separators=(",", ":")).encode()
        return {"recurly-signature": signature_header(body, WEBHOOK_SECRET, int(time.time() * 1000)), "Content-Type": "application/json"}, body


HARNESS = RecurlyHarness
