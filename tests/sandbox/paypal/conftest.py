"""Fixtures for the PayPal fake: every response a test produces is checked against PayPal's spec at teardown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import sandbox_paypal_spec as spec_check  # noqa: E402
from sandbox_paypal_client import client_for, recording  # noqa: E402

from chargeside.sandbox.paypal import PayPalFake  # noqa: E402


@pytest.fixture
def paypal_fake():
    fake = PayPalFake()
    exchanges = recording(fake)
    fake.exchanges = exchanges
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    if spec_check.SPEC_DIR.exists():
        problems = sorted({p for ex in exchanges for p in spec_check.problems(*ex)})
        assert not problems, "responses that do not match PayPal's spec:\n" + "\n".join(problems)


@pytest.fixture
def paypal_client(paypal_fake):
    return client_for(paypal_fake)
