"""The body our Freshdesk app sends → DeskContext (pure; no I/O).

The app (apps/freshdesk/app/scripts/app.js) reads the FDK data methods after `app.initialized()` and sends the
parts we need, keyed by the data method's name, through the `chargesidePanel` request template:

    {"ticket": {"id": 1234, "subject": "…", "requester_id": 5678},             client.data.get("ticket").ticket
     "contact": {"id": 5678, "name": "…", "email": "…", "other_emails": [...]}, client.data.get("contact").contact
     "loggedInUser": {"id": 42, "contact": {"name": "…", "email": "…", "language": "tr"}},
                                                                                client.data.get("loggedInUser").loggedInUser
     "domainName": "acme.freshdesk.com"}                                        client.data.get("domainName").domainName

The field names are Freshdesk's (API v2 ticket/contact/agent objects, which the data methods mirror); which of
them each data method fills in is not confirmed (protocols README, uncertainty 2), so every field is optional
and the requester falls back from the contact to the ticket's `requester_id`. The ticket's link is built from
the connection's Freshdesk address, never from `domainName` (the agent's browser could send anything there).
"""

from __future__ import annotations

from ..panel import DeskContext
from ..payload import json_object
from ..payload import object_at as _object
from ..payload import plain_text as _text

MAX_EMAILS = 20
MAX_BODY = 64 * 1024  # the app sends a few hundred bytes; anything much larger is not our app


def parse_body(body: bytes) -> dict:
    return json_object(body, max_bytes=MAX_BODY)


def panel_context(payload: dict, *, workspace, web_url: str) -> DeskContext:
    ticket, contact, user = _object(payload, "ticket"), _object(payload, "contact"), _object(payload, "loggedInUser")
    user_contact = user.get("contact") if isinstance(user.get("contact"), dict) else {}
    others = contact.get("other_emails") if isinstance(contact.get("other_emails"), list) else []
    emails = tuple(dict.fromkeys(e for e in map(_text, [contact.get("email"), *others]) if "@" in e))[:MAX_EMAILS]
    ticket_id = _text(ticket.get("id"))
    ticket_id = ticket_id if ticket_id.isdigit() else ""
    agent_email, agent_id = _text(user_contact.get("email") or user.get("email")), _text(user.get("id"))
    return DeskContext(
        workspace=workspace, emails=emails, name=_text(contact.get("name")),
        ticket=ticket_id, ticket_url=ticket_url(web_url, ticket_id),
        agent=agent_email if "@" in agent_email else (f"freshdesk:{agent_id}" if agent_id else ""),
        lang=_text(user_contact.get("language") or user.get("language")),
        requester_id=_text(contact.get("id") or ticket.get("requester_id")),
    )


def ticket_url(web_url: str, ticket_id: str) -> str:
    """Agents open a ticket at https://{domain}.freshdesk.com/a/tickets/{id}."""
    if not web_url or not str(ticket_id).isdigit():
        return ""
    return f"{web_url.rstrip('/')}/a/tickets/{ticket_id}"
