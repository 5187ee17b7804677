"""run_action(): the one write path. Every billing action goes through the same steps.

permission → target from the caller's workspace only → capability → validation with a clear message →
attempt row + "requested" audit entry (one transaction; the unique key makes concurrent duplicates find
this row instead of making another) → limit check (over → awaiting approval) → the gateway call with an
idempotency key derived from the attempt, outside any database transaction → outcome recorded and the
gateway's answer upserted (one transaction). A retry of a failed-but-retryable attempt reuses the same
gateway key, so it can never move money twice.

The derived key covers the action, its target, the identifying parameters (`Action.key_params`) and the
state the agent confirmed (`state_seen` from the preview's `confirm_params`; without it, the current
state). API clients may send their own idempotency key instead.

Providers without idempotency keys (the adapter does not declare `Capability.IDEMPOTENCY_KEYS`): the same
gateway key would not stop a second refund, so before an attempt that already called the gateway calls it
again (a retry of a failed-but-retryable attempt, or an attempt resumed after it was abandoned in flight:
`attempt.calls > 0`), the runner asks `adapter.find_write()` whether that earlier call went through. If it
returns objects, the attempt is recorded as succeeded from them, with the target re-read as the action's own
call does (audited with `found_at_gateway`, upserted), and the write is not repeated; if it returns None,
the call is made. If the check itself fails, the attempt stays failed and retryable: writing without
knowing could move money twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chargeside.billing.upsert import upsert_many
from chargeside.gateways.errors import GatewayError
from chargeside.gateways.registry import adapter_for
from chargeside.gateways.types import Capability, ResourceKind
from chargeside.workspaces.roles import LIMITED_BY_DEFAULT, Perm, can

from .audit import audit_append
from .base import Action, ActionError, Conflict, Forbidden, NotFoundError, Preview, Target
from .limits import check_limit
from .models import ActionAttempt
from .registry import get_action

log = logging.getLogger(__name__)
# Billing rows an action can target, by model name, and the kind to re-read them as (see _and_target_now).
TARGET_KINDS = {"Charge": ResourceKind.CHARGE, "Subscription": ResourceKind.SUBSCRIPTION, "Invoice": ResourceKind.INVOICE}
Status = ActionAttempt.Status
# Far longer than a gateway call can take (the Stripe client times out after 10 s): an attempt still in
# flight after this was abandoned by a process that died, and the next identical request resumes it.
ABANDONED_AFTER = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class ActionRequest:
    action: str
    params: dict
    reason: str = ""
    ticket_url: str = ""
    source: str = "console"
    idempotency_key: str = ""  # an API client's own key; otherwise we derive one


@dataclass(frozen=True)
class ActionOutcome:
    attempt: ActionAttempt
    replayed: bool = False  # this request found an earlier attempt with the same key

    @property
    def status(self) -> str:
        return self.attempt.status

    @property
    def ok(self) -> bool:
        return self.attempt.status == Status.SUCCEEDED


def _prepare(member, request: ActionRequest) -> tuple[Action, Target, object, dict]:
    action = get_action(request.action)
    if not member.is_active or not can(member.role, action.permission):
        raise Forbidden()
    target = action.resolve(member.workspace, request.params or {})
    adapter = adapter_for(target.connection)
    if not adapter.supports(action.capability):
        raise ActionError(_("%(action)s is not supported by %(gateway)s.") % {"action": _(action.label), "gateway": adapter.display_name},
                          code="not_supported")
    cleaned = action.clean(target, request.params or {}, adapter)
    if (action.moves_money or action.requires_reason) and not request.reason.strip():
        raise ActionError(_("Give a reason: it is recorded in the audit trail."), field="reason")
    return action, target, adapter, cleaned


# The state the agent confirmed (a digest of the action's state token at preview time). A double click or a
# second tab sends the same value, so it finds the same attempt even when the first click already changed
# the object; a deliberate repeat goes through a new preview, sees the new state and is a new attempt.
SEEN_PARAM = "state_seen"


def _seen(action: Action, target: Target) -> str:
    return hashlib.sha256(action.state_token(target).encode()).hexdigest()[:16]


def action_preview(*, member, request: ActionRequest, language: str = "en") -> Preview:
    """The confirmation step. Runs every check run_action runs, and calls only read APIs. The preview's
    `confirm_params` (pinned instants and the state seen) are to be sent back with the confirmation."""
    action, target, adapter, cleaned = _prepare(member, request)
    try:
        preview = action.preview(target, cleaned, adapter, language)
    except GatewayError as exc:
        raise ActionError(_("%(gateway)s could not preview this: %(error)s") % {"gateway": adapter.display_name, "error": exc.message},
                          code=exc.code or "gateway") from None
    return replace(preview, confirm_params={**preview.confirm_params, SEEN_PARAM: _seen(action, target)})


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def run_action(*, member, request: ActionRequest) -> ActionOutcome:
    try:
        action, target, adapter, cleaned = _prepare(member, request)
    except (Forbidden, NotFoundError):
        raise
    except ActionError:
        # The same confirmation (or API key) arriving after its attempt already changed the object: validation
        # now refuses it ("already refunded"), but it is a repeat of a request we ran, so answer with that run.
        if (earlier := _earlier_run(member, request)) is not None:
            return ActionOutcome(earlier, replayed=True)
        raise
    workspace = member.workspace
    params_hash = hashlib.sha256(_canonical([action.name, target.label, action.key_params(cleaned)]).encode()).hexdigest()
    seen = str((request.params or {}).get(SEEN_PARAM) or "") or _seen(action, target)
    key = request.idempotency_key or hashlib.sha256(_canonical([workspace.id, params_hash, seen]).encode()).hexdigest()
    money = action.money(target, cleaned)
    attempt, created = _claim(member, request, action, target, cleaned, params_hash, key, money)
    if not created:
        if attempt.params_hash != params_hash:
            raise Conflict(_("This idempotency key was already used for a different request."), code="idempotency_conflict")
        if not _take_retry(attempt):
            return ActionOutcome(attempt, replayed=True)
        # A retry repeats the attempt as it was requested and audited (same amounts, same pinned instants).
        cleaned = attempt.params.get("cleaned", cleaned)
    elif money is not None and member.role in LIMITED_BY_DEFAULT:
        verdict = check_limit(member, money.amount, money.currency, exclude_attempt_id=attempt.pk)
        if not verdict.allowed:
            _await_approval(attempt, member, target, verdict.message)
            return ActionOutcome(attempt)
    return ActionOutcome(_execute(attempt, action, target, cleaned, adapter, actor=member))


def _earlier_run(member, request: ActionRequest) -> ActionAttempt | None:
    params = request.params or {}
    if request.idempotency_key:
        candidates = ActionAttempt.objects.filter(workspace=member.workspace, key=request.idempotency_key)
    elif params.get(SEEN_PARAM):
        candidates = ActionAttempt.objects.filter(workspace=member.workspace, member=member, action=request.action).order_by("-id")[:50]
    else:
        return None
    return next((attempt for attempt in candidates if attempt.params.get("request") == params), None)


def _claim(member, request, action, target, cleaned, params_hash, key, money) -> tuple[ActionAttempt, bool]:
    try:
        with transaction.atomic():
            attempt = ActionAttempt.objects.create(
                workspace=member.workspace, key=key, action=action.name, member=member, connection=target.connection,
                customer=target.customer, target_remote_id=target.remote_id,
                params={"request": request.params, "cleaned": cleaned}, params_hash=params_hash,
                amount=money.amount if money else None, currency=money.currency if money else "",
                reason=request.reason.strip(), ticket_url=request.ticket_url, source=request.source,
                status=Status.IN_FLIGHT,
            )
            audit_append(
                workspace=member.workspace, event="requested", member=member, action=action.name, attempt=attempt,
                customer=target.customer, target=target.label, amount=attempt.amount, currency=attempt.currency,
                reason=attempt.reason, ticket_url=attempt.ticket_url, outcome="pending", detail={"source": request.source},
            )
            return attempt, True
    except IntegrityError:
        return ActionAttempt.objects.get(workspace=member.workspace, key=key), False


def _take_retry(attempt: ActionAttempt) -> bool:
    """Claim a failed, retryable attempt, or one abandoned in flight, for one more call with the same gateway
    key. Only one concurrent caller wins the conditional update."""
    if attempt.status == Status.FAILED and attempt.error_retryable:
        won = ActionAttempt.objects.filter(pk=attempt.pk, status=Status.FAILED).update(status=Status.IN_FLIGHT)
    elif attempt.status == Status.IN_FLIGHT and timezone.now() - (attempt.last_call_at or attempt.created_at) > ABANDONED_AFTER:
        won = ActionAttempt.objects.filter(pk=attempt.pk, status=Status.IN_FLIGHT, last_call_at=attempt.last_call_at).update(
            last_call_at=timezone.now())
        if won:
            log.warning("resuming action %s attempt %s abandoned in flight", attempt.action, attempt.pk)
    else:
        return False
    attempt.refresh_from_db()
    return bool(won)


def _await_approval(attempt, member, target, message) -> None:
    with transaction.atomic():
        ActionAttempt.objects.filter(pk=attempt.pk).update(status=Status.AWAITING_APPROVAL, error_message=message)
        audit_append(
            workspace=member.workspace, event="approval_requested", member=member, action=attempt.action, attempt=attempt,
            customer=target.customer, target=target.label, amount=attempt.amount, currency=attempt.currency,
            reason=attempt.reason, ticket_url=attempt.ticket_url, outcome="awaiting", detail={"limit": message},
        )
    attempt.refresh_from_db()


def _execute(attempt, action, target, cleaned, adapter, *, actor) -> ActionAttempt:
    if attempt.calls and not adapter.supports(Capability.IDEMPOTENCY_KEYS):
        # An earlier call of this attempt may have reached a gateway that cannot de-duplicate by our key.
        try:
            found = _earlier_write(attempt, adapter)
        except GatewayError as exc:
            _finish(attempt, target, actor, Status.FAILED, error=exc, retryable=True)
            attempt.refresh_from_db()
            return attempt
        if found:
            log.warning("action %s attempt %s: an earlier call went through at the gateway; not calling again", attempt.action, attempt.pk)
            _succeed(attempt, action, target, actor, _and_target_now(list(found), target, adapter), found_at_gateway=True)
            attempt.refresh_from_db()
            return attempt
    ActionAttempt.objects.filter(pk=attempt.pk).update(calls=F("calls") + 1, last_call_at=timezone.now())
    try:
        dtos = action.execute(target, cleaned, adapter, attempt.gateway_idempotency_key)
    except GatewayError as exc:
        _finish(attempt, target, actor, Status.FAILED, error=exc)
    except Exception as exc:  # a bug of ours: the outcome at the gateway is unknown, so keep it retryable
        log.exception("action %s attempt %s crashed", attempt.action, attempt.pk)
        _finish(attempt, target, actor, Status.FAILED, error=GatewayError(f"Internal error: {type(exc).__name__}", code="internal"), retryable=True)
    else:
        _succeed(attempt, action, target, actor, dtos)
    attempt.refresh_from_db()
    return attempt


def _earlier_write(attempt, adapter) -> list | None:
    """What an earlier call of this attempt already did at the gateway (`GatewayAdapter.find_write`), or None."""
    ActionAttempt.objects.filter(pk=attempt.pk).update(last_call_at=timezone.now())  # still being worked on
    return adapter.find_write(action=attempt.action, target_remote_id=attempt.target_remote_id,
                              idempotency_key=attempt.gateway_idempotency_key)


def _and_target_now(found: list, target, adapter) -> list:
    """What find_write returned, plus the target row's object as the gateway has it now unless it is among them:
    the action's own call reads its target back after writing (a refund re-reads its charge), so the panel shows
    the same thing whichever way the success was learned. Best effort: the write is known to have happened."""
    kind = TARGET_KINDS.get(type(target.obj).__name__) if target.obj is not None else None
    if kind is None or any(getattr(dto, "remote_id", None) == target.remote_id for dto in found):
        return found
    try:
        return [*found, adapter.fetch(kind, target.remote_id)]
    except GatewayError:
        return found  # webhooks and the next reconcile bring it


def _succeed(attempt, action, target, actor, dtos, *, found_at_gateway: bool = False) -> None:
    result = action.result(dtos)
    detail = action.audit_detail(result)
    if found_at_gateway:
        detail = {**detail, "found_at_gateway": True}
    try:
        _finish(attempt, target, actor, Status.SUCCEEDED, dtos=action.stored(dtos), result=result, detail=detail)
    except Exception:
        # The gateway acted; only storing its answer failed. Record the success (webhooks and the next
        # sync bring the rows) rather than leave the attempt in flight for ever.
        log.exception("storing the answer of action %s attempt %s failed", attempt.action, attempt.pk)
        _finish(attempt, target, actor, Status.SUCCEEDED, result=result, detail={**detail, "stored": False})


def _finish(attempt, target, actor, status, *, dtos=(), result=None, detail=None, error: GatewayError | None = None,
            retryable=None) -> None:
    with transaction.atomic():
        if dtos:
            upsert_many(target.connection, dtos)
        fields = {"status": status, "completed_at": timezone.now(), "result": result or {}}
        if error is not None:
            retryable = error.retryable if retryable is None else retryable
            fields.update(
                error_code=error.code or error.kind, error_message=error.message, gateway_request_id=error.request_id,
                error_retryable=retryable,
            )
        else:
            fields.update(error_code="", error_message="", error_retryable=False)
        ActionAttempt.objects.filter(pk=attempt.pk).update(**fields)
        audit_append(
            workspace=attempt.workspace, event=status, member=actor, action=attempt.action, attempt=attempt,
            customer=target.customer, target=target.label, amount=attempt.amount, currency=attempt.currency,
            reason=attempt.reason, ticket_url=attempt.ticket_url, outcome=status,
            detail=(
                {"error": error.message, "code": error.code, "kind": error.kind, "retryable": retryable, "request_id": error.request_id}
                if error else (detail or {})
            ),
        )


# --- approvals -------------------------------------------------------------------------------------------

def _pending_for(approver, attempt_id: int) -> ActionAttempt:
    if not approver.is_active or not can(approver.role, Perm.APPROVE):
        raise Forbidden(_("Only an admin or owner can approve or reject."))
    attempt = ActionAttempt.objects.filter(workspace=approver.workspace, pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError(_("This request"))
    if attempt.status != Status.AWAITING_APPROVAL:
        raise Conflict(_("This request is no longer waiting for approval."), code="not_pending")
    if attempt.member_id == approver.pk:
        raise Forbidden(_("You cannot approve your own request."))
    return attempt


def approval_approve(*, approver, attempt_id: int) -> ActionOutcome:
    attempt = _pending_for(approver, attempt_id)
    action = get_action(attempt.action)
    target = action.resolve(approver.workspace, attempt.params.get("request", {}))
    with transaction.atomic():
        if not ActionAttempt.objects.filter(pk=attempt.pk, status=Status.AWAITING_APPROVAL).update(status=Status.IN_FLIGHT, approver=approver):
            raise Conflict(_("This request is no longer waiting for approval."), code="not_pending")
        audit_append(
            workspace=approver.workspace, event="approved", member=approver, action=attempt.action, attempt=attempt,
            customer=target.customer, target=target.label, amount=attempt.amount, currency=attempt.currency,
            reason=attempt.reason, ticket_url=attempt.ticket_url, outcome="approved",
        )
    attempt.refresh_from_db()
    return ActionOutcome(_execute(attempt, action, target, attempt.params["cleaned"], adapter_for(target.connection), actor=approver))


def approval_reject(*, approver, attempt_id: int, note: str = "") -> ActionAttempt:
    attempt = _pending_for(approver, attempt_id)
    with transaction.atomic():
        if not ActionAttempt.objects.filter(pk=attempt.pk, status=Status.AWAITING_APPROVAL).update(
            status=Status.REJECTED, approver=approver, completed_at=timezone.now(), error_message=note
        ):
            raise Conflict(_("This request is no longer waiting for approval."), code="not_pending")
        audit_append(
            workspace=approver.workspace, event="rejected", member=approver, action=attempt.action, attempt=attempt,
            customer=attempt.customer, target=f"{attempt.connection.provider}:{attempt.target_remote_id}" if attempt.connection else "",
            amount=attempt.amount, currency=attempt.currency, reason=note or attempt.reason, ticket_url=attempt.ticket_url,
            outcome="rejected",
        )
    attempt.refresh_from_db()
    return attempt
