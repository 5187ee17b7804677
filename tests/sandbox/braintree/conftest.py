"""Fixtures for the Braintree fake: a started fake and the official SDK on it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # helpers beside this file, whatever the import mode

import pytest

from chargeside.sandbox.braintree import BraintreeFake


@pytest.fixture
def bt_fake():
    fake = BraintreeFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def bt(bt_fake):
    from sandbox_braintree_client import gateway_for

    return gateway_for(bt_fake)
