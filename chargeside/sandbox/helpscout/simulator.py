"""``HelpScoutSimulator``: Help Scout's side of a legacy Dynamic App, on 127.0.0.1, for the demo and the tests.

What it plays, as Help Scout does it:
- the conversation page (`GET /conversation/{id}/{number}/`, `?user=<id>` picks the agent): the mailbox on
  the left, the thread in the middle, the customer and the apps in the right sidebar. To fill the app box it
  POSTs the Dynamic App callback to the configured callback URL, server-side, with the JSON Help Scout sends
  and `X-HelpScout-Signature` = base64(HMAC-SHA1(secret key, body)), and shows the `html` of the answer with
  scripts and style sheets stripped (Help Scout does the same).
- the Mailbox API 2.0 calls Chargeside makes for notes: `POST /v2/oauth2/token` (client credentials) and
  `POST /v2/conversations/{id}/notes` (Bearer; 201 with `Resource-ID` and `Location`; 401 for a bad token,
  404 for an unknown conversation, 400 without `text`). Notes appear on the conversation page.
- fault injection for notes: `fail_next_notes(500, 500, 500)` (or `POST /_sim/faults {"notes": [...]}`).

`flavour="freescout"` plays FreeScout with the CustomApp and API & Webhooks modules instead: the callback is
signed in `X-FREESCOUT-SIGNATURE`, conversations live at `/conversation/{id}`, and notes are
`POST /api/conversations/{id}/threads` with `X-FreeScout-API-Key` and `{"type": "note", "text", "user"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from chargeside.sandbox.loopback import LoopbackApp, SimulatorHandler

from .page import conversation_page, mailbox_page
from .state import Conversation, State, Thread


class HelpScoutSimulator(LoopbackApp):
    def __init__(self, *, callback_url: str = "", secret_key: str = "hs-sim-secret", client_id: str = "chargeside-app",
                 client_secret: str = "chargeside-app-secret", flavour: str = "helpscout", api_key: str = "fs-api-key"):
        if flavour not in ("helpscout", "freescout"):
            raise ValueError("flavour is 'helpscout' or 'freescout'")
        self.callback_url, self.secret_key, self.flavour = callback_url, secret_key, flavour
        self.client_id, self.client_secret, self.api_key = client_id, client_secret, api_key
        self.state = State()

    @property
    def product(self) -> str:
        return "FreeScout" if self.flavour == "freescout" else "Help Scout"

    # --- setting the scene ---------------------------------------------------------------------------
    def add_user(self, *, fname: str, lname: str, email: str = "", role: str = "user", user_id: int | None = None) -> dict:
        with self.state.lock:
            user = {"fname": fname, "lname": lname, "id": user_id or self.state.next_id(), "role": role, "convRedirect": 0}
            if email:
                user["email"] = email
            self.state.users[user["id"]] = user
        return user

    def add_conversation(self, *, email: str, fname: str = "", lname: str = "", subject: str = "", message: str = "",
                         emails: list[str] | None = None, customer_id: int | None = None) -> Conversation:
        with self.state.lock:
            conversation = Conversation(
                id=self.state.next_id(), number=self.state.next_id() % 1000 + 100, subject=subject,
                customer={"id": customer_id or self.state.next_id(), "fname": fname, "lname": lname, "email": email,
                          "emails": emails or [email]},
            )
            if message:
                conversation.threads.append(Thread(id=self.state.next_id(), type="customer", body=message,
                                                   by=f"{fname} {lname}".strip() or email))
            self.state.conversations[conversation.id] = conversation
        return conversation

    def fail_next_notes(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.note_faults.extend(int(s) for s in statuses)

    def notes(self, conversation_id: int) -> list[Thread]:
        with self.state.lock:
            conversation = self.state.conversations.get(int(conversation_id))
            return [t for t in conversation.threads if t.type == "note"] if conversation else []

    def conversation_url(self, conversation: Conversation, user_id: int | None = None) -> str:
        path = f"/conversation/{conversation.id}" + ("" if self.flavour == "freescout" else f"/{conversation.number}/")
        return f"{self.base_url}{path}" + (f"?user={user_id}" if user_id else "")

    # --- the Dynamic App callback ---------------------------------------------------------------------
    def callback_body(self, conversation: Conversation, user: dict | None) -> bytes:
        """The JSON Help Scout POSTs (compact, in its documented key order); FreeScout sends the same objects."""
        payload = {"ticket": {"id": conversation.id, "number": conversation.number, "subject": conversation.subject},
                   "customer": {k: v for k, v in conversation.customer.items() if v not in (None, "")}}
        if user:
            payload["user"] = user
        payload["mailbox"] = {"id": self.state.mailbox["id"], "email": self.state.mailbox["email"]}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    def signature(self, body: bytes) -> str:
        return base64.b64encode(hmac.new(self.secret_key.encode(), body, hashlib.sha1).digest()).decode()

    @property
    def signature_header(self) -> str:
        return "X-FREESCOUT-SIGNATURE" if self.flavour == "freescout" else "X-HelpScout-Signature"

    def call_app(self, conversation: Conversation, user: dict | None) -> tuple[int, str]:
        """POST the signed callback; (status, the app's html or why there is none)."""
        if not self.callback_url:
            return 0, "No callback URL is configured."
        body = self.callback_body(conversation, user)
        request = urllib.request.Request(self.callback_url, data=body, method="POST", headers={
            "Content-Type": "application/json", self.signature_header: self.signature(body),
        })
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return 0, f"The app could not be reached ({exc})."
        try:
            html = json.loads(raw.decode()).get("html", "")
        except (ValueError, AttributeError, UnicodeDecodeError):
            return status, "The app's answer is not JSON with html."
        return status, str(html)

    # --- serving --------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler


_NOTES = re.compile(r"^/v2/conversations/(\d+)/notes$")
_FS_THREADS = re.compile(r"^/api/conversations/(\d+)/threads$")
_PAGE = re.compile(r"^/conversation/(\d+)(?:/(\d+))?/?$")


class _Handler(SimulatorHandler):
    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode())

    def _error(self, status: int, message: str) -> None:
        # Help Scout API 2.0 answers errors as application/vnd.error+json with a logRef.
        body = json.dumps({"logRef": secrets.token_hex(6), "message": message, "_embedded": {"errors": []}}).encode()
        self._send(status, body, "application/vnd.error+json")

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/":
            return self._send(200, mailbox_page(self.sim).encode(), "text/html; charset=utf-8", _PAGE_HEADERS)
        if url.path == "/_sim/notes":
            conversation = int((query.get("conversation") or ["0"])[0] or 0)
            return self._json(200, [t.__dict__ for t in self.sim.notes(conversation)])
        match = _PAGE.match(url.path)
        if match:
            conversation = self.sim.state.conversations.get(int(match.group(1)))
            if conversation is None:
                return self._send(404, b"No such conversation", "text/plain")
            user_id = (query.get("user") or [""])[0]
            user = self.sim.state.users.get(int(user_id)) if user_id.isdigit() else next(iter(self.sim.state.users.values()), None)
            status, html = self.sim.call_app(conversation, user)
            page = conversation_page(self.sim, conversation, user, app_status=status, app_html=html)
            return self._send(200, page.encode(), "text/html; charset=utf-8", _PAGE_HEADERS)
        self._send(404, b"Not found", "text/plain")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/v2/oauth2/token" and self.sim.flavour == "helpscout":
            return self._token()
        if url.path == "/_sim/faults":
            try:
                self.sim.fail_next_notes(*json.loads(self._body() or b"{}").get("notes", []))
            except (ValueError, TypeError, AttributeError):
                return self._json(400, {"error": "send {\"notes\": [500, ...]}"})
            return self._send(204)
        match = _NOTES.match(url.path) if self.sim.flavour == "helpscout" else _FS_THREADS.match(url.path)
        if match:
            return self._note(int(match.group(1)))
        self._body()
        self._send(404, b"Not found", "text/plain")

    def _token(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return self._json(400, {"error": "unsupported_grant_type"})
        if not (hmac.compare_digest(form.get("client_id", ""), self.sim.client_id)
                and hmac.compare_digest(form.get("client_secret", ""), self.sim.client_secret)):
            return self._json(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        token = secrets.token_hex(16)
        with self.sim.state.lock:
            self.sim.state.tokens.add(token)
        self._json(200, {"token_type": "bearer", "access_token": token, "expires_in": 172800})

    def _authorised(self) -> bool:
        if self.sim.flavour == "freescout":
            return hmac.compare_digest(self.headers.get("X-FreeScout-API-Key", ""), self.sim.api_key)
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self.sim.state.tokens

    def _note(self, conversation_id: int) -> None:
        raw = self._body()
        if not self._authorised():
            return self._error(401, "Invalid or expired token")
        fault = self.sim.state.take_fault()
        if fault:
            return self._error(fault, "Injected fault")
        conversation = self.sim.state.conversations.get(conversation_id)
        if conversation is None:
            return self._error(404, "Conversation not found")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(400, "Malformed JSON")
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return self._error(400, "text: may not be empty")
        user = body.get("user")
        if self.sim.flavour == "freescout" and (body.get("type") != "note" or not isinstance(user, int)):
            return self._error(400, "type must be note and user is required")
        with self.sim.state.lock:
            thread = Thread(id=self.sim.state.next_id(), type="note", body=text, by="Chargeside",
                            user=user if isinstance(user, int) else None)
            conversation.threads.append(thread)
        prefix = "/api" if self.sim.flavour == "freescout" else "/v2"
        self._send(201, headers={"Resource-ID": str(thread.id),
                                 "Location": f"{self.sim.base_url}{prefix}/conversations/{conversation_id}/threads/{thread.id}"})


_PAGE_HEADERS = {
    # The page runs no script (Help Scout strips the app's); inline styles are Help Scout's own and the app's.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
