"""Limits typed in major units, and the over-limit → approval → refund flow through the console."""

from __future__ import annotations

from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.workspaces.models import ActionLimit


def test_limit_form_stores_minor_units(login, admin, agent):
    response = login(admin).post("/limits/", {"scope": "role:agent", "currency": "eur", "per_action": "250.00", "per_day": "1000,50"})
    assert response.status_code == 302
    limit = ActionLimit.objects.get(workspace=admin.workspace, role="agent", currency="EUR")
    assert (limit.per_action, limit.per_day, limit.member) == (25000, 100050, None)


def test_limit_form_for_one_member_replaces_their_previous_row(login, admin, agent):
    client = login(admin)
    client.post("/limits/", {"scope": f"member:{agent.pk}", "currency": "JPY", "per_action": "5000", "per_day": ""})
    client.post("/limits/", {"scope": f"member:{agent.pk}", "currency": "JPY", "per_action": "7000", "per_day": ""})
    limit = ActionLimit.objects.get(workspace=admin.workspace, member=agent)
    assert (limit.currency, limit.per_action, limit.per_day) == ("JPY", 7000, None)


def test_limit_form_refuses_bad_amounts(login, admin):
    client = login(admin)
    page = client.post("/limits/", {"scope": "role:agent", "currency": "EUR", "per_action": "10.005", "per_day": ""}).content.decode()
    assert "EUR amounts have at most 2 decimal places." in page
    page = client.post("/limits/", {"scope": "role:agent", "currency": "EURO", "per_action": "1", "per_day": ""}).content.decode()
    assert "Enter a three-letter currency code such as EUR." in page
    page = client.post("/limits/", {"scope": "role:admin", "currency": "EUR", "per_action": "1", "per_day": ""}).content.decode()
    assert "Select a valid choice. role:admin is not one of the available choices." in page  # admins are never limited
    page = client.post("/limits/", {"scope": "role:agent", "currency": "EUR", "per_action": "", "per_day": ""}).content.decode()
    assert "Set a per-action limit, a per-day limit, or both." in page
    assert not ActionLimit.objects.exists()


def _refund(client, customer, charge, amount="30.00"):
    url = f"/customers/{customer.pk}/actions/refund/charge/{charge.pk}/"
    preview = client.post(url, {"step": "preview", "amount": amount, "reason": "Customer asked", "ticket_url": "https://desk.example/t/7"})
    assert preview.status_code == 200, preview.content.decode()
    return client.post(url, {"step": "confirm", "amount": amount, "reason": "Customer asked", "ticket_url": "https://desk.example/t/7"}, follow=True)


def test_refund_under_the_limit_runs_at_once(login, agent, fake_charge, sdk):
    customer, charge = fake_charge
    ActionLimit.objects.create(workspace=agent.workspace, role="agent", currency="EUR", per_action=5000)
    response = _refund(login(agent), customer, charge)
    assert "Done." in response.content.decode()
    refunds = sdk.v1.refunds.list({"charge": charge.remote_id}).data
    assert [(r.amount, r.currency) for r in refunds] == [(3000, "eur")]


def test_over_limit_refund_waits_and_an_admin_approves_it(login, agent, admin, fake_charge, sdk, client):
    customer, charge = fake_charge
    ActionLimit.objects.create(workspace=agent.workspace, role="agent", currency="EUR", per_action=2000)
    # when the agent refunds €30.00 with a €20.00 limit
    response = _refund(login(agent), customer, charge)
    # then it waits for approval and no money moved
    assert "Over your limit, so it now waits for an owner or admin to approve it" in response.content.decode()
    attempt = ActionAttempt.objects.get(workspace=agent.workspace, action="refund")
    assert attempt.status == ActionAttempt.Status.AWAITING_APPROVAL
    assert sdk.v1.refunds.list({"charge": charge.remote_id}).data == []
    # when the admin opens the queue and approves
    client.logout()
    admin_client = login(admin)
    queue = admin_client.get("/approvals/").content.decode()
    assert f'id="attempt-{attempt.pk}"' in queue and "€30.00" in queue
    page = admin_client.post(f"/approvals/{attempt.pk}/", {"decision": "approve"}, follow=True).content.decode()
    # then the refund happens and the trail records both the request and the decision
    assert "Approved and done." in page
    assert [r.amount for r in sdk.v1.refunds.list({"charge": charge.remote_id}).data] == [3000]
    events = list(AuditEvent.objects.filter(attempt=attempt).order_by("seq").values_list("event", "actor"))
    assert events == [("requested", "Acme-Agent"), ("approval_requested", "Acme-Agent"), ("approved", "Acme-Admin"),
                      ("succeeded", "Acme-Admin")]


def test_an_admin_can_reject_and_the_rejection_is_audited(login, agent, admin, fake_charge, sdk, client):
    customer, charge = fake_charge
    ActionLimit.objects.create(workspace=agent.workspace, role="agent", currency="EUR", per_action=2000)
    _refund(login(agent), customer, charge)
    attempt = ActionAttempt.objects.get(workspace=agent.workspace, action="refund")
    client.logout()
    page = login(admin).post(f"/approvals/{attempt.pk}/", {"decision": "reject", "note": "Too much"}, follow=True).content.decode()
    assert "Rejected." in page
    attempt.refresh_from_db()
    assert attempt.status == ActionAttempt.Status.REJECTED
    assert AuditEvent.objects.filter(attempt=attempt, event="rejected", reason="Too much").count() == 1
    assert sdk.v1.refunds.list({"charge": charge.remote_id}).data == []


def test_nobody_approves_their_own_request(login, admin, fake_charge):
    customer, charge = fake_charge
    admin_member = admin
    attempt = ActionAttempt.objects.create(workspace=admin.workspace, key="own" * 10, action="refund", member=admin_member,
                                           connection=charge.connection, customer=customer, params={}, params_hash="h",
                                           status=ActionAttempt.Status.AWAITING_APPROVAL, amount=100, currency="EUR")
    client = login(admin)
    assert "your own request" in client.get("/approvals/").content.decode()
    page = client.post(f"/approvals/{attempt.pk}/", {"decision": "approve"}, follow=True).content.decode()
    assert "You cannot approve your own request." in page
    assert ActionAttempt.objects.get(pk=attempt.pk).status == ActionAttempt.Status.AWAITING_APPROVAL


def test_confirm_runs_exactly_the_previewed_amount_even_if_the_charge_changed(login, agent, fake_charge, sdk):
    # given an agent previews a full refund (empty amount = everything refundable: €50.00)
    customer, charge = fake_charge
    client = login(agent)
    url = f"/customers/{customer.pk}/actions/refund/charge/{charge.pk}/"
    preview = client.post(url, {"step": "preview", "amount": "", "reason": "Duplicate"}).content.decode()
    assert 'name="amount_minor" value="5000"' in preview
    # when the charge changes before the confirmation (a €10.00 refund synced meanwhile)
    type(charge).objects.filter(pk=charge.pk).update(amount_refunded=1000, status="partially_refunded")
    page = client.post(url, {"step": "confirm", "amount_minor": "5000", "reason": "Duplicate"}).content.decode()
    # then it refuses instead of silently refunding a different amount
    assert "Only €40.00 of this charge can still be refunded." in page
    assert sdk.v1.refunds.list({"charge": charge.remote_id}).data == []
