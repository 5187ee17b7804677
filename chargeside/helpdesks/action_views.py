"""Actions from the panel: inline form → confirmation (action_preview) → run_action → refreshed panel.

GET  /panel/action/<name>/<item id>/           the inline form
POST /panel/action/<name>/<item id>/preview/   the confirmation (or the form again with what is wrong)
POST /panel/action/<name>/<item id>/run/       runs it; success re-renders the panel body, failure says why

Every request carries the panel-session token (X-Panel-Token, see `signing.py`), verified before the body is
read. The item must belong to the panel's customer and list the action (role × adapter × state); otherwise
the answer is 403/404, never a stack trace. Double submits are harmless: run_action derives the same key
for the same click on the same state, the confirmation carries a fingerprint of the state it was shown
(`seen`) and a run on a changed state is refused, and the buttons disable themselves while in flight.
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
from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.selectors import customer_item, status_label
from chargeside.core.formatting import money
from chargeside.core.signing import constant_time_equal

from .action_forms import ActionForm, form_for, major_text, request_params
from .http import panel_session_required
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
    form = form_for(name)
    if form is None:
        raise _Refused(404, _("This action does not exist."))
    member = session_member(session.workspace, session.member_id)
    if member is None:
        raise _Refused(403, _("You are not a member of this workspace, so the panel is read-only."))
    item = customer_item(
        workspace=session.workspace, customer_ids=list(session.customer_ids), kind=form.item_kind, item_id=item_id,
        member=member, language=session.language,
    )
    if item is None:
        raise _Refused(404, _("This item was not found for this customer."))
    if name not in item.actions:
        raise _Refused(403, _("This action is not available for this item (your role, the gateway or its state)."))
    return form, member, item


def _refusal(request, refused: _Refused) -> HttpResponse:
    return render(request, "chargeside/actions/result.html", {"level": "danger", "message": refused.message}, status=refused.status)


def _context(session, form: ActionForm, item, **extra) -> dict:
    remaining = getattr(item, form.remaining_field, 0) if form.remaining_field else 0
    currency = getattr(item, "currency", "")
    args = (form.name, item.id)
    return {
        "form": form, "item": item, "lang": session.language, "slot_id": f"slot-{item.kind}-{item.id}",
        "remaining": remaining, "remaining_text": major_text(remaining, currency) if remaining else "",
        "remaining_display": money(remaining, currency, session.language) if remaining and currency else "",
        "currency": currency, "preview_url": reverse("panel:action_preview", args=args), "run_url": reverse("panel:action_run", args=args),
        "form_url": reverse("panel:action_form", args=args),
        "values": {}, "error": "", "error_field": "", **extra,
    }


@require_GET
@panel_session_required
def action_form(request, session, name: str, item_id: int):
    try:
        form, _member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    return render(request, "chargeside/actions/form.html", _context(session, form, item, values={"mode": "full"}))


@require_POST
@panel_session_required
def action_preview_view(request, session, name: str, item_id: int):
    try:
        form, member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    values = {key: request.POST.get(key, "") for key in ("mode", "amount", "reason")}
    for choice in form.choices:
        values[choice.param] = request.POST.get(choice.param, "")
    try:
        params = request_params(form, item.id, request.POST)
        if form.reason_required and not values["reason"].strip():
            raise ActionError(_("Give a reason: it is recorded in the audit trail."), field="reason")
        preview = action_preview(
            member=member, language=session.language,
            request=ActionRequest(form.name, params, reason=values["reason"], ticket_url=session.ticket_url, source=SOURCE),
        )
    except ActionError as exc:
        return render(request, "chargeside/actions/form.html", _context(
            session, form, item, values=values, error=exc.message, error_field=exc.field,
        ))
    confirmed = {key: value for key, value in params.items() if key not in (form.item_param, "amount")}
    if form.money and preview.amount is not None:
        confirmed["amount_minor"] = str(preview.amount.amount)
    confirmed.update({key: str(value) for key, value in (getattr(preview, "confirm_params", None) or {}).items()})
    confirmed["seen"] = fingerprint(item)
    return render(request, "chargeside/actions/confirm.html", _context(
        session, form, item, preview=preview, confirmed=confirmed, reason=values["reason"],
        amount_display=money(preview.amount.amount, preview.amount.currency, session.language) if preview.amount else "",
    ))


@require_POST
@panel_session_required
def action_run(request, session, name: str, item_id: int):
    try:
        form, member, item = _load(session, name, item_id)
    except _Refused as refused:
        return _refusal(request, refused)
    reason = request.POST.get("reason", "")
    if not constant_time_equal(request.POST.get("seen", ""), fingerprint(item)):
        # Confirmed on a state that is gone: a second submit after the first went through, or a colleague
        # acted meanwhile. Show the new state instead of acting on an outdated confirmation.
        flash = {"level": "warning", "message": _("This changed since you reviewed it. Here is the current state; review again if still needed.")}
        return reswap(retarget(panel_body(request, session, flash=flash), "#panel-body"), "outerHTML")
    try:
        params = request_params(form, item.id, request.POST)
        outcome = run_action(member=member, request=ActionRequest(
            form.name, params, reason=reason, ticket_url=session.ticket_url, source=SOURCE,
        ))
    except ActionError as exc:
        return render(request, "chargeside/actions/result.html", {"level": "danger", "message": exc.message, "back_url": _context(session, form, item)["form_url"], "slot_id": f"slot-{item.kind}-{item.id}"})
    attempt = outcome.attempt
    amount = money(attempt.amount, attempt.currency, session.language) if attempt.amount is not None else ""
    if attempt.status == "succeeded":
        flash = {"level": "success", "message": (_("%(done)s: %(amount)s.") if amount else _("%(done)s.")) % {
            "done": form.done, "amount": amount}}
    elif attempt.status == "awaiting_approval":
        flash = {"level": "warning", "message": _("Above your limit: %(amount)s was sent to an admin for approval.") % {"amount": amount}}
    elif attempt.status == "in_flight":
        flash = {"level": "warning", "message": _("This action is already in progress.")}
    else:
        # The gateway's refusal, in its adapter's plain words; the panel stays where it was.
        return render(request, "chargeside/actions/result.html", {
            "level": "danger", "message": _("%(action)s failed: %(error)s") % {"action": form.noun, "error": attempt.error_message or status_label(attempt.status)},
            "back_url": _context(session, form, item)["form_url"], "slot_id": f"slot-{item.kind}-{item.id}",
        })
    return reswap(retarget(panel_body(request, session, flash=flash), "#panel-body"), "outerHTML")
