"""Logging in (with throttling), CSRF, membership and the workspace switcher."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from chargeside.workspaces.models import LoginFailure

PASSWORD = "correct horse battery staple"


def test_login_with_the_right_password_opens_the_console(client, agent):
    # given an agent with a password / when they log in
    response = client.post("/login/", {"username": "acme-agent", "password": PASSWORD})
    # then they land on the customers page of their workspace
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/customers/"
    assert client.session["workspace_id"] == agent.workspace_id


@override_settings(CHARGESIDE_LOGIN_MAX_FAILURES=3, CHARGESIDE_LOGIN_WINDOW_SECONDS=600)
def test_repeated_failed_logins_are_throttled_with_429(client, agent):
    # given three wrong passwords
    for _ in range(3):
        assert client.post("/login/", {"username": "acme-agent", "password": "wrong"}).status_code == 200
    # when the right password comes next
    response = client.post("/login/", {"username": "acme-agent", "password": PASSWORD})
    # then it is refused with 429 and a clear message, and nobody is logged in
    assert response.status_code == 429
    assert "Too many failed attempts. Wait 10 minutes and try again." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="acme-agent").count() == 3


@override_settings(CHARGESIDE_LOGIN_MAX_FAILURES=3)
def test_throttling_is_per_username_and_a_success_clears_failures(client, agent, admin):
    # given two failures for the agent, then a success
    for _ in range(2):
        client.post("/login/", {"username": "acme-agent", "password": "wrong"})
    assert client.post("/login/", {"username": "acme-agent", "password": PASSWORD}).status_code == 302
    # then the failures are forgotten, and another user from the same address is unaffected
    assert LoginFailure.objects.filter(username="acme-agent").count() == 0
    assert Client().post("/login/", {"username": "acme-admin", "password": PASSWORD}).status_code == 302


def test_login_refuses_an_offsite_next_url(client, agent):
    response = client.post("/login/?next=https://evil.example/", {"username": "acme-agent", "password": PASSWORD,
                                                                 "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_post_without_csrf_token_gets_the_styled_403_page(agent):
    # given a logged-in browser that enforces CSRF
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent.user)
    # when it posts a form without the token
    response = browser.post("/account/tokens/", {"name": "sneaky"})
    # then it is refused with our page, and nothing was created
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert agent.api_tokens.count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/customers/"


def test_a_user_without_membership_gets_403(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password=PASSWORD)
    client.force_login(user)
    response = client.get("/customers/")
    assert response.status_code == 403
    assert "You are not a member of any workspace" in response.content.decode()


def test_a_deactivated_member_gets_403(client, agent):
    agent.is_active = False
    agent.save()
    client.force_login(agent.user)
    assert client.get("/customers/").status_code == 403


@pytest.mark.django_db
def test_workspace_switcher_changes_the_current_workspace(client, workspace, other_workspace, make_member):
    # given one person in two workspaces, as agent in one and owner in the other
    make_member(other_workspace, "owner", username="sam")
    agent = make_member(workspace, "agent", username="sam")
    client.force_login(agent.user)
    session = client.session
    session["workspace_id"] = workspace.pk
    session.save()
    client.get("/customers/")
    assert client.get("/connections/").status_code == 403  # an agent in Acme
    # when they switch to Globex
    response = client.post("/workspace/", {"workspace": other_workspace.pk})
    # then Globex is current and their owner role applies
    assert response.status_code == 302
    assert client.session["workspace_id"] == other_workspace.pk
    assert client.get("/connections/").status_code == 200


def test_switching_to_a_workspace_you_are_not_in_is_refused(client, agent, other_workspace):
    client.force_login(agent.user)
    client.post("/workspace/", {"workspace": other_workspace.pk})
    assert client.session["workspace_id"] == agent.workspace_id
    assert client.post("/workspace/", {"workspace": "not-a-number"}).status_code == 302


def test_logout_needs_post_and_ends_the_session(client, agent):
    client.force_login(agent.user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(CHARGESIDE_LOGIN_MAX_FAILURES=2)
def test_one_address_spraying_many_usernames_is_throttled_too(client, agent):
    # given ten failures (five times the per-user limit) over ten different usernames from one address
    for n in range(10):
        client.post("/login/", {"username": f"guess{n}", "password": "wrong"})
    # then even a real user with the right password is refused from that address, but not from another
    assert client.post("/login/", {"username": "acme-agent", "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").post("/login/", {"username": "acme-agent", "password": PASSWORD}).status_code == 302
