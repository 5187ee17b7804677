"""HubSpot CRM API, the one call we make: a note associated with the record the agent acted from.

    POST {base}/crm/v3/objects/notes      Authorization: Bearer <private app / OAuth access token>
    {"properties": {"hs_timestamp": "2026-11-24T10:30:00.000Z", "hs_note_body": "<html>"},
     "associations": [{"to": {"id": "<record id>"},
                       "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": <id>}]}]}
    → 201 {"id": "…", "properties": {…}, "createdAt": "…", …}; errors as {"status": "error", "message", "category"}

Plain httpx: the official client (`hubspot-api-client`) is not installed in this environment. Its
`crm.objects.notes.basic_api.create(SimplePublicObjectInputForCreate(...))` sends the same request; if it
is added later, this module is the one place to swap.

Association type ids (HUBSPOT_DEFINED, note → record): contact 202 (HubSpot's docs), company 190, deal 214,
ticket 228 (widely used but not re-read in HubSpot's table here; see the adapter's notes).
"""

from __future__ import annotations

import datetime as dt

import httpx

from ..base import DeskError

DEFAULT_API_BASE = "https://api.hubapi.com"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
NOTE_ASSOCIATION = {"contact": 202, "company": 190, "deal": 214, "ticket": 228}


def parse_record(ref: str) -> tuple[str, str]:
    kind, _, record = str(ref).partition(":")
    if kind not in NOTE_ASSOCIATION or not record.isdigit():
        raise DeskError(f"not a HubSpot record reference: {ref!r}", retryable=False)
    return kind, record


def note_payload(ref: str, body_html: str, *, now: dt.datetime | None = None) -> dict:
    kind, record = parse_record(ref)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return {
        "properties": {"hs_timestamp": stamp, "hs_note_body": body_html},
        "associations": [{"to": {"id": record}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_ASSOCIATION[kind]}]}],
    }


class NotesClient:
    def __init__(self, *, base_url: str, access_token: str, transport: httpx.BaseTransport | None = None):
        self.base = (base_url or DEFAULT_API_BASE).rstrip("/")
        self.token, self.transport = access_token, transport

    def create_note(self, ref: str, body_html: str) -> str:
        """The new note's id."""
        if not self.token:
            raise DeskError("the connection has no HubSpot access token for notes", retryable=False)
        payload = note_payload(ref, body_html)
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.post(f"{self.base}/crm/v3/objects/notes", json=payload,
                                     headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise DeskError(f"HubSpot could not be reached: {type(exc).__name__}", retryable=True) from None
        if response.status_code not in (200, 201):
            retryable = response.status_code == 429 or response.status_code >= 500
            try:
                detail = str(response.json().get("message", ""))[:300]
            except (ValueError, AttributeError):
                detail = ""
            raise DeskError(f"HubSpot answered {response.status_code} to the note" + (f": {detail}" if detail else ""),
                            retryable=retryable, status=response.status_code)
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            return ""
