"""A member of one workspace never reaches another's rows: every foreign id is "not found"."""

from __future__ import annotations

from chargeside.actions.audit import audit_append
from chargeside.actions.models import ActionAttempt
from chargeside.workspaces.models import ActionLimit

from .factories import make_offline_connection, seed_customer


def test_foreign_customer_connection_limit_member_and_approval_are_404(login, owner, other_workspace, make_member):
    # given another workspace with a customer, a connection, a limit, a member and a pending approval
    theirs = make_offline_connection(other_workspace, name="Globex Stripe")
    customer, charge = seed_customer(theirs, email="bob@globex.example", suffix="g")
    their_member = make_member(other_workspace, "agent")
    limit = ActionLimit.objects.create(workspace=other_workspace, role="agent", currency="EUR", per_action=100)
    attempt = ActionAttempt.objects.create(workspace=other_workspace, key="k" * 64, action="refund", member=their_member,
                                           connection=theirs, customer=customer, params={}, params_hash="h",
                                           status=ActionAttempt.Status.AWAITING_APPROVAL, amount=5000, currency="EUR")
    client = login(owner)
    # then every one of them is not found for Acme's owner
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    assert client.get(f"/customers/{customer.pk}/actions/refund/charge/{charge.pk}/").status_code == 404
    assert client.get(f"/connections/{theirs.pk}/").status_code == 404
    assert client.post(f"/connections/{theirs.pk}/test/").status_code == 404
    assert client.post(f"/limits/{limit.pk}/delete/").status_code == 404
    assert client.post(f"/members/{their_member.pk}/role/", {"role": "viewer"}).status_code == 404
    assert client.post(f"/approvals/{attempt.pk}/", {"decision": "approve"}).status_code == 404
    # and nothing changed
    assert ActionLimit.objects.filter(pk=limit.pk).exists()
    their_member.refresh_from_db()
    assert their_member.role == "agent"
    assert ActionAttempt.objects.get(pk=attempt.pk).status == ActionAttempt.Status.AWAITING_APPROVAL


def test_refund_of_a_foreign_charge_from_own_customer_page_is_404(login, agent, ada, other_workspace):
    customer, _charge = ada
    _their_customer, their_charge = seed_customer(make_offline_connection(other_workspace), suffix="g")
    response = login(agent).get(f"/customers/{customer.pk}/actions/refund/charge/{their_charge.pk}/")
    assert response.status_code == 404


def test_audit_and_search_show_only_own_workspace(login, owner, other_workspace, ada):
    # given an audit entry and a customer in the other workspace
    audit_append(workspace=other_workspace, event="secret_globex_event", target="globex:1", outcome="succeeded")
    seed_customer(make_offline_connection(other_workspace), email="ada@example.com", name="Ada Globex", suffix="g")
    client = login(owner)
    # then Acme's audit and search never show them
    assert "secret_globex_event" not in client.get("/audit/").content.decode()
    assert "secret_globex_event" not in client.get("/audit/export.csv").getvalue().decode()
    results = client.get("/customers/?q=ada@example.com").content.decode()
    assert "Ada Lovelace" in results
    assert "Ada Globex" not in results


def test_not_found_is_a_styled_page(login, owner):
    response = login(owner).get("/customers/999999/")
    assert response.status_code == 404
    assert "There is nothing here, or it belongs to another workspace." in response.content.decode()
