"""The WooCommerce sandbox for the shared contract suite (tests/gateways/contract.py)."""

from __future__ import annotations

import os

from chargeside.sandbox.harness import Harness, SeededCustomer

from .fake import CONSUMER_KEY, CONSUMER_SECRET, WooFake
from .shapes import php_json

WEBHOOK_SECRET = "woo_contract_secret"


class WooCommerceHarness(Harness):
    provider = "woocommerce"

    def __init__(self):
        self.fake: WooFake | None = None

    def start(self, state_dir: str) -> None:
        self.fake = WooFake(state_path=os.path.join(state_dir, "woocommerce.sqlite3")).start()

    def stop(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake = None

    def connection_settings(self) -> dict[str, str]:
        return {"base_url": self.fake.base_url, "consumer_key": CONSUMER_KEY, "subscriptions_extension": "yes"}

    def connection_credentials(self) -> dict[str, str]:
        return {"consumer_secret": CONSUMER_SECRET, "webhook_secret": WEBHOOK_SECRET}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        from chargeside.core.money import to_major

        seeded = []
        for email in emails:
            first, _, last = email.split("@")[0].replace(".", " ").title().partition(" ")
            customer = self.fake.create_customer(email, first, last or "Customer")
            order = self.fake.create_order(customer_id=customer["id"], total=str(to_major(amount, currency)), currency=currency,
                                           status="processing")
            seeded.append(SeededCustomer(email=email, name=f"{first} {last or 'Customer'}".strip(), customer_remote_id=str(customer["id"]),
                                         charge_remote_id=str(order["id"]), amount=amount, currency=currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        """A refund made at the store, announced as WooCommerce announces it: order.updated with the order."""
        fake = self.fake
        fake.create_refund(int(seeded.charge_remote_id), amount="1.00", reason="Contract suite", api_refund=True)
        body = php_json(fake.order_json(fake.get_order(seeded.charge_remote_id)))
        return fake.dispatcher.headers_for(1, WEBHOOK_SECRET, "order.updated", body), body


HARNESS = WooCommerceHarness
