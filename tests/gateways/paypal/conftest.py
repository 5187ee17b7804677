"""PayPal adapter tests: payload fixtures in fixtures/ (PayPal's documented shapes), strict status mapping, the fake."""

from __future__ import annotations

import json
import pathlib

import pytest

from chargeside.gateways.paypal import statuses

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def strict_mapping(monkeypatch):
    monkeypatch.setattr(statuses, "STRICT", True)


@pytest.fixture
def paypal_payload():
    """`paypal_payload("capture_completed")` → the JSON object in fixtures/capture_completed.json."""
    return lambda name: json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def paypal_fake():
    from chargeside.sandbox.paypal import PayPalFake

    fake = PayPalFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def paypal_adapter(paypal_fake):
    from chargeside.gateways.paypal.adapter import PayPalAdapter
    from chargeside.sandbox.paypal.fake import CLIENT_ID, CLIENT_SECRET

    hook = paypal_fake.control.webhook("")
    return PayPalAdapter(settings={"base_url": paypal_fake.base_url, "client_id": CLIENT_ID, "webhook_id": hook["id"],
                                   "cert_hosts": "127.0.0.1", "backfill_days": "62"},
                         credentials={"client_secret": CLIENT_SECRET})
