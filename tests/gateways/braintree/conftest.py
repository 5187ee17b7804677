"""Braintree adapter tests: captured-shape XML in fixtures/ read through the SDK's own parser and classes;
strict status mapping; the fake for adapter tests."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from chargeside.gateways.braintree import statuses  # noqa: E402


@pytest.fixture(autouse=True)
def strict_braintree_mapping(monkeypatch):
    monkeypatch.setattr(statuses, "STRICT", True)


@pytest.fixture
def bt_fake():
    from chargeside.sandbox.braintree import BraintreeFake

    fake = BraintreeFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def bt_adapter(bt_fake):
    from chargeside.gateways.braintree.adapter import BraintreeAdapter

    return BraintreeAdapter(settings={"base_url": bt_fake.base_url, "merchant_id": bt_fake.merchant_id,
                                      "merchant_accounts": "EUR:chargeside_eur,TRY:chargeside_try,USD:chargeside_usd"},
                            credentials={"public_key": bt_fake.public_key, "private_key": bt_fake.private_key})
