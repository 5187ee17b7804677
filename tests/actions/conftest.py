"""Fixtures for the write-path tests (helpers live in actions_world.py)."""

from __future__ import annotations

import pytest
import stripe
from actions_world import KEY, sync_connection


@pytest.fixture
def merchant(stripe_fake):
    return stripe.StripeClient(KEY, base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)


@pytest.fixture
def sync(stripe_connection):
    """`sync()` backfills the fake into `workspace` (or `sync(other_connection)`)."""

    def run(connection=None):
        sync_connection(connection or stripe_connection)

    return run
