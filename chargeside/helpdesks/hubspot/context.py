"""The CRM card data fetch's query string → DeskContext (pure; no I/O).

HubSpot calls the card's target URL with its default parameters and the record properties the card asks
for (`propertiesToSend`, apps/hubspot/card.json):

    userId, userEmail              the HubSpot user who opened the record (the agent)
    associatedObjectId, -Type      the record: CONTACT, TICKET, COMPANY or DEAL and its id
    portalId                       the HubSpot account (checked against the connection in authenticate)
    email, firstname, lastname     contact properties we ask for; hs_additional_emails (";"-separated)

A ticket record carries no requester email of its own: the card asks tickets for the properties named in
the connection's `email_properties` (e.g. a property a workflow copies the contact's email into). The
"ticket" we note on is the record itself, "<type>:<id>" ("contact:501", "ticket:9001"), so the note is
associated with whatever record the agent acted from.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..base import DeskPayloadError
from ..panel import DeskContext

MAX_EMAILS = 20
# HubSpot's object type ids, as its record URLs (/contacts/{portal}/record/{type id}/{id}) use them.
OBJECT_TYPES = {"contact": "0-1", "company": "0-2", "deal": "0-3", "ticket": "0-5"}


def _one(query: Mapping[str, list[str]], key: str) -> str:
    values = query.get(key) or []
    return str(values[0]).strip() if values else ""


def record_ref(query: Mapping[str, list[str]]) -> tuple[str, str]:
    """(object type, record id) the card was loaded on; DeskPayloadError when HubSpot did not say."""
    kind = _one(query, "associatedObjectType").lower()
    record = _one(query, "associatedObjectId")
    if kind not in OBJECT_TYPES:
        raise DeskPayloadError(f"unsupported associatedObjectType {kind!r}")
    if not record.isdigit():
        raise DeskPayloadError("associatedObjectId is not a HubSpot record id")
    return kind, record


def record_url(web_url: str, portal_id: str, kind: str, record: str) -> str:
    if not (web_url and portal_id.isdigit() and kind in OBJECT_TYPES and record.isdigit()):
        return ""
    return f"{web_url.rstrip('/')}/contacts/{portal_id}/record/{OBJECT_TYPES[kind]}/{record}"


def agent_of(query: Mapping[str, list[str]]) -> str:
    """The HubSpot user as a member identity: the user's email, else "hubspot:<user id>"."""
    email, user_id = _one(query, "userEmail"), _one(query, "userId")
    return email if "@" in email else (f"hubspot:{user_id}" if user_id.isdigit() else "")


def card_context(query: Mapping[str, list[str]], *, workspace, web_url: str, email_properties: tuple[str, ...]) -> DeskContext:
    kind, record = record_ref(query)
    emails: list[str] = []
    for name in email_properties:
        for value in query.get(name) or []:
            emails += [part.strip() for part in str(value).split(";")]
    emails = [e for e in dict.fromkeys(emails) if "@" in e][:MAX_EMAILS]
    name = " ".join(part for part in (_one(query, "firstname"), _one(query, "lastname")) if part)
    return DeskContext(
        workspace=workspace, emails=tuple(emails), name=name, ticket=f"{kind}:{record}",
        ticket_url=record_url(web_url, _one(query, "portalId"), kind, record), agent=agent_of(query),
        requester_id=record if kind == "contact" else "",
    )
