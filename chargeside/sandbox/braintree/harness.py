"""The Braintree sandbox for the shared contract suite (tests/gateways/contract.py)."""

from __future__ import annotations

from chargeside.core.money import to_major
from chargeside.sandbox.harness import Harness, SeededCustomer

from .fake import BraintreeFake


class BraintreeHarness(Harness):
    provider = "braintree"

    def __init__(self):
        self.fake: BraintreeFake | None = None

    def start(self, state_dir: str) -> None:  # the fake keeps its state in memory
        self.fake = BraintreeFake().start()

    def stop(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake = None

    def connection_settings(self) -> dict[str, str]:
        accounts = ",".join(f"{c}:{a}" for a, c in self.fake.store.state.merchant_accounts.items())
        return {"base_url": self.fake.base_url, "merchant_id": self.fake.merchant_id, "merchant_accounts": accounts,
                "default_currency": self.fake.store.state.merchant_accounts[self.fake.store.state.default_account]}

    def connection_credentials(self) -> dict[str, str]:
        return {"public_key": self.fake.public_key, "private_key": self.fake.private_key}

    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        store = self.fake.store
        account = next(a for a, c in store.state.merchant_accounts.items() if c == currency.upper())
        seeded = []
        for email in emails:
            name = email.split("@")[0].replace(".", " ").title()
            customer = store.customer_create({"email": email, "first_name": name, "payment_method_nonce": "fake-valid-nonce"})
            token = next(t for t, c in store.state.cards.items() if c["customer_id"] == customer["id"])
            tx = store.sale({"amount": str(to_major(amount, currency)), "payment_method_token": token, "merchant_account_id": account,
                             "options": {"submit_for_settlement": True}})
            store.settle(tx["id"])  # Braintree refunds only settled payments
            seeded.append(SeededCustomer(email=email, name=name, customer_remote_id=customer["id"], charge_remote_id=tx["id"],
                                         amount=amount, currency=currency.upper()))
        return seeded

    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        body = self.fake.notification("transaction_settled", "transaction", seeded.charge_remote_id)
        return {"Content-Type": "application/x-www-form-urlencoded"}, body


HARNESS = BraintreeHarness
