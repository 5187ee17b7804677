"""The two Support REST API calls Chargeside makes, with httpx (zenpy, the ecosystem's client, is not installed
here and would need its URL building overridden to reach a test server; two calls do not justify it):

    GET {base}/api/v2/tickets/{id}.json?include=users      the ticket and, side-loaded, its users: who the
                                                          requester really is (not what the iframe says)
        → 200 {"ticket": {"id", "requester_id", "subject", ...}, "users": [{"id", "name", "email", "locale"}, ...]}
    PUT {base}/api/v2/tickets/{id}.json                   a private note (an internal comment)
        JSON {"ticket": {"comment": {"html_body": "...", "public": false}}}
        → 200 {"ticket": {...}, "audit": {"id", "events": [{"id", "type": "Comment", ...}]}}

Auth: `Authorization: Basic base64("{agent email}/token:{api token}")` (an API token of an agent who may
comment). `base` is https://{subdomain}.zendesk.com unless the connection names another (the simulator).
429 and 5xx are worth retrying (notes.py does, with backoff); other 4xx are refusals.
"""

from __future__ import annotations

import base64

import httpx

from ..base import DeskError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def basic_auth(email: str, api_token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}/token:{api_token}".encode()).decode()


class SupportClient:
    def __init__(self, *, base_url: str, email: str, api_token: str, transport: httpx.BaseTransport | None = None):
        self.base = base_url.rstrip("/")
        self.email, self.api_token, self.transport = email, api_token, transport

    def _call(self, method: str, path: str, what: str, **kwargs) -> dict:
        if not self.email or not self.api_token:
            raise DeskError("the connection has no Zendesk agent email and API token", retryable=False)
        headers = {"Authorization": basic_auth(self.email, self.api_token), "Accept": "application/json"}
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.request(method, f"{self.base}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise DeskError(f"Zendesk could not be reached: {type(exc).__name__}", retryable=True) from None
        if response.status_code != 200:
            status = response.status_code
            raise DeskError(f"Zendesk answered {status} to {what}", retryable=status == 429 or status >= 500, status=status)
        try:
            body = response.json()
        except ValueError:
            raise DeskError(f"Zendesk's answer to {what} is not JSON", retryable=True) from None
        if not isinstance(body, dict):
            raise DeskError(f"Zendesk's answer to {what} is not a JSON object", retryable=True)
        return body

    @staticmethod
    def _ticket_path(ticket_id: str) -> str:
        if not str(ticket_id).isdigit():
            raise DeskError(f"not a Zendesk ticket id: {ticket_id!r}", retryable=False)
        return f"/api/v2/tickets/{int(ticket_id)}.json"

    def ticket_with_users(self, ticket_id: str) -> dict:
        return self._call("GET", self._ticket_path(ticket_id), "the ticket lookup", params={"include": "users"})

    def add_private_note(self, ticket_id: str, html: str) -> str:
        """The new comment's id (the audit's Comment event), or the audit id, or ""."""
        body = self._call("PUT", self._ticket_path(ticket_id), "the note",
                          json={"ticket": {"comment": {"html_body": html, "public": False}}})
        audit = body.get("audit") if isinstance(body.get("audit"), dict) else {}
        for event in audit.get("events") or ():
            if isinstance(event, dict) and event.get("type") == "Comment" and event.get("id") is not None:
                return str(event["id"])
        return str(audit.get("id") or "")
