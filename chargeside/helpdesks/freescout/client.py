"""FreeScout's API & Webhooks module, the one call we make: a note on a conversation (plain httpx).

    POST {base}/api/conversations/{id}/threads   X-FreeScout-API-Key: …
         JSON {"type": "note", "text": "<html>", "user": <FreeScout user id>}
    → 201, the new thread's id in the `Resource-ID` header (the module mirrors Help Scout's API 2.0)

These shapes are from memory of the module (protocols file, uncertainty 8); the simulator serves them as
written here. FreeScout requires a user for a note; the connection names one.
"""

from __future__ import annotations

import httpx

from ..base import DeskError
from ..helpscout.client import TIMEOUT


class FreeScoutClient:
    def __init__(self, *, base_url: str, api_key: str, user_id: str, transport: httpx.BaseTransport | None = None):
        self.base, self.api_key, self.user_id, self.transport = base_url.rstrip("/"), api_key, user_id, transport

    def create_note(self, conversation_id: str, text: str) -> str:
        if not str(conversation_id).isdigit():
            raise DeskError(f"not a FreeScout conversation id: {conversation_id!r}", retryable=False)
        if not self.base or not self.api_key or not str(self.user_id).isdigit():
            raise DeskError("the connection needs FreeScout's address, an API key and a user id for notes", retryable=False)
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                response = http.post(
                    f"{self.base}/api/conversations/{conversation_id}/threads",
                    json={"type": "note", "text": text, "user": int(self.user_id)},
                    headers={"X-FreeScout-API-Key": self.api_key, "Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise DeskError(f"FreeScout could not be reached: {type(exc).__name__}", retryable=True) from None
        if response.status_code != 201:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise DeskError(f"FreeScout answered {response.status_code} to the note", retryable=retryable, status=response.status_code)
        return response.headers.get("Resource-ID") or response.headers.get("Location", "").rstrip("/").rpartition("/")[2]
