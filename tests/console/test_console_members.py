"""Members and roles: invitations, owner protection, deactivation, tokens shown once, language."""

from __future__ import annotations

from chargeside.workspaces.models import ApiToken, Member


def test_invite_creates_user_and_member_and_shows_password_once(login, admin, django_user_model):
    client = login(admin)
    response = client.post("/members/", {"username": "newbie", "email": "newbie@example.com", "role": "agent"})
    assert response.status_code == 302
    member = Member.objects.get(workspace=admin.workspace, user__username="newbie")
    assert member.role == "agent"
    first = client.get("/members/").content.decode()
    second = client.get("/members/").content.decode()
    assert "Their one-time password" in first and "Their one-time password" not in second


def test_admin_cannot_create_demote_or_deactivate_an_owner(login, admin, owner):
    client = login(admin)
    page = client.post("/members/", {"username": "boss", "email": "boss@example.com", "role": "owner"}).content.decode()
    assert "Only an owner can make someone an owner." in page
    page = client.post(f"/members/{owner.pk}/role/", {"role": "viewer"}, follow=True).content.decode()
    assert "Only an owner can change an owner&#x27;s role or make someone an owner." in page
    page = client.post(f"/members/{owner.pk}/active/", {"active": "0"}, follow=True).content.decode()
    assert "Only an owner can deactivate or reactivate an owner." in page
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == ("owner", True)


def test_the_last_owner_cannot_be_demoted(login, owner):
    page = login(owner).post(f"/members/{owner.pk}/role/", {"role": "admin"}, follow=True).content.decode()
    assert "A workspace needs at least one owner." in page
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_an_owner_can_hand_over_and_then_step_down(login, owner, admin):
    client = login(owner)
    client.post(f"/members/{admin.pk}/role/", {"role": "owner"})
    client.post(f"/members/{owner.pk}/role/", {"role": "admin"})
    admin.refresh_from_db()
    owner.refresh_from_db()
    assert (admin.role, owner.role) == ("owner", "admin")


def test_deactivated_member_loses_access(login, admin, agent, client):
    login(admin).post(f"/members/{agent.pk}/active/", {"active": "0"})
    agent.refresh_from_db()
    assert agent.is_active is False
    client.logout()
    assert login(agent).get("/customers/").status_code == 403


def test_permission_matrix_is_rendered(login, admin):
    page = login(admin).get("/members/").content.decode()
    assert "Export the audit trail" in page and "Manage connections" in page


def test_api_token_is_shown_once_and_can_be_revoked(login, agent):
    client = login(agent)
    client.post("/account/tokens/", {"name": "CRM sync"})
    first = client.get("/account/").content.decode()
    row = ApiToken.objects.get(member=agent)
    assert "Copy it now: it is shown only once." in first and row.prefix in first
    assert "Copy it now" not in client.get("/account/").content.decode()
    client.post(f"/account/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(login, agent, admin):
    row, _token = ApiToken.issue(member=admin)
    login(agent).post(f"/account/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is None


def test_language_preference_is_saved_and_applied(login, agent):
    client = login(agent)
    client.post("/account/language/", {"language": "tr"})
    agent.refresh_from_db()
    assert agent.language == "tr"
    assert client.session["member_language"] == "tr"
    assert client.get("/account/")["Content-Language"] == "tr"
    client.post("/account/language/", {"language": ""})
    assert "member_language" not in client.session
    assert client.get("/account/")["Content-Language"] == "en"


def test_panel_settings_validate_origins_and_rotate_the_secret(login, admin):
    client = login(admin)
    page = client.post("/panel-settings/", {"origins": "https://acme.zendesk.com/path"}).content.decode()
    assert "Not an origin" in page
    client.post("/panel-settings/", {"origins": "https://acme.zendesk.com\nhttps://*.freshdesk.com"})
    admin.workspace.refresh_from_db()
    assert admin.workspace.frame_origins() == ["https://acme.zendesk.com", "https://*.freshdesk.com"]
    before = admin.workspace.panel_secret
    client.post("/panel-settings/rotate/")
    admin.workspace.refresh_from_db()
    assert admin.workspace.panel_secret != before


def test_admin_sets_helpdesk_identities_used_by_the_panel(login, admin, agent):
    client = login(admin)
    client.post(f"/members/{agent.pk}/identities/", {"identities": "zendesk:12345, Agent.Two@Acme.example zendesk:12345"})
    agent.refresh_from_db()
    assert agent.desk_identities == ["zendesk:12345", "Agent.Two@Acme.example"]
    page = client.post(f"/members/{agent.pk}/identities/", {"identities": "not-an-identity"}, follow=True).content.decode()
    assert "“not-an-identity” is neither an email nor “desk:id” (e.g. zendesk:12345)." in page
    agent.refresh_from_db()
    assert agent.desk_identities == ["zendesk:12345", "Agent.Two@Acme.example"]


def test_agent_cannot_set_identities(login, agent, admin):
    assert login(agent).post(f"/members/{admin.pk}/identities/", {"identities": "zendesk:1"}).status_code == 403
