"""Template helpers of the panel: status pills, action buttons and labels, audit lines.

The panel's page templates (Jinja2, see helpdesks/jinja.py) call these as globals; the action forms
(Django templates) load them as tags.

Pills and action buttons appear on nearly every item of a panel page, so they are built here with their
strings remembered per language (labels) and per URL prefix (form links) instead of rendering a template
and reversing a URL each time.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

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


@register.simple_tag
def status_pill(status: str, kind: str = ""):
    """<span class="pill pill-{tone}">{label}</span>"""
    return _pill(status, kind, get_language())


@lru_cache(maxsize=512)
def _pill(status: str, kind: str, language: str):
    # A refund that "succeeded" went through; "paid" (how a charge's success reads) would mislead.
    label = gettext("completed") if kind == "refund" and status == "succeeded" else status_label(status)
    return format_html('<span class="pill pill-{}">{}</span>\n', _TONES.get(status, "muted"), label)


@register.simple_tag
def panel_actions(item):
    """(name, label, danger, url of its form) for the item's actions that have declared inputs."""
    language, found = get_language(), []
    for name in getattr(item, "actions", ()):
        button = _button(name, language)
        if button is not None:
            found.append((name, *button, action_form_url(name, item.id)))
    return found


@lru_cache(maxsize=256)
def _button(name: str, language: str) -> tuple[str, bool] | None:
    inputs = inputs_for(name)
    return None if inputs is None else (str(inputs.label), inputs.danger)


def action_form_url(name: str, item_id: int) -> str:
    """reverse("panel:action_form", args=[name, item_id]), from the route's text around the id."""
    head, tail = _form_url_around_id(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(item_id)}{tail}"


@lru_cache(maxsize=256)
def _form_url_around_id(name: str, script_prefix: str, urlconf) -> tuple[str, str]:
    probe = "9081726354"
    head, _, tail = reverse("panel:action_form", args=[name, probe], urlconf=urlconf).rpartition(probe)
    return head, tail


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
