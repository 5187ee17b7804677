"""``CrispSimulator``: Crisp's side of a plugin with an iFrame widget, on 127.0.0.1, for the demo and the tests.

What it plays, as Crisp does it (see chargeside/helpdesks/crisp/adapter.py for the sources):
- the inbox page of a conversation (`GET /website/{website_id}/inbox/{session_id}/?operator=<user id>`):
  conversations on the left, messages and private notes in the middle, the visitor's profile and the plugin
  widgets on the right. Our widget is an iframe whose URL is the plugin's widget URL with its data bindings
  filled (`{conversation.meta.email}`, ...) and Crisp's own parameters added: `website_id`, `session_id`,
  `token` (the website's plugin token) and `locale`.
- the REST API v1 call Chargeside makes for notes: `POST /v1/website/{website_id}/conversation/{session_id}/message`
  with Basic auth of the plugin token and `X-Crisp-Tier: plugin`; 202 `{"error": false, "reason":
  "dispatched", "data": {"fingerprint": n}}`; errors `{"error": true, "reason": ..., "data": {}}` (401
  invalid_session, 404 session_not_found / website_not_found, 400 invalid_data). Notes show on the page.
- signed plugin hooks: `hook(event, data)` gives the body and the `X-Crisp-Request-Timestamp` /
  `X-Crisp-Signature` headers Crisp sends; `send_hook()` posts them.
- fault injection for notes: `fail_next_notes(500, 500)` (or `POST /_sim/faults {"notes": [...]}`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from chargeside.helpdesks.crisp.bindings import WIDGET_BINDINGS
from chargeside.sandbox.loopback import LoopbackApp, SimulatorHandler

from .page import inbox_page


@dataclass
class Message:
    fingerprint: int
    type: str  # "text" or "note"
    origin: str  # "user" (the visitor) or "operator"
    content: str
    timestamp: int


@dataclass
class Conversation:
    session_id: str
    email: str
    nickname: str
    people_id: str
    messages: list[Message] = field(default_factory=list)


class CrispSimulator(LoopbackApp):
    def __init__(self, *, widget_url: str = "", website_id: str = "", widget_token: str = "",
                 identifier: str = "chargeside-plugin-id", key: str = "chargeside-plugin-key",
                 signing_secret: str = "crisp-hook-secret", locale: str = "en"):
        self.widget_url, self.locale = widget_url, locale
        self.website_id = website_id or str(uuid.uuid4())
        self.widget_token = widget_token or str(uuid.uuid4())
        self.identifier, self.key, self.signing_secret = identifier, key, signing_secret
        self.conversations: dict[str, Conversation] = {}
        self.operators: dict[str, dict] = {}
        self.note_faults: list[int] = []
        self.note_posts = 0
        self.lock = threading.Lock()
        self._fingerprints = itertools.count(int(time.time()) % 10**6 * 1000)

    # --- setting the scene ---------------------------------------------------------------------------
    def add_operator(self, *, first_name: str, last_name: str, email: str = "", user_id: str = "") -> dict:
        operator = {"user_id": user_id or str(uuid.uuid4()), "email": email, "first_name": first_name, "last_name": last_name}
        with self.lock:
            self.operators[operator["user_id"]] = operator
        return operator

    def add_conversation(self, *, email: str, nickname: str = "", message: str = "") -> Conversation:
        conversation = Conversation(session_id=f"session_{uuid.uuid4()}", email=email, nickname=nickname,
                                    people_id=str(uuid.uuid4()))
        with self.lock:
            if message:
                conversation.messages.append(Message(next(self._fingerprints), "text", "user", message, int(time.time() * 1000)))
            self.conversations[conversation.session_id] = conversation
        return conversation

    def fail_next_notes(self, *statuses: int) -> None:
        with self.lock:
            self.note_faults.extend(int(s) for s in statuses)

    def notes(self, session_id: str) -> list[Message]:
        with self.lock:
            conversation = self.conversations.get(session_id)
            return [m for m in conversation.messages if m.type == "note"] if conversation else []

    def inbox_url(self, conversation: Conversation, operator: dict | None = None) -> str:
        url = f"{self.base_url}/website/{self.website_id}/inbox/{conversation.session_id}/"
        return url + (f"?operator={operator['user_id']}" if operator else "")

    # --- what Crisp sends -----------------------------------------------------------------------------
    def widget_src(self, conversation: Conversation, operator: dict | None) -> str:
        """The iframe's URL: the plugin's widget URL with data bindings filled, then Crisp's parameters."""
        values = {
            "conversation.meta.email": conversation.email, "conversation.meta.nickname": conversation.nickname,
            "conversation.people_id": conversation.people_id,
            "operator.email": (operator or {}).get("email", ""), "operator.user_id": (operator or {}).get("user_id", ""),
        }
        template = self.widget_url if "{" in self.widget_url else (
            self.widget_url + ("&" if "?" in self.widget_url else "?") + WIDGET_BINDINGS)
        url = re.sub(r"\{([a-z_.]+)\}", lambda m: quote(values.get(m.group(1), ""), safe="@"), template)
        params = {"session_id": conversation.session_id, "website_id": self.website_id, "token": self.widget_token,
                  "locale": self.locale}
        return url + "&" + urlencode(params)

    def hook(self, event: str, data: dict, *, timestamp: int | None = None) -> tuple[bytes, dict]:
        """A plugin hook as Crisp delivers it: compact JSON and the signature headers."""
        stamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
        body = json.dumps({"website_id": self.website_id, "event": event, "data": data, "timestamp": int(stamp)},
                          separators=(",", ":"), ensure_ascii=False).encode()
        signed = b"[" + stamp.encode() + b";" + body + b"]"
        signature = hmac.new(self.signing_secret.encode(), signed, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Crisp-Request-Timestamp": stamp, "X-Crisp-Signature": signature}

    def send_hook(self, url: str, event: str, data: dict) -> int:
        body, headers = self.hook(event, data)
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    # --- serving --------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler

    # --- the REST call --------------------------------------------------------------------------------
    def receive_message(self, website_id: str, session_id: str, headers, raw: bytes) -> tuple[int, dict]:
        scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
        try:
            identifier, _, key = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            identifier, key = "", ""
        if not (scheme.lower() == "basic" and hmac.compare_digest(identifier, self.identifier)
                and hmac.compare_digest(key, self.key) and headers.get("X-Crisp-Tier") == "plugin"):
            return 401, {"error": True, "reason": "invalid_session", "data": {}}
        with self.lock:
            self.note_posts += 1
            fault = self.note_faults.pop(0) if self.note_faults else 0
        if fault:
            return fault, {"error": True, "reason": "injected_fault", "data": {}}
        if website_id != self.website_id:
            return 404, {"error": True, "reason": "website_not_found", "data": {}}
        conversation = self.conversations.get(session_id)
        if conversation is None:
            return 404, {"error": True, "reason": "session_not_found", "data": {}}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"error": True, "reason": "invalid_data", "data": {}}
        if not (isinstance(body, dict) and body.get("type") in ("text", "note") and body.get("from") in ("user", "operator")
                and isinstance(body.get("origin"), str) and isinstance(body.get("content"), str) and body["content"].strip()):
            return 400, {"error": True, "reason": "invalid_data", "data": {}}
        message = Message(next(self._fingerprints), body["type"], body["from"], body["content"], int(time.time() * 1000))
        with self.lock:
            conversation.messages.append(message)
        return 202, {"error": False, "reason": "dispatched", "data": {"fingerprint": message.fingerprint}}


_MESSAGE = re.compile(r"^/v1/website/([^/]+)/conversation/([^/]+)/message$")
_INBOX = re.compile(r"^/website/([^/]+)/inbox/([^/]+)/?$")


class _Handler(SimulatorHandler):
    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/_sim/notes":
            session = (query.get("session") or [""])[0]
            return self._json(200, [m.__dict__ for m in self.sim.notes(session)])
        match = _INBOX.match(url.path)
        if match and match.group(1) == self.sim.website_id and match.group(2) in self.sim.conversations:
            conversation = self.sim.conversations[match.group(2)]
            operator_id = (query.get("operator") or [""])[0]
            operator = self.sim.operators.get(operator_id) or next(iter(self.sim.operators.values()), None)
            page = inbox_page(self.sim, conversation, operator)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.sim.widget_url)) if self.sim.widget_url else "'none'"
            return self._send(200, page.encode(), "text/html; charset=utf-8", {
                "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; frame-src {origin}; "
                                          "form-action 'none'; frame-ancestors 'none'",
                "Cache-Control": "no-store",
            })
        self._send(404, b"Not found", "text/plain")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self._body()
        if url.path == "/_sim/faults":
            try:
                self.sim.fail_next_notes(*json.loads(raw or b"{}").get("notes", []))
            except (ValueError, TypeError, AttributeError):
                return self._json(400, {"error": "send {\"notes\": [500, ...]}"})
            return self._send(204)
        match = _MESSAGE.match(url.path)
        if match:
            status, payload = self.sim.receive_message(match.group(1), match.group(2), self.headers, raw)
            return self._json(status, payload)
        self._json(404, {"error": True, "reason": "not_found", "data": {}})
