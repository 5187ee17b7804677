"""Actions from the panel: inline form → confirmation (action_preview) → run_action → refreshed panel.

GET  /panel/action/<name>/<subject id>/           the inline form
POST /panel/action/<name>/<subject id>/preview/   the confirmation (or the form again with what is wrong)
POST /panel/action/<name>/<subject id>/run/       runs it; success re-renders the panel body, failure says why

What each action asks for, and the row it starts from (a charge, a subscription, an invoice, or one of the
customer's gateway accounts for the customer-level actions), is declared once in `actions.inputs`.

Every request carries the panel-session token (X-Panel-Token, see `signing.py`), verified before the body is
read. The subject must belong to the panel's customer and list the action (role × adapter × state, see
`billing.sections`); otherwise the answer is 403/404, never a stack trace. Double submits are harmless:
run_action derives the same key for the same click on the same state (`state_seen`), the confirmation
carries a fingerprint of the state it was shown (`seen`) and a run on a changed state is refused, and the
buttons disable themselves while in flight.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from chargeside.actions.base import ActionError
from chargeside.actions.inputs import (
    ActionInputs, bound_fields, check_choices, confirmation, inputs_for, link_result, load_subject, params_from,
)
from chargeside.actions.registry import get_action
from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.sections import actionable_item
from chargeside.billing.selectors import status_label
from chargeside.core.formatting import money
from chargeside.core.signing import constant_time_equal

from .http import panel_session_required
from .notes import note_after_action
from .panel import session_member
from .views import panel_body

SOURCE = "panel"


def fingerprint(item) -> str:
    """What the agent saw when confirming: the item's state as shown (status, amounts, dates)."""
    seen = json.dumps([item.kind, item.id, item.status, sorted((k, str(v)) for k, v in item.fields.items())], ensure_ascii=False)
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _load(session, name: str, item_id: int):
    inputs = inputs_for(name)
    if inputs is None:
        raise _Refused(404, _("This action does not exist."))
    member = session_member(session.workspace, session.member_id)
    if member is None:
        raise _Refused(403, _("You are not a member of this workspace, so the panel is read-only."))
    item = actionable_item(
        workspace=session.workspace, customer_ids=list(session.customer_ids), kind=inputs.on, item_id=item_id,
        member=member, language=session.language,
    )
    if item is None:
        raise _Refused(404, _("This item was not found for this customer."))
    if name not in item.actions:
        raise _Refused(403, _("This action is not available for this item (your role, the gateway or its state)."))
    return inputs, member, item


def _refusal(request, refused: _Refused) -> HttpResponse:
    return render(request, "chargeside/actions/result.html", {"level": "danger", "message": refused.message}, status=refused.status)


def _context(session, inputs: ActionInputs, item, **extra) -> dict:
    action = get_action(inputs.name)
    args = (inputs.name, item.id)
    return {
        "inputs": inputs, "item": item, "lang": session.language, "slot_id": f"slot-{item.kind}-{item.id}",
        "reason_required": action.moves_money or action.requires_reason,
        "preview_url": reverse("panel:action_preview", args=args), "run_url": reverse("panel:action_run", args=args),
        "form_url": reverse("panel:action_form", args=args), "values": {}, "error": "", "error_field": "", **extra,
    }


def _form(request, session, inputs, item, *, values, subject=None, error=None):
    subject = subject or load_subject(session.workspace, inputs, item.id)
    return render(request, "chargeside/actions/form.html", _context(
        session, inputs, item, values=values, fields=bound_fields(inputs, subject, values, session.language),
        error=error.message if error else "", error_field=error.field if error else "",
    ), status=error.status if error else 200)


def _params(session, inputs, subject, data) -> dict:
    params = params_from(inputs, subject.pk, data)
    check_choices(inputs, subject, params, session.language)  # e.g. a plan of this connection, a card of this customer
    return params


@require_GET
@panel_session_required
def action_form(request, session, name: str, item_id: int):
    try:
        inputs, _member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    return _form(request, session, inputs, item, values={"mode": "full"})


@require_POST
@panel_session_required
def action_preview_view(request, session, name: str, item_id: int):
    try:
        inputs, member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    values = {key: request.POST.get(key, "") for key in ("mode", "amount", "reason", *(f.name for f in inputs.fields))}
    subject = load_subject(session.workspace, inputs, item.id)
    try:
        params = _params(session, inputs, subject, request.POST)
        preview = action_preview(
            member=member, language=session.language,
            request=ActionRequest(inputs.name, params, reason=values["reason"], ticket_url=session.ticket_url, source=SOURCE),
        )
    except ActionError as exc:
        return _form(request, session, inputs, item, values=values, subject=subject, error=exc)
    confirmed = {**confirmation(inputs, params, preview), "seen": fingerprint(item)}
    return render(request, "chargeside/actions/confirm.html", _context(
        session, inputs, item, preview=preview, confirmed=confirmed, reason=values["reason"],
        amount_display=money(preview.amount.amount, preview.amount.currency, session.language) if preview.amount else "",
    ))


def _failed(request, session, inputs, item, message: str) -> HttpResponse:
    context = _context(session, inputs, item)
    return render(request, "chargeside/actions/result.html", {
        "level": "danger", "message": message, "back_url": context["form_url"], "slot_id": context["slot_id"]})


@require_POST
@panel_session_required
def action_run(request, session, name: str, item_id: int):
    try:
        inputs, member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    reason = request.POST.get("reason", "")
    if not constant_time_equal(request.POST.get("seen", ""), fingerprint(item)):
        # Confirmed on a state that is gone: a second submit after the first went through, or a colleague
        # acted meanwhile. Show the new state instead of acting on an outdated confirmation.
        flash = {"level": "warning", "message": _("This changed since you reviewed it. Here is the current state; review again if still needed.")}
        return reswap(retarget(panel_body(request, session, flash=flash), "#panel-body"), "outerHTML")
    try:
        params = _params(session, inputs, load_subject(session.workspace, inputs, item.id), request.POST)
        outcome = run_action(member=member, request=ActionRequest(
            inputs.name, params, reason=reason, ticket_url=session.ticket_url,
            source=f"desk:{session.desk[2]}" if session.desk else SOURCE,
        ))
    except ActionError as exc:
        return _failed(request, session, inputs, item, exc.message)
    attempt = outcome.attempt
    if session.desk:
        # Opened from a desk's ticket: a private note there says what was done (posted by a task; its failing
        # never touches the action).
        note_after_action(desk=session.desk, attempt=attempt, language=session.language)
    amount = money(attempt.amount, attempt.currency, session.language) if attempt.amount is not None else ""
    if attempt.status == "succeeded" and inputs.shows_link:
        # The agent copies the gateway's page to the customer; the panel stays as it is.
        return render(request, "chargeside/actions/link.html", {**link_result(attempt.result, session.language), "inputs": inputs,
                                                                "replayed": outcome.replayed})
    if attempt.status == "succeeded":
        done = (_("%(done)s: %(amount)s.") if amount else _("%(done)s.")) % {"done": inputs.done, "amount": amount}
        flash = {"level": "success", "message": _("This was already done; nothing was repeated.") if outcome.replayed else done}
    elif attempt.status == "awaiting_approval":
        flash = {"level": "warning", "message": _("Above your limit: %(amount)s was sent to an admin for approval.") % {"amount": amount}}
    elif attempt.status == "in_flight":
        flash = {"level": "warning", "message": _("This action is already in progress.")}
    else:
        # The gateway's refusal, in its adapter's plain words; the panel stays where it was.
        return _failed(request, session, inputs, item, _("%(action)s failed: %(error)s") % {
            "action": inputs.noun, "error": attempt.error_message or status_label(attempt.status)})
    return reswap(retarget(panel_body(request, session, flash=flash), "#panel-body"), "outerHTML")
