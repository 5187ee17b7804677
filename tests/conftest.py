"""Shared fixtures: workspaces, members of every role, and a Stripe connection to a local fake.

Integration tests talk to `chargeside.sandbox` fakes over loopback through the official SDKs; nothing of
Chargeside's own is mocked. The database is SQLite unless DATABASE_URL points at PostgreSQL (CI runs both).
"""

from __future__ import annotations

import os

os.environ.setdefault("CHARGESIDE_TESTING", "1")

import pytest
from django.contrib.auth import get_user_model

from chargeside.workspaces.roles import Role


@pytest.fixture
def make_workspace(db):
    from chargeside.workspaces.models import Workspace

    counter = {"n": 0}

    def make(slug: str | None = None, **kwargs):
        counter["n"] += 1
        slug = slug or f"ws{counter['n']}"
        return Workspace.objects.create(slug=slug, name=kwargs.pop("name", slug.title()), **kwargs)

    return make


@pytest.fixture
def workspace(make_workspace):
    return make_workspace("acme", name="Acme Ltd")


@pytest.fixture
def other_workspace(make_workspace):
    return make_workspace("globex", name="Globex Corp")


@pytest.fixture
def make_member(db):
    from chargeside.workspaces.models import Member

    def make(workspace, role: Role | str, username: str | None = None, **kwargs):
        username = username or f"{workspace.slug}-{role}"
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.com", "first_name": username.title()})
        user.set_password("correct horse battery staple")
        user.save()
        return Member.objects.create(workspace=workspace, user=user, role=str(role), **kwargs)

    return make


@pytest.fixture
def owner(workspace, make_member):
    return make_member(workspace, Role.OWNER)


@pytest.fixture
def admin(workspace, make_member):
    return make_member(workspace, Role.ADMIN)


@pytest.fixture
def agent(workspace, make_member):
    return make_member(workspace, Role.AGENT)


@pytest.fixture
def finance(workspace, make_member):
    return make_member(workspace, Role.FINANCE)


@pytest.fixture
def viewer(workspace, make_member):
    return make_member(workspace, Role.VIEWER)


@pytest.fixture
def stripe_fake(tmp_path):
    """A fresh fake Stripe on a random loopback port, with its own state file."""
    from chargeside.sandbox.stripe import StripeFake

    fake = StripeFake(state_path=str(tmp_path / "stripe-state.sqlite3"))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_connection(workspace, stripe_fake):
    """A Stripe connection of `workspace` pointed at the fake (credentials encrypted like production)."""
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": stripe_fake.base_url})
    connection.set_credentials({"secret_key": "sk_test_chargeside", "webhook_secret": "whsec_test_chargeside"})
    connection.save()
    return connection
