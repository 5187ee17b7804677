"""Zendesk's answers → DeskContext pieces (pure; no I/O).

The requester comes from `GET /api/v2/tickets/{id}.json?include=users` (client.py), never from the iframe:
the ticket's `requester_id` names one of the side-loaded `users`, whose `email`, `name` and `id` we take.
A requester without an email (a phone or chat user) gives a context with no email: the panel says no
customer matches, as for any desk.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from ..base import DeskPayloadError
from ..payload import plain_text as _text

MAX_FORM_BYTES = 32_768


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as {name: the single value}; a repeated field is refused
    (ambiguous input is never guessed at)."""
    if len(body) > MAX_FORM_BYTES:
        raise DeskPayloadError("the form is too large")
    try:
        pairs = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=False, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise DeskPayloadError("the body is not a form") from None
    if any(len(values) != 1 for values in pairs.values()):
        raise DeskPayloadError("a form field is repeated")
    return {key: values[0] for key, values in pairs.items()}


def requester(payload: dict) -> tuple[str, str, str]:
    """(email, name, user id) of the ticket's requester in a ticket answer with side-loaded users."""
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise DeskPayloadError("the ticket answer has no ticket object")
    requester_id = _text(ticket.get("requester_id"))
    users = payload.get("users") if isinstance(payload.get("users"), list) else []
    for user in users:
        if isinstance(user, dict) and _text(user.get("id")) == requester_id and requester_id:
            email = _text(user.get("email"))
            return (email if "@" in email else ""), _text(user.get("name")), requester_id
    return "", "", requester_id
