"""Event objects: one per state change, stored like any other object and then delivered."""

from __future__ import annotations

import fnmatch

from . import shapes
from .ids import new_id

# The version the official SDK (16.1.0) pins; events and responses claim to be this version.
API_VERSION = "2026-10-28.endive"

shapes.register(
    "event",
    {
        "api_version": API_VERSION,
        "context": None,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
    },
    nested=("data",),
)


def build(type_: str, obj: dict, *, now: int, request_id=None, idem_key=None,
          previous: dict | None = None, pending: int = 0) -> dict:
    data: dict = {"object": shapes.public(obj)}
    if previous:
        data["previous_attributes"] = previous
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "context": None,
        "created": now,
        "data": data,
        "livemode": False,
        "pending_webhooks": pending,
        "request": {"id": request_id, "idempotency_key": idem_key},
        "type": type_,
    }


def diff(before: dict, after: dict) -> dict:
    """``previous_attributes``: the old values of fields that changed (nested dicts partially)."""
    out = {}
    for key, old in before.items():
        if key.startswith("_"):
            continue
        new = after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") != "list":
            out[key] = diff(old, new) or old
        else:
            out[key] = old
    for key in after:
        if key not in before and not key.startswith("_"):
            out[key] = None
    return out


def matches(enabled_events: list[str], event_type: str) -> bool:
    return any(p == "*" or p == event_type or fnmatch.fnmatchcase(event_type, p) for p in enabled_events)
