"""Help Scout Mailbox API 2.0, the one call we make: a note on a conversation. Plain httpx (Help Scout has no
official Python client; the protocols file's reading of their docs):

    POST {base}/v2/oauth2/token          grant_type=client_credentials&client_id=…&client_secret=…  (form)
                                         → 200 {"token_type": "bearer", "access_token": …, "expires_in": seconds}
    POST {base}/v2/conversations/{id}/notes   Authorization: Bearer …, JSON {"text": "<html>"}
                                         → 201, the new thread's id in the `Resource-ID` header (and `Location`)

Tokens are kept per process until a minute before they expire; a 401 drops the token and asks for a new
one once. The base URL comes from the connection's settings, so tests and the demo point it at the
simulator (chargeside/sandbox/helpscout/).
"""

from __future__ import annotations

import threading
import time

import httpx

from ..base import DeskError

DEFAULT_API_BASE = "https://api.helpscout.net"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (base, client id) → (token, expires at, monotonic)
_lock = threading.Lock()


def _failed(response: httpx.Response, what: str) -> DeskError:
    retryable = response.status_code == 429 or response.status_code >= 500
    return DeskError(f"Help Scout answered {response.status_code} to {what}", retryable=retryable, status=response.status_code)


class MailboxClient:
    def __init__(self, *, base_url: str, client_id: str, client_secret: str, transport: httpx.BaseTransport | None = None):
        self.base = (base_url or DEFAULT_API_BASE).rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.transport = transport

    def _post(self, path: str, **kwargs) -> httpx.Response:
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                return http.post(f"{self.base}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise DeskError(f"Help Scout could not be reached: {type(exc).__name__}", retryable=True) from None

    def _token(self, *, fresh: bool = False) -> str:
        key = (self.base, self.client_id)
        with _lock:
            cached = _tokens.get(key)
            if cached and not fresh and cached[1] > time.monotonic():
                return cached[0]
        if not self.client_id or not self.client_secret:
            raise DeskError("the connection has no Help Scout app id and secret for notes", retryable=False)
        response = self._post("/v2/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret,
        })
        if response.status_code != 200:
            raise _failed(response, "the token request")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), int(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise DeskError("Help Scout's token answer has no access_token", retryable=True) from None
        with _lock:
            _tokens[key] = (token, time.monotonic() + max(lifetime - 60, 0))
        return token

    def create_note(self, conversation_id: str, text: str) -> str:
        """The new note's thread id ("" if Help Scout does not say)."""
        if not str(conversation_id).isdigit():
            raise DeskError(f"not a Help Scout conversation id: {conversation_id!r}", retryable=False)
        path = f"/v2/conversations/{conversation_id}/notes"
        response = None
        for fresh in (False, True):
            response = self._post(path, json={"text": text}, headers={"Authorization": f"Bearer {self._token(fresh=fresh)}"})
            if response.status_code != 401:
                break
        if response.status_code != 201:
            raise _failed(response, "the note")
        return response.headers.get("Resource-ID") or response.headers.get("Location", "").rstrip("/").rpartition("/")[2]
