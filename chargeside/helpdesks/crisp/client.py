"""Crisp REST API v1, the one call we make: a private note in a conversation. Plain httpx (Crisp's Python
client adds nothing we need for one POST). Shape read in the official `crisp-api` Node library
(`lib/crisp.ts` request headers, `WebsiteConversation.sendMessageInConversation`):

    POST {base}/v1/website/{website_id}/conversation/{session_id}/message
    Authorization: Basic base64("{plugin token identifier}:{plugin token key}")
    X-Crisp-Tier: plugin
    {"type": "note", "from": "operator", "origin": "chat", "content": "<text>"}
    → 2xx {"error": false, "reason": "dispatched", "data": {"fingerprint": <int>}}

Crisp's notes are text (markdown-like), not HTML, so the note's plain form is sent. Errors come back as
{"error": true, "reason": "..."} with 4xx/5xx; 429 and 5xx are worth retrying.
"""

from __future__ import annotations

import httpx

from ..base import DeskError
from .context import valid_session_id, valid_website_id

DEFAULT_API_BASE = "https://api.crisp.chat"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "chargeside-crisp/1"


class CrispClient:
    def __init__(self, *, base_url: str, identifier: str, key: str, transport: httpx.BaseTransport | None = None):
        self.base = (base_url or DEFAULT_API_BASE).rstrip("/")
        self.identifier, self.key, self.transport = identifier, key, transport

    def create_note(self, website_id: str, session_id: str, text: str) -> str:
        """The note's fingerprint ("" if Crisp does not say)."""
        if not valid_website_id(website_id):
            raise DeskError(f"not a Crisp website id: {website_id!r}", retryable=False)
        if not valid_session_id(session_id):
            raise DeskError(f"not a Crisp session id: {session_id!r}", retryable=False)
        if not self.identifier or not self.key:
            raise DeskError("the connection has no Crisp plugin token for notes", retryable=False)
        url = f"{self.base}/v1/website/{website_id}/conversation/{session_id}/message"
        payload = {"type": "note", "from": "operator", "origin": "chat", "content": text}
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.post(url, json=payload, auth=(self.identifier, self.key),
                                     headers={"X-Crisp-Tier": "plugin", "User-Agent": USER_AGENT})
        except httpx.HTTPError as exc:
            raise DeskError(f"Crisp could not be reached: {type(exc).__name__}", retryable=True) from None
        status = response.status_code
        if status >= 400:
            reason = ""
            try:
                reason = str(response.json().get("reason", ""))[:80]
            except (ValueError, AttributeError):
                pass
            raise DeskError(f"Crisp answered {status}" + (f" ({reason})" if reason else "") + " to the note",
                            retryable=status == 429 or status >= 500, status=status)
        try:
            data = response.json().get("data") or {}
            return str(data.get("fingerprint", ""))
        except (ValueError, AttributeError):
            return ""
