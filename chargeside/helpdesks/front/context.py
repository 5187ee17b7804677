"""The plugin SDK's context → DeskContext (pure; no I/O).

Front gives a plugin its context only in the browser (`Front.contextUpdates`); our plugin page (static
`chargeside/front/plugin.js`) posts the parts we use as JSON, in the SDK's own shape:

    {"type": "singleConversation", "id": "<context id>",
     "teammate": {"id": "tea_…", "email": "sam@acme.test", "username": "sam", "name": "Sam Agent"},
     "conversation": {"id": "cnv_…", "subject": "…", "status": "…",
                      "recipient": {"handle": "jane@example.com", "name": "Jane Doe", "type": "email",
                                    "contact": {"id": "crd_…", "name": "Jane Doe",
                                                "handles": [{"handle": "…", "source": "email"}]}}}}

Recipient, Conversation and Teammate properties are from Front's plugin SDK reference pages (Context,
Conversation: `recipient` is the main recipient, Recipient: `handle`/`name`/`type`/`contact`). The contact's
`handles` list is read only when present (not confirmed). The teammate has no locale in the SDK, so the
language is the member's or the workspace's.
"""

from __future__ import annotations

import json

from ..base import DeskPayloadError
from ..panel import DeskContext

MAX_EMAILS = 20


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return str(value).strip()[:500] if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def parse_context(raw: str | bytes) -> dict:
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, ValueError, TypeError):
        raise DeskPayloadError("the plugin context is not JSON") from None
    if not isinstance(payload, dict):
        raise DeskPayloadError("the plugin context is not a JSON object")
    if payload.get("type") != "singleConversation":
        raise DeskPayloadError("the plugin context is not a single conversation")
    if not _text(_object(payload.get("conversation")).get("id")):
        raise DeskPayloadError("the plugin context has no conversation id")
    return payload


def requester_emails(recipient: dict) -> tuple[str, ...]:
    found = []
    if recipient.get("type") in (None, "", "email"):
        found.append(_text(recipient.get("handle")))
    handles = _object(recipient.get("contact")).get("handles")
    for handle in handles if isinstance(handles, list) else ():
        handle = _object(handle)
        if handle.get("source") in (None, "", "email"):
            found.append(_text(handle.get("handle")))
    return tuple(dict.fromkeys(e for e in found if "@" in e))[:MAX_EMAILS]


def plugin_context(payload: dict, *, workspace, ticket_url) -> DeskContext:
    """`ticket_url(conversation id)` is the agent-facing link of a conversation."""
    conversation, teammate = _object(payload.get("conversation")), _object(payload.get("teammate"))
    recipient = _object(conversation.get("recipient"))
    contact = _object(recipient.get("contact"))
    conversation_id = _text(conversation.get("id"))
    email, teammate_id = _text(teammate.get("email")), _text(teammate.get("id"))
    return DeskContext(
        workspace=workspace, emails=requester_emails(recipient),
        name=_text(recipient.get("name")) or _text(contact.get("name")),
        ticket=conversation_id, ticket_url=ticket_url(conversation_id),
        agent=email if "@" in email else (f"front:{teammate_id}" if teammate_id else ""),
        lang="", requester_id=_text(contact.get("id")),
    )
