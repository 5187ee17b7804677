"""Limits per action and per day, per currency, member over role; approval and rejection by admins."""

import pytest

from chargeside.actions.base import ActionError, Conflict, Forbidden
from chargeside.actions.models import AuditEvent
from chargeside.actions.runner import approval_approve, approval_reject, run_action
from chargeside.workspaces.models import ActionLimit

from actions_world import ask, customer_with_card, paid_charge, refunds_at_gateway


@pytest.fixture
def charge(merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge_id = paid_charge(merchant, customer, pm, amount=10000, currency="eur")
    sync()
    return charge_id


def _limit(workspace, *, role="", member=None, currency="EUR", per_action=None, per_day=None):
    return ActionLimit.objects.create(workspace=workspace, role=role, member=member, currency=currency, per_action=per_action, per_day=per_day)


def test_over_the_per_action_limit_waits_for_approval(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    outcome = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00"))
    attempt = outcome.attempt
    assert (attempt.status, attempt.error_message) == ("awaiting_approval", "€60.00 is above your limit of €50.00 per action.")
    assert refunds_at_gateway(merchant, charge) == []
    entry = AuditEvent.objects.get(attempt=attempt, event="approval_requested")
    assert (entry.member, entry.amount, entry.detail["limit"]) == (agent, 6000, "€60.00 is above your limit of €50.00 per action.")


def test_at_the_limit_is_allowed(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="50.00")).ok


def test_per_day_limit_counts_what_was_already_moved(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_day=3000)
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="20.00")).ok
    second = run_action(member=agent, request=ask("refund", charge=charge, amount="15.00")).attempt
    assert (second.status, second.error_message) == (
        "awaiting_approval", "This would bring today's total to €35.00, above your daily limit of €30.00.")
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="10.00")).ok
    assert sorted(refunds_at_gateway(merchant, charge)) == [1000, 2000]


def test_limits_are_per_currency(workspace, agent, merchant, sync, charge):
    _limit(workspace, role="agent", currency="EUR", per_action=100)
    customer, pm = customer_with_card(merchant, email="usd@example.com")
    dollars = paid_charge(merchant, customer, pm, amount=90000, currency="usd")
    sync()
    assert run_action(member=agent, request=ask("refund", charge=dollars)).ok
    assert refunds_at_gateway(merchant, dollars) == [90000]


def test_the_members_own_row_beats_the_roles(workspace, agent, make_member, merchant, charge):
    _limit(workspace, role="agent", per_action=1000)
    _limit(workspace, member=agent, per_action=8000)
    strict = make_member(workspace, "agent", username="acme-agent-2")
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="70.00")).ok
    assert run_action(member=strict, request=ask("refund", charge=charge, amount="20.00")).attempt.status == "awaiting_approval"


def test_a_stricter_member_row_also_wins(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_action=8000)
    _limit(workspace, member=agent, per_action=1000)
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="20.00")).attempt.status == "awaiting_approval"


def test_owner_and_admin_are_not_limited_by_role_rows(workspace, admin, merchant, charge):
    _limit(workspace, role="admin", per_action=100)
    assert run_action(member=admin, request=ask("refund", charge=charge, amount="60.00")).ok


def test_admin_approves_and_the_refund_runs_with_the_approver_recorded(workspace, agent, admin, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    pending = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00")).attempt

    outcome = approval_approve(approver=admin, attempt_id=pending.pk)

    attempt = outcome.attempt
    assert (attempt.status, attempt.approver, attempt.member) == ("succeeded", admin, agent)
    assert refunds_at_gateway(merchant, charge) == [6000]
    trail = list(AuditEvent.objects.filter(attempt=attempt).order_by("seq").values_list("event", "member__user__username"))
    assert trail == [("requested", "acme-agent"), ("approval_requested", "acme-agent"), ("approved", "acme-admin"), ("succeeded", "acme-admin")]
    # What an admin approved does not use up the agent's own day.
    _limit(workspace, member=agent, per_day=5000)
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="40.00")).ok


def test_admin_rejects_and_nothing_moves(workspace, agent, owner, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    pending = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00")).attempt

    rejected = approval_reject(approver=owner, attempt_id=pending.pk, note="Goodwill is capped at €50.")

    assert (rejected.status, rejected.approver, rejected.error_message) == ("rejected", owner, "Goodwill is capped at €50.")
    entry = AuditEvent.objects.get(attempt=pending, event="rejected")
    assert (entry.member, entry.reason, entry.target) == (owner, "Goodwill is capped at €50.", f"stripe:{charge}")
    assert refunds_at_gateway(merchant, charge) == []
    with pytest.raises(Conflict, match="no longer waiting"):
        approval_approve(approver=owner, attempt_id=pending.pk)


@pytest.mark.parametrize("role", ["finance", "agent", "viewer"])
def test_only_admins_and_owners_approve(role, workspace, agent, make_member, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    pending = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00")).attempt
    other = make_member(workspace, role, username=f"other-{role}")
    with pytest.raises(Forbidden, match="Only an admin or owner can approve or reject."):
        approval_approve(approver=other, attempt_id=pending.pk)
    with pytest.raises(Forbidden):
        approval_reject(approver=other, attempt_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == "awaiting_approval"


def test_nobody_approves_their_own_request(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    pending = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00")).attempt
    agent.role = "admin"  # promoted meanwhile: still not their own approver
    agent.save()
    with pytest.raises(Forbidden, match="You cannot approve your own request."):
        approval_approve(approver=agent, attempt_id=pending.pk)
    assert refunds_at_gateway(merchant, charge) == []


def test_an_admin_of_another_workspace_cannot_see_the_request(workspace, other_workspace, agent, make_member, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    pending = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00")).attempt
    stranger = make_member(other_workspace, "admin")
    with pytest.raises(ActionError) as refused:
        approval_approve(approver=stranger, attempt_id=pending.pk)
    assert (refused.value.status, refused.value.message) == (404, "This request was not found in this workspace.")
    assert refunds_at_gateway(merchant, charge) == []


def test_repeating_a_pending_request_does_not_queue_it_twice(workspace, agent, merchant, charge):
    _limit(workspace, role="agent", per_action=5000)
    first = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00"))
    second = run_action(member=agent, request=ask("refund", charge=charge, amount="60.00"))
    assert (second.replayed, second.attempt.pk, second.status) == (True, first.attempt.pk, "awaiting_approval")
