"""Front Core API, the one call we make: a comment (Front's internal note) on a conversation. Plain httpx
(Front publishes no official Python client). From the Core API spec (`specs/front/core-api.json`):

    POST {base}/conversations/{conversation_id}/comments   Authorization: Bearer <API token>
         JSON {"body": "<text>"}   (required `body`; `author_id`, `is_pinned`, `attachments` optional)
    → 201 the comment object {"_links": …, "id": "com_…", "body": …, …}

The base URL is https://api2.frontapp.com unless the connection points it at a test server (the simulator).
"""

from __future__ import annotations

import re

import httpx

from ..base import DeskError

DEFAULT_API_BASE = "https://api2.frontapp.com"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_CONVERSATION_ID = re.compile(r"^cnv_[A-Za-z0-9]+$")


class FrontClient:
    def __init__(self, *, base_url: str, token: str, transport: httpx.BaseTransport | None = None):
        self.base, self.token, self.transport = (base_url or DEFAULT_API_BASE).rstrip("/"), token, transport

    def create_comment(self, conversation_id: str, body: str) -> str:
        """The new comment's id ("" if Front does not say)."""
        if not _CONVERSATION_ID.match(str(conversation_id)):
            raise DeskError(f"not a Front conversation id: {conversation_id!r}", retryable=False)
        if not self.token:
            raise DeskError("the connection has no Front API token for comments", retryable=False)
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.post(
                    f"{self.base}/conversations/{conversation_id}/comments", json={"body": body},
                    headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise DeskError(f"Front could not be reached: {type(exc).__name__}", retryable=True) from None
        if response.status_code != 201:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise DeskError(f"Front answered {response.status_code} to the comment", retryable=retryable,
                            status=response.status_code)
        try:
            return str(response.json().get("id") or "")
        except (ValueError, AttributeError):
            return ""
