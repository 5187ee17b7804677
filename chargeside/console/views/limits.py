"""Money limits (per role or member, per currency) and the queue of over-limit requests to approve."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargeside.actions.audit import audit_append
from chargeside.actions.base import ActionError
from chargeside.actions.models import ActionAttempt
from chargeside.actions.runner import approval_approve, approval_reject
from chargeside.workspaces.models import ActionLimit
from chargeside.workspaces.roles import LIMITED_BY_DEFAULT, Perm

from ..access import console_view, page
from ..forms.limits import LimitForm
from ._helpers import get_in_workspace


@console_view(Perm.MANAGE_MEMBERS)
def limit_list(request):
    form = LimitForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        limit = form.save()
        audit_append(workspace=request.workspace, event="limit_set", member=request.member,
                     target=f"member:{limit.member.user.get_username()}" if limit.member else f"role:{limit.role}",
                     currency=limit.currency, outcome="succeeded",
                     detail={"per_action": limit.per_action, "per_day": limit.per_day})
        messages.success(request, _("Limit saved."))
        return redirect("console:limits")
    limits = ActionLimit.objects.filter(workspace=request.workspace).select_related("member__user").order_by("currency", "role", "member_id")
    configured_roles = {limit.role for limit in limits if limit.role}
    unlimited_roles = sorted(role.value for role in LIMITED_BY_DEFAULT if role.value not in configured_roles)
    return page(request, "console/limits/list.html", {
        "section": "limits", "form": form, "limits": limits, "unlimited_roles": unlimited_roles,
    })


@require_POST
@console_view(Perm.MANAGE_MEMBERS)
def limit_delete(request, pk: int):
    limit = get_in_workspace(ActionLimit, request, pk)
    audit_append(workspace=request.workspace, event="limit_removed", member=request.member,
                 target=f"member:{limit.member.user.get_username()}" if limit.member else f"role:{limit.role}",
                 currency=limit.currency, outcome="succeeded")
    limit.delete()
    messages.success(request, _("Limit removed."))
    return redirect("console:limits")


@console_view(Perm.APPROVE)
def approval_list(request):
    attempts = ActionAttempt.objects.filter(workspace=request.workspace).select_related("member__user", "approver__user", "customer", "connection")
    pending = attempts.filter(status=ActionAttempt.Status.AWAITING_APPROVAL).order_by("created_at")
    decided = attempts.filter(approver__isnull=False).order_by("-completed_at", "-created_at")[:20]
    return page(request, "console/limits/approvals.html", {"section": "approvals", "pending": pending, "decided": decided})


@require_POST
@console_view(Perm.APPROVE)
def approval_decide(request, pk: int):
    attempt = get_in_workspace(ActionAttempt, request, pk)  # foreign ids are 404 before the runner sees them
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            outcome = approval_approve(approver=request.member, attempt_id=attempt.pk)
            if outcome.ok:
                messages.success(request, _("Approved and done."))
            else:
                messages.error(request, _("Approved, but the gateway refused: %(error)s") % {"error": outcome.attempt.error_message})
        elif decision == "reject":
            approval_reject(approver=request.member, attempt_id=attempt.pk, note=request.POST.get("note", "").strip())
            messages.success(request, _("Rejected."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("console:approvals")
