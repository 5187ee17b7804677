"""Recurly adapter tests: captured-shape payloads in fixtures/ (one JSON file per object or notification), strict
mapping, and the adapter against the local fake (chargeside.sandbox.recurly) through the unmodified SDK."""

from __future__ import annotations

import json
import pathlib

import pytest

from chargeside.gateways.recurly import statuses

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
API_KEY = "recurly_test_key"
WEBHOOK_SECRET = "recurly_test_secret"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def strict_mapping(monkeypatch):
    monkeypatch.setattr(statuses, "STRICT", True)


@pytest.fixture
def payload():
    return load


@pytest.fixture
def fake():
    from chargeside.sandbox.recurly import RecurlyFake

    fake = RecurlyFake(api_keys={API_KEY}, rng_seed=7)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def adapter(fake):
    from chargeside.gateways.recurly.adapter import RecurlyAdapter

    return RecurlyAdapter(settings={"base_url": fake.base_url}, credentials={"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET})


@pytest.fixture
def shop(fake):
    """The merchant's side at the fake: a plan, a coupon, and an account with a card that paid 50.00 EUR."""
    control = fake.control
    plan = control.create_plan("basic", "Basic", {"EUR": "9.99", "USD": "10.99", "TRY": "299.00"})
    coupon = control.create_coupon("WELCOME10", "Welcome 10%", percent=10)
    account = control.create_account("ada", "ada@example.com", "Ada", "Lovelace", company="Engines Ltd")
    payment = control.purchase(account["id"], "50.00", "EUR", description="Order 1")
    return {"plan": plan, "coupon": coupon, "account": account, "payment": payment}
