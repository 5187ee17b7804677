"""A Canvas Kit request's JSON → DeskContext and the submitted interaction (pure; no I/O).

Initialize (a teammate opens the conversation) and submit (a component with a submit action was used) carry
the same objects; submit adds what the teammate did. Shape, per the Canvas Kit reference and the request
types of Intercom's official Node SDK (intercom-client, `InitializeRequest`/`SubmitRequest`):

    {"workspace_id": "abc123", "workspace_region": "us",
     "admin": {"id": "1", "email": "agent@example.com", "name": "..."},
     "context": {"conversation_id": 111, "location": "conversation", "locale": "en"},
     "conversation": {"id": "111", ...}, "contact": {"id": "c1", "email": "...", "name": "...", "role": "user"},
     submit only: "component_id": "...", "input_values": {"amount": "45.50", ...},
                  "current_canvas": {"content": {...}, "stored_data": {...}}}

The admin is the teammate: known by email, or by the desk identity "intercom:<admin id>" stored on the member.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base import DeskPayloadError
from ..panel import DeskContext
from ..payload import json_object, object_at
from ..payload import plain_text as _text

MAX_EMAILS = 20
MAX_STORED = 64 * 1024  # Canvas Kit's own limit on stored_data


def parse_request(body: bytes) -> dict:
    return json_object(body)


def _object(payload: dict, key: str) -> dict:
    return object_at(payload, key, false_is_absent=False)


def conversation_id(payload: dict) -> str:
    """The conversation the app is shown on (digits); "" outside a conversation."""
    found = _text(_object(payload, "conversation").get("id")) or _text(_object(payload, "context").get("conversation_id"))
    return found if found.isdigit() else ""


def canvas_context(payload: dict, *, workspace, desk_key: str, inbox_url: str) -> DeskContext:
    """`inbox_url`: "https://app.intercom.com" (the conversation's agent URL is built from it and the workspace id)."""
    admin, contact, context = _object(payload, "admin"), _object(payload, "contact"), _object(payload, "context")
    emails = tuple(dict.fromkeys(e for e in (_text(contact.get("email")),) if "@" in e))[:MAX_EMAILS]
    ticket = conversation_id(payload)
    app_id = _text(payload.get("workspace_id") or payload.get("app_id"))
    ticket_url = f"{inbox_url.rstrip('/')}/a/inbox/{app_id}/inbox/conversation/{ticket}" if ticket and app_id and inbox_url else ""
    admin_email, admin_id = _text(admin.get("email")), _text(admin.get("id"))
    return DeskContext(
        workspace=workspace, emails=emails, name=_text(contact.get("name")), ticket=ticket, ticket_url=ticket_url,
        agent=admin_email if "@" in admin_email else (f"{desk_key}:{admin_id}" if admin_id else ""),
        lang=_text(context.get("locale")), requester_id=_text(contact.get("id")),
    )


@dataclass(frozen=True)
class Submitted:
    """What the teammate did: the component used, the values of the canvas's inputs, and our stored_data."""

    component_id: str
    input_values: dict = field(default_factory=dict)
    stored_data: dict = field(default_factory=dict)
    admin_id: str = ""


def submitted(payload: dict) -> Submitted:
    values = payload.get("input_values") or {}
    if not isinstance(values, dict):
        raise DeskPayloadError("'input_values' is not an object")
    canvas = _object(payload, "current_canvas")
    canvas = _object(canvas, "current_canvas") or canvas  # the Node SDK's type nests it once more
    stored = canvas.get("stored_data") or payload.get("stored_data") or {}
    if not isinstance(stored, dict):
        raise DeskPayloadError("'stored_data' is not an object")
    return Submitted(
        component_id=_text(payload.get("component_id"))[:200],
        input_values={str(k): v if isinstance(v, (str, list)) else _text(v) for k, v in values.items()},
        stored_data=stored, admin_id=_text(_object(payload, "admin").get("id")),
    )
