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


@pytest.fixture
def audit_flushable():
    """For transactional tests on SQLite: pytest-django empties tables with DELETE after such a test, which
    the audit trail's append-only trigger refuses. Empty the trail first with the trigger lifted for a moment
    (PostgreSQL flushes with TRUNCATE, which row triggers do not see)."""
    yield
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    triggers = import_module("chargeside.actions.migrations.0002_audit_append_only_triggers")
    with connection.cursor() as cursor:
        for statement in triggers.SQLITE_DOWN:
            cursor.execute(statement)
        cursor.execute("DELETE FROM actions_auditevent")
        for statement in triggers.SQLITE_UP:
            cursor.execute(statement)
