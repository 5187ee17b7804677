"""The Dynamic App callback's JSON → DeskContext (pure; no I/O). Shape, per Help Scout's legacy docs and PHP
example (fields that do not apply are omitted; `ticket` is false for a draft):

    {"ticket": {"id": 123, "number": 456, "subject": "…"},
     "customer": {"id": 789, "fname": "Jane", "lname": "Doe", "email": "jane@example.com", "emails": [...]},
     "user": {"fname": "Al", "lname": "Agent", "id": 42, "role": "user", "convRedirect": 0},
     "mailbox": {"id": 5, "email": "help@example.com"}}

The user object carries no email in the documented payload, so the agent is known by its desk identity
"<desk key>:<user id>" (store it on the member in the console) unless an `email` is sent. A `locale` or
`language` on the user is used when present (not documented; FreeScout installs may send it).
"""

from __future__ import annotations

from ..panel import DeskContext
from ..payload import json_object
from ..payload import object_at as _object
from ..payload import plain_text as _text

MAX_EMAILS = 20


def parse_callback(body: bytes) -> dict:
    return json_object(body)


def callback_context(payload: dict, *, workspace, desk_key: str, web_url: str, conversation_path: str) -> DeskContext:
    """`conversation_path` is how the desk links a conversation: "/conversation/{id}/{number}/" for Help Scout."""
    ticket, customer, user = _object(payload, "ticket"), _object(payload, "customer"), _object(payload, "user")
    emails = [customer.get("email"), *(customer.get("emails") or [] if isinstance(customer.get("emails"), list) else [])]
    emails = tuple(dict.fromkeys(e for e in map(_text, emails) if "@" in e))[:MAX_EMAILS]
    ticket_id, number = _text(ticket.get("id")), _text(ticket.get("number"))
    ticket_url = ""
    if ticket_id.isdigit() and web_url:
        ticket_url = web_url.rstrip("/") + conversation_path.format(id=ticket_id, number=number).replace("//", "/")
    user_email, user_id = _text(user.get("email")), _text(user.get("id"))
    return DeskContext(
        workspace=workspace, emails=emails,
        name=" ".join(part for part in (_text(customer.get("fname")), _text(customer.get("lname"))) if part),
        ticket=ticket_id if ticket_id.isdigit() else "", ticket_url=ticket_url,
        agent=user_email if "@" in user_email else (f"{desk_key}:{user_id}" if user_id else ""),
        lang=_text(user.get("locale") or user.get("language")), requester_id=_text(customer.get("id")),
    )
