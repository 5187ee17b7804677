"""The public JSON API (/api/v1/), Django Ninja. OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication: a member's bearer token. Every endpoint acts as that member: the same roles, limits and
tenancy as the console (another workspace's ids are 404). Errors: {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

import hashlib

from django.utils import translation
from ninja import Header, NinjaAPI, Query, Schema

from chargeside.actions.models import ActionAttempt
from chargeside.actions.registry import get_action
from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.matching import find_customers
from chargeside.billing.models import Customer
from chargeside.billing.selectors import customer_search, customer_view
from chargeside.console.audit_query import AuditFilters, audit_events
from chargeside.console.text import has_nul, plain
from chargeside.workspaces.roles import Perm, can

from . import approvals, errors
from .auth import MemberToken
from .errors import ApiError
from .schemas import ActionIn, AttemptOut, AuditPage, CustomerList, CustomerViewOut, ErrorOut, PreviewOut
from .serialize import attempt_json, customer_view_json, preview_json

api = NinjaAPI(
    title="Chargeside API", version="1", urls_namespace="api", auth=MemberToken(),
    description=__doc__.split("\n\n", 1)[1].strip(),
)
errors.install(api)
api.add_router("/approvals", approvals.router)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_KEY = 200


def _require(request, permission: Perm) -> None:
    if not can(request.member.role, permission):
        raise ApiError(403, "forbidden", "Your role does not allow this.")


def _language(request) -> str:
    language = request.member.language or translation.get_language() or "en"
    return language.split("-")[0]


class CustomerQuery(Schema):
    email: str = ""
    q: str = ""
    limit: int = 20


@api.get("/customers", response={200: CustomerList, **ERRORS}, summary="Find customers by email or a search query")
def customers_find(request, filters: Query[CustomerQuery]):
    _require(request, Perm.VIEW_BILLING)
    limit = max(1, min(filters.limit, 100))
    email, query = plain(filters.email, 320), plain(filters.q, 200)
    if email:
        found = find_customers(request.workspace, emails=[email])[:limit]
    elif query:
        found = customer_search(request.workspace, query, limit=limit)
    else:
        raise ApiError(400, "missing_query", "Give email=… or q=….", "q")
    return {"results": [{"id": c.pk, "name": c.name, "email": c.email} for c in found]}


@api.get("/customers/{customer_id}", response={200: CustomerViewOut, **ERRORS}, summary="The unified view of one customer")
def customer_get(request, customer_id: int, limit: int = 5):
    _require(request, Perm.VIEW_BILLING)
    if not Customer.objects.filter(workspace=request.workspace, pk=customer_id).exists():
        raise ApiError(404, "not_found", "Customer was not found in this workspace.")
    view = customer_view(workspace=request.workspace, customer_ids=[customer_id], member=request.member,
                         language=_language(request), limit=max(1, min(limit, 100)))
    return customer_view_json(view)


def _action_request(request, action: str, body: ActionIn, idempotency_key: str = "") -> ActionRequest:
    get_action(action)  # unknown action → 404 before anything else
    if not request.body.lstrip().startswith(b"{"):  # Ninja would read a JSON array or scalar as "all defaults"
        raise ApiError(422, "validation_error", "The body must be a JSON object: {\"params\": {…}, \"reason\": \"…\"}.")
    if has_nul(body.params) or has_nul(body.reason) or has_nul(body.ticket_url):
        raise ApiError(422, "validation_error", "Text must not contain NUL characters.")
    if body.ticket_url and not body.ticket_url.lower().startswith(("http://", "https://")):
        raise ApiError(422, "validation_error", "ticket_url must be an http(s) URL.", "ticket_url")
    key = ""
    if idempotency_key:
        if len(idempotency_key) > MAX_KEY or not idempotency_key.isprintable():
            raise ApiError(400, "invalid_idempotency_key", f"Idempotency-Key must be printable and at most {MAX_KEY} characters.", "Idempotency-Key")
        # Scoped to the member: two clients choosing the same key never see each other's attempts.
        key = hashlib.sha256(f"api:{request.member.pk}:{idempotency_key}".encode()).hexdigest()
    return ActionRequest(action=action, params=body.params, reason=body.reason, ticket_url=body.ticket_url,
                         source="api", idempotency_key=key)


@api.post("/actions/{action}/preview", response={200: PreviewOut, **ERRORS}, summary="What the action would do (no money moves)")
def action_preview_endpoint(request, action: str, body: ActionIn):
    preview = action_preview(member=request.member, request=_action_request(request, action, body), language=_language(request))
    return preview_json(preview, _language(request))


STATUS_CODES = {ActionAttempt.Status.AWAITING_APPROVAL: 202, ActionAttempt.Status.IN_FLIGHT: 202}


@api.post("/actions/{action}", response={200: AttemptOut, 201: AttemptOut, 202: AttemptOut, 502: AttemptOut, 503: AttemptOut, **ERRORS},
          summary="Run an action (refund, capture, …)",
          description="201: done now. 200: an earlier request with the same Idempotency-Key already answered. "
                      "202: over a limit, waiting for approval (or still running). 502: the gateway refused "
                      "(see error). 503: the gateway was unavailable; retry with the same Idempotency-Key.")
def action_run(request, action: str, body: ActionIn, idempotency_key: str = Header("", alias="Idempotency-Key")):
    outcome = run_action(member=request.member, request=_action_request(request, action, body, idempotency_key))
    attempt = outcome.attempt
    if attempt.status in STATUS_CODES:
        status = STATUS_CODES[attempt.status]
    elif attempt.status == ActionAttempt.Status.FAILED:
        status = 503 if attempt.error_retryable else 502
    elif attempt.status == ActionAttempt.Status.REJECTED:
        status = 200
    else:
        status = 200 if outcome.replayed else 201
    return status, attempt_json(attempt, replayed=outcome.replayed)


class AuditQuery(Schema):
    member: int | None = None
    action: str = ""
    customer: int | None = None
    outcome: str = ""
    date_from: str = ""
    date_to: str = ""
    limit: int = 50
    offset: int = 0


@api.get("/audit", response={200: AuditPage, **ERRORS}, summary="The audit trail, newest first")
def audit_list(request, filters: Query[AuditQuery]):
    _require(request, Perm.VIEW_AUDIT)
    parsed, problems = AuditFilters.from_query({
        "member": str(filters.member or ""), "action": filters.action, "customer": str(filters.customer or ""),
        "outcome": filters.outcome, "from": filters.date_from, "to": filters.date_to,
    })
    if problems:
        name, problem = next(iter(problems.items()))
        raise ApiError(422, "validation_error", f"{name}: {problem}", name)
    events = audit_events(request.workspace, parsed)
    offset, limit = max(filters.offset, 0), max(1, min(filters.limit, 500))
    rows = [
        {"seq": e.seq, "at": e.at, "actor": e.actor, "member_id": e.member_id, "event": e.event, "action": e.action,
         "outcome": e.outcome, "target": e.target, "customer_id": e.customer_id, "amount": e.amount, "currency": e.currency,
         "reason": e.reason, "ticket_url": e.ticket_url, "hash": e.hash}
        for e in events[offset:offset + limit]
    ]
    return {"count": events.count(), "results": rows}
