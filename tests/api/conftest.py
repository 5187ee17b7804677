"""API fixtures: a bearer token per member, plus the console's billing fixtures."""

from __future__ import annotations

import pytest

from console.factories import *  # noqa: F401,F403


@pytest.fixture
def bearer():
    """Issue a token for `member`; returns the headers to send."""
    from chargeside.workspaces.models import ApiToken

    def issue(member):
        _row, token = ApiToken.issue(member=member, name="tests")
        return {"Authorization": f"Bearer {token}"}

    return issue
