"""Approvals over the API: the queue of over-limit requests, approve and reject (owners and admins)."""

from __future__ import annotations

from ninja import Router, Schema

from chargeside.actions.models import ActionAttempt
from chargeside.actions.runner import approval_approve, approval_reject
from chargeside.workspaces.roles import Perm, can

from .errors import ApiError
from .schemas import AttemptOut, ErrorOut
from .serialize import attempt_json

router = Router(tags=["approvals"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RejectIn(Schema):
    note: str = ""


@router.get("", response={200: list[AttemptOut], **ERRORS}, summary="Requests waiting for approval, oldest first")
def approvals_list(request):
    if not can(request.member.role, Perm.APPROVE):
        raise ApiError(403, "forbidden", "Only an admin or owner can see the approval queue.")
    pending = (ActionAttempt.objects.filter(workspace=request.workspace, status=ActionAttempt.Status.AWAITING_APPROVAL)
               .select_related("connection").order_by("created_at"))
    return [attempt_json(attempt) for attempt in pending]


@router.post("/{attempt_id}/approve", response={200: AttemptOut, 502: AttemptOut, 503: AttemptOut, **ERRORS},
             summary="Approve and run it now (never your own request)")
def approvals_approve(request, attempt_id: int):
    attempt = approval_approve(approver=request.member, attempt_id=attempt_id).attempt
    if attempt.status == ActionAttempt.Status.FAILED:
        return (503 if attempt.error_retryable else 502), attempt_json(attempt)
    return 200, attempt_json(attempt)


@router.post("/{attempt_id}/reject", response={200: AttemptOut, **ERRORS}, summary="Reject it; nothing is run")
def approvals_reject(request, attempt_id: int, body: RejectIn):
    return attempt_json(approval_reject(approver=request.member, attempt_id=attempt_id, note=body.note.strip()[:1000]))
