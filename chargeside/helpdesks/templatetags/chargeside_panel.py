"""Template helpers of the panel: status pills, action buttons and labels, dictionary lookups."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from chargeside.actions.inputs import inputs_for, noun_of
from chargeside.billing.selectors import status_label

register = template.Library()

# Status → pill colour. Anything unlisted is neutral grey.
_TONES = {
    "succeeded": "ok", "paid": "ok", "active": "ok", "won": "ok",
    "trialing": "info", "authorized": "info", "pending": "info", "draft": "muted", "under_review": "info",
    "partially_refunded": "warn", "refunded": "muted", "open": "warn", "warning": "warn", "paused": "muted",
    "failed": "bad", "past_due": "bad", "unpaid": "bad", "needs_response": "bad", "lost": "bad", "uncollectible": "bad",
    "incomplete": "warn", "canceled": "muted", "voided": "muted", "void": "muted", "closed": "muted",
}


@register.inclusion_tag("chargeside/panel/pill.html")
def status_pill(status: str, kind: str = ""):
    # A refund that "succeeded" went through; "paid" (how a charge's success reads) would mislead.
    label = gettext("completed") if kind == "refund" and status == "succeeded" else status_label(status)
    return {"label": label, "tone": _TONES.get(status, "muted")}


@register.simple_tag
def panel_actions(item):
    """(name, label, danger) for the item's actions that have declared inputs."""
    found = []
    for name in getattr(item, "actions", ()):
        inputs = inputs_for(name)
        if inputs is not None:
            found.append((name, str(inputs.label), inputs.danger))
    return found


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def audit_text(item) -> str:
    """One line for an audit entry: "Refund succeeded", "Refund sent for approval", ..."""
    action = noun_of(item.action) if item.action else gettext("Action")
    events = {
        "succeeded": gettext("%(action)s succeeded"), "failed": gettext("%(action)s failed"),
        "approval_requested": gettext("%(action)s sent for approval"), "approved": gettext("%(action)s approved"),
        "rejected": gettext("%(action)s rejected"),
    }
    return events.get(item.event, "%(action)s: " + item.event.replace("_", " ")) % {"action": action}
