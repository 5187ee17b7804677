"""`{% load console_labels %}`: audit events and action names in words, translated."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

from chargeside.actions.inputs import label_of

register = template.Library()

EVENT_LABELS = {
    "requested": gettext_lazy("requested"),
    "succeeded": gettext_lazy("succeeded"),
    "failed": gettext_lazy("failed"),
    "approval_requested": gettext_lazy("sent for approval"),
    "approved": gettext_lazy("approved"),
    "rejected": gettext_lazy("rejected"),
    "merged": gettext_lazy("customers merged"),
    "split": gettext_lazy("customer split"),
    "member_invited": gettext_lazy("member invited"),
    "member_role_changed": gettext_lazy("role changed"),
    "member_deactivated": gettext_lazy("member deactivated"),
    "member_reactivated": gettext_lazy("member reactivated"),
    "member_identities_changed": gettext_lazy("helpdesk identities changed"),
    "limit_set": gettext_lazy("limit set"),
    "limit_removed": gettext_lazy("limit removed"),
    "connection_added": gettext_lazy("connection added"),
    "connection_changed": gettext_lazy("connection changed"),
    "connection_disabled": gettext_lazy("connection disabled"),
    "connection_enabled": gettext_lazy("connection enabled"),
    "connection_sync_requested": gettext_lazy("sync requested"),
    "panel_origins_changed": gettext_lazy("panel origins changed"),
    "panel_secret_rotated": gettext_lazy("panel secret rotated"),
}
OUTCOME_LABELS = {
    "pending": gettext_lazy("pending"), "succeeded": gettext_lazy("succeeded"), "failed": gettext_lazy("failed"),
    "awaiting": gettext_lazy("awaiting approval"), "awaiting_approval": gettext_lazy("awaiting approval"),
    "approved": gettext_lazy("approved"), "rejected": gettext_lazy("rejected"), "in_flight": gettext_lazy("in progress"),
}


ROLE_LABELS = {
    "owner": gettext_lazy("Owner"), "admin": gettext_lazy("Admin"), "finance": gettext_lazy("Finance"),
    "agent": gettext_lazy("Agent"), "viewer": gettext_lazy("Viewer"),
}


@register.filter
def role_label(value) -> str:
    return str(ROLE_LABELS.get(str(value), str(value or "").title()))


@register.filter
def event_label(value) -> str:
    return str(EVENT_LABELS.get(value, str(value or "").replace("_", " ")))


@register.filter
def action_label(value) -> str:
    return label_of(str(value or ""))


@register.filter
def outcome_label(value) -> str:
    return str(OUTCOME_LABELS.get(value, str(value or "").replace("_", " ")))
