"""Stripe adapter tests: captured payloads in fixtures/ (one JSON file per object or event), strict mapping.

No Django here: run with `pytest tests/gateways/stripe -p no:django`.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from chargeside.gateways.stripe import statuses

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def strict_mapping(monkeypatch):
    # In tests an unknown Stripe status must fail loudly instead of falling back.
    monkeypatch.setattr(statuses, "STRICT", True)


@pytest.fixture
def payload():
    """`payload("charge_refunded")` → the captured JSON object from fixtures/charge_refunded.json."""
    return load


# --- the local Stripe fake (chargeside.sandbox.stripe) ---------------------------------------------------

FAKE_KEY = "sk_test_chargeside"


@pytest.fixture
def fake():
    sandbox = pytest.importorskip("chargeside.sandbox.stripe", reason="the Stripe fake (chargeside.sandbox.stripe) cannot be imported")
    fake = sandbox.StripeFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def adapter(fake):
    from chargeside.gateways.stripe.adapter import StripeAdapter

    return StripeAdapter(settings={"base_url": fake.base_url}, credentials={"secret_key": FAKE_KEY, "webhook_secret": "whsec_test"})


@pytest.fixture
def merchant(fake):
    """A plain SDK client playing the merchant's dashboard: test set-up only, never the code under test."""
    import stripe

    return stripe.StripeClient(FAKE_KEY, base_addresses={"api": fake.base_url}, max_network_retries=0)


class Shop:
    def __init__(self, merchant, adapter):
        self.sdk, self.adapter = merchant, adapter

    def customer_with_card(self, email="ada@example.com", card="pm_card_visa", name="Ada Lovelace") -> tuple[str, str]:
        customer = self.sdk.v1.customers.create({"email": email, "name": name})
        pm = self.sdk.v1.payment_methods.attach(card, {"customer": customer.id})
        self.sdk.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
        return customer.id, pm.id

    def paid_charge(self, customer: str, pm: str, amount: int = 5000, currency: str = "eur"):
        from chargeside.gateways.types import ResourceKind

        pi = self.sdk.v1.payment_intents.create({"amount": amount, "currency": currency, "customer": customer, "payment_method": pm,
                                                 "confirm": True, "off_session": True, "payment_method_types": ["card"]})
        return self.adapter.fetch(ResourceKind.CHARGE, pi.latest_charge)

    def monthly_price(self, amount=2900, currency="usd", name="Pro") -> str:
        product = self.sdk.v1.products.create({"name": name})
        return self.sdk.v1.prices.create({"product": product.id, "unit_amount": amount, "currency": currency,
                                          "recurring": {"interval": "month"}}).id


@pytest.fixture
def shop(merchant, adapter):
    return Shop(merchant, adapter)
