"""Canvas Kit submits: the panel's buttons, the action forms and their confirmations, run through run_action.

Each step answers with a new canvas (Intercom replaces the one shown):

    open:<action>:<id>    → the form: an input per declared field (amount prefilled with what is left to
                            refund), a reason, "Review" and "Back"
    review:<action>:<id>  → action_preview with the typed values: the confirmation, with the exact request
                            (parameters as previewed, the pinned state, the reason and the fingerprint of the
                            item as shown) kept in the canvas's stored_data; or the form again with the error
    run:<action>:<id>     → run_action with what stored_data carries, then notes.note_after_action(), then the
                            panel with what happened
    anything else         → the panel

stored_data comes back inside the signed body (X-Body-Signature covers it), so what was confirmed cannot be
changed on the way. Double submits are harmless the way the generic panel's are: the same confirmation
derives the same run_action key (`state_seen`), a confirmation of a state that is gone shows the panel
again, and the note is unique per attempt and desk connection (one refund, one note).
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from chargeside.actions.base import ActionError
from chargeside.actions.inputs import (
    bound_fields,
    check_choices,
    confirmation,
    inputs_for,
    load_subject,
    params_from,
)
from chargeside.actions.registry import get_action
from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.sections import actionable_item
from chargeside.billing.selectors import status_label
from chargeside.core.formatting import money
from chargeside.core.signing import constant_time_equal

from ..action_views import fingerprint
from ..deeplinks import SignedDeskLinks
from ..notes import note_after_action
from ..panel import build_panel
from ..views import PAGE_SIZE
from . import canvas as ck
from .context import Submitted

log = logging.getLogger(__name__)
REASON_MAX = 500


def handle(adapter, submitted: Submitted, *, context, connection) -> JsonResponse:
    built = build_panel(context, limit=PAGE_SIZE)
    links = SignedDeskLinks(connection=connection, context=context)
    with translation.override(built.language):
        step, _sep, rest = submitted.component_id.partition(":")
        name, _sep, item_id = rest.partition(":")
        if step in ("open", "review", "run") and item_id.isdigit():
            found = _actionable(built, name, int(item_id))
            if isinstance(found, str):
                return _panel(adapter, built, context, links, {"level": "danger", "message": found})
            inputs, item = found
            if step == "open":
                return JsonResponse(form_canvas(built, inputs, item, values={}))
            if step == "review":
                return JsonResponse(_review(built, context, inputs, item, submitted.input_values))
            return _run(adapter, built, context, connection, links, inputs, item, submitted.stored_data)
        return _panel(adapter, built, context, links)


def _panel(adapter, built, context, links, flash=None) -> JsonResponse:
    return JsonResponse(ck.canvas(ck.panel_components(built, links=links, flash=flash, agent=context.agent)))


def _actionable(built, name: str, item_id: int):
    """(inputs, item) when this member may run `name` on the item now; else why not, in words."""
    inputs = inputs_for(name)
    if inputs is None:
        return _("This action does not exist.")
    if built.member is None:
        return _("You are not a member of this workspace, so the panel is read-only.")
    item = actionable_item(workspace=built.workspace, customer_ids=list(built.customer_ids), kind=inputs.on, item_id=item_id,
                           member=built.member, language=built.language)
    if item is None:
        return _("This item was not found for this customer.")
    if name not in item.actions:
        return _("This action is not available for this item (your role, the gateway or its state).")
    return inputs, item


def _reason_required(inputs) -> bool:
    action = get_action(inputs.name)
    return action.moves_money or action.requires_reason


def form_canvas(built, inputs, item, *, values: dict, error: ActionError | None = None) -> dict:
    subject = load_subject(built.workspace, inputs, item.id)
    out = [ck.header(str(inputs.label)), ck.muted(ck.md(f"{item.provider} {item.remote_id}"))]
    if error is not None:
        out.append(ck.text(ck.md(error.message), "error"))
    for bound in bound_fields(inputs, subject, values, built.language):
        label = str(bound.label)
        if bound.kind == "money":
            value = str(values.get(bound.name) or bound.whole_text or "")
            help_text = _("Full: %(amount)s") % {"amount": bound.whole_display} if bound.whole_display else ""
            out.append({"type": "input", "id": bound.name, "label": f"{label} ({bound.currency})" if bound.currency else label,
                        "placeholder": bound.whole_text or "0.00", "value": value})
            if help_text:
                out.append(ck.muted(ck.md(help_text)))
        elif bound.kind == "choice":
            options = [{"type": "option", "id": value or "-", "text": text or "-"} for value, text in bound.options][:100]
            component = {"type": "dropdown", "id": bound.name, "label": label, "options": options}
            if bound.value:
                component["value"] = bound.value
            out.append(component)
        elif bound.kind == "checkbox":
            component = {"type": "checkbox", "id": bound.name, "label": label,
                         "options": [{"type": "option", "id": "1", "text": str(bound.help or label)}]}
            if bound.value:
                component["value"] = ["1"]
            out.append(component)
        else:
            out.append({"type": "input", "id": bound.name, "label": label, "value": bound.value,
                        "placeholder": str(bound.help or "")})
    if _reason_required(inputs):
        out.append({"type": "textarea", "id": "reason", "label": _("Reason"), "value": str(values.get("reason") or ""),
                    "placeholder": _("Recorded in the audit trail and the note on this conversation.")})
    out.append(ck.button(f"review:{inputs.name}:{item.id}", _("Review"), "primary"))
    out.append(ck.button("panel", _("Back"), "secondary"))
    return ck.canvas(out)


def _form_values(inputs, raw: dict) -> dict:
    """Canvas Kit input values → the form data params_from() reads (a dropdown's "-" is the blank option,
    a checkbox sends the list of checked option ids)."""
    data: dict = {}
    for field in inputs.fields:
        value = raw.get(field.name)
        if field.kind == "checkbox":
            data[field.name] = "1" if isinstance(value, list) and "1" in value else ""
        elif field.kind == "money":
            data["amount"] = str(value or "").strip()
            data["mode"] = "partial" if data["amount"] else "full"
        else:
            data[field.name] = "" if value in (None, "-") else str(value)
    data["reason"] = str(raw.get("reason") or "").strip()[:REASON_MAX]
    return data


def _review(built, context, inputs, item, raw: dict) -> dict:
    values = _form_values(inputs, raw)
    subject = load_subject(built.workspace, inputs, item.id)
    try:
        params = params_from(inputs, subject.pk, values)
        check_choices(inputs, subject, params, built.language)
        preview = action_preview(member=built.member, language=built.language, request=ActionRequest(
            inputs.name, params, reason=values["reason"], ticket_url=context.ticket_url, source="desk:intercom"))
    except ActionError as exc:
        return form_canvas(built, inputs, item, values=values, error=exc)
    carried = confirmation(inputs, params, preview)
    out = [ck.header(_("Confirm: %(action)s") % {"action": inputs.noun}), ck.text(ck.md(preview.summary))]
    if preview.amount is not None:
        out.append({"type": "data-table", "items": [
            {"type": "field-value", "field": _("Amount"), "value": money(preview.amount.amount, preview.amount.currency, built.language)},
        ] + [{"type": "field-value", "field": str(label), "value": str(value)} for label, value in preview.lines]})
    elif preview.lines:
        out.append({"type": "data-table", "items": [{"type": "field-value", "field": str(l), "value": str(v)} for l, v in preview.lines]})
    if values["reason"]:
        out.append(ck.muted(ck.md(f"{_('Reason')}: {values['reason']}")))
    out.append(ck.button(f"run:{inputs.name}:{item.id}", str(inputs.confirm), "primary"))
    out.append(ck.button(f"open:{inputs.name}:{item.id}", _("Back"), "secondary"))
    stored = {"action": inputs.name, "item": item.id, "params": carried, "reason": values["reason"], "seen": fingerprint(item)}
    return ck.canvas(out, stored)


def _run(adapter, built, context, connection, links, inputs, item, stored: dict) -> JsonResponse:
    if stored.get("action") != inputs.name or str(stored.get("item")) != str(item.id) or not isinstance(stored.get("params"), dict):
        return _panel(adapter, built, context, links, {"level": "danger", "message": _("This confirmation is not for this item; review again.")})
    if not constant_time_equal(str(stored.get("seen") or ""), fingerprint(item)):
        # Confirmed on a state that is gone (the same click twice, or a colleague acted): show the state now.
        return _panel(adapter, built, context, links, {"level": "warning", "message": _(
            "This changed since you reviewed it. Here is the current state; review again if still needed.")})
    reason = str(stored.get("reason") or "")[:REASON_MAX]
    try:
        subject = load_subject(built.workspace, inputs, item.id)
        params = params_from(inputs, subject.pk, stored["params"])
        check_choices(inputs, subject, params, built.language)
        outcome = run_action(member=built.member, request=ActionRequest(
            inputs.name, params, reason=reason, ticket_url=context.ticket_url, source=f"desk:{adapter.key}"))
    except ActionError as exc:
        return _panel(adapter, built, context, links, {"level": "danger", "message": exc.message})
    attempt = outcome.attempt
    note_after_action(desk=(connection.pk, context.ticket, adapter.key), attempt=attempt, language=built.language)
    amount = money(attempt.amount, attempt.currency, built.language) if attempt.amount is not None else ""
    if attempt.status == "succeeded":
        done = (_("%(done)s: %(amount)s.") if amount else _("%(done)s.")) % {"done": inputs.done, "amount": amount}
        flash = {"level": "success", "message": _("This was already done; nothing was repeated.") if outcome.replayed else done}
        if inputs.shows_link and (attempt.result or {}).get("url"):
            flash["message"] += f" {attempt.result['url']}"
    elif attempt.status == "awaiting_approval":
        flash = {"level": "warning", "message": _("Above your limit: %(amount)s was sent to an admin for approval.") % {"amount": amount}}
    elif attempt.status == "in_flight":
        flash = {"level": "warning", "message": _("This action is already in progress.")}
    else:
        flash = {"level": "danger", "message": _("%(action)s failed: %(error)s") % {
            "action": inputs.noun, "error": attempt.error_message or status_label(attempt.status)}}
    # The panel is built again: it shows the refund just made.
    fresh = build_panel(context, limit=PAGE_SIZE)
    return JsonResponse(ck.canvas(ck.panel_components(fresh, links=links, flash=flash, agent=context.agent)))
