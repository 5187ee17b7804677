"""Freshdesk API v2, the one call we make: a private note on a ticket. Plain httpx (Freshworks publishes no
Python client; `python-freshdesk` is third-party and would add nothing to one POST):

    POST {https://domain.freshdesk.com}/api/v2/tickets/{id}/notes
         Authorization: Basic base64("{api_key}:X")      (the API key as user name, any password; "X" by convention)
         JSON {"body": "<html>", "private": true}
    → 201 with the note: {"id": …, "body": …, "private": true, "ticket_id": …, …}

429 (rate limit, with Retry-After) and 5xx are worth another try; other 4xx are refusals (a wrong key, a
deleted ticket). The base URL is the connection's Freshdesk address, so tests and the demo point it at the
simulator (chargeside/sandbox/freshdesk/).
"""

from __future__ import annotations

import httpx

from ..base import DeskError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class FreshdeskClient:
    def __init__(self, *, base_url: str, api_key: str, transport: httpx.BaseTransport | None = None):
        self.base, self.api_key, self.transport = (base_url or "").rstrip("/"), api_key, transport

    def create_private_note(self, ticket_id: str, html: str) -> str:
        """The new note's id ("" if Freshdesk does not say)."""
        if not str(ticket_id).isdigit():
            raise DeskError(f"not a Freshdesk ticket id: {ticket_id!r}", retryable=False)
        if not self.base or not self.api_key:
            raise DeskError("the connection needs the Freshdesk address and an API key for notes", retryable=False)
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.post(
                    f"{self.base}/api/v2/tickets/{ticket_id}/notes", json={"body": html, "private": True},
                    auth=(self.api_key, "X"), headers={"Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise DeskError(f"Freshdesk could not be reached: {type(exc).__name__}", retryable=True) from None
        if response.status_code != 201:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise DeskError(f"Freshdesk answered {response.status_code} to the note", retryable=retryable,
                            status=response.status_code)
        try:
            return str(response.json().get("id") or "")
        except (ValueError, AttributeError):
            return ""
