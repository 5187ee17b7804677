"""workspaces.cache: what every panel request looks up is remembered briefly, and forgotten when it changes."""

from __future__ import annotations

import pytest

from chargeside.core.crypto import encrypt_json
from chargeside.workspaces import cache
from chargeside.workspaces.models import Workspace

from .test_panel_views import open_panel

pytestmark = pytest.mark.django_db


def test_a_workspace_is_read_once_then_remembered_until_it_is_saved(workspace, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert cache.workspace_by_slug(workspace.slug).pk == workspace.pk
    with django_assert_num_queries(0):
        assert cache.workspace_by_slug(workspace.slug).pk == workspace.pk

    workspace.name = "Acme Renamed"
    workspace.save()

    with django_assert_num_queries(1):
        assert cache.workspace_by_slug(workspace.slug).name == "Acme Renamed"


def test_unknown_slugs_are_remembered_apart_and_forgotten_when_the_workspace_appears(workspace, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert cache.workspace_by_slug("initech") is None
    with django_assert_num_queries(0):
        assert cache.workspace_by_slug("initech") is None
        assert cache.workspace_by_slug("x" * 65) is None  # longer than any slug: not even asked

    created = Workspace.objects.create(slug="initech", name="Initech")

    assert cache.workspace_by_slug("initech").pk == created.pk


def test_a_rotated_panel_secret_is_decrypted_afresh(workspace):
    before = cache.panel_secret(workspace)
    assert cache.panel_secret(workspace) == before == workspace.panel_secret

    Workspace.objects.filter(pk=workspace.pk).update(panel_secret_encrypted=encrypt_json({"secret": "rotated-secret"}))
    workspace.refresh_from_db()

    assert cache.panel_secret(workspace) == "rotated-secret"


def test_a_deactivated_member_is_forgotten_at_once_in_this_process(client, workspace, ayse, agent):
    response, _ = open_panel(client, workspace, agent=agent.user.email)
    assert "Read-only" not in response.content.decode()

    agent.is_active = False
    agent.save()

    response, _ = open_panel(client, workspace, agent=agent.user.email)
    assert "Read-only" in response.content.decode()


def test_an_agent_maps_to_the_member_case_insensitively_and_once(workspace, agent, django_assert_num_queries):
    calls = []

    def load(ws, name):
        calls.append(name)
        return agent

    assert cache.remembered_member(workspace, "Sam@Acme.test ", load) is agent
    assert cache.remembered_member(workspace, "sam@acme.test", load) is agent
    assert calls == ["Sam@Acme.test "]
