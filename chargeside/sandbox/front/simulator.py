"""``FrontSimulator``: Front's side of a sidebar plugin and of the Core API's comments, on 127.0.0.1.

What it plays, as Front does it:
- the conversation page (`GET /open/{conversation id}?teammate={teammate id}`): inboxes on the left, the
  conversation (messages, comments on yellow) in the middle, the plugin's iframe in the right sidebar. The
  iframe loads the configured plugin URL with `auth_secret=<secret>` appended, as Front does on every render.
  The page then answers the plugin SDK exactly as `@frontapp/plugin-sdk` 1.10.0 expects (read in its
  source): the plugin posts `@frontapp/ui-sdk#WebViewBridge.handshake` with a MessagePort to its parent, and
  the page sends `{"type": "context_update", "context": {...}}` on that port (a `singleConversation`
  context with `teammate` and `conversation.recipient`); SDK function calls get a `function_error` answer.
- the Core API call Chargeside makes: `POST /conversations/{id}/comments` (Bearer API token; JSON with a
  required `body`; 201 with the comment object; 401 for a bad token, 404 for an unknown conversation, 400
  without a body; errors as Front's `{"_error": {"status", "title", "message"}}`). Comments appear on the page
  (it polls `GET /_sim/comments/{id}`).
- Front's application webhooks: `webhook_headers()` signs a body as Front does (`x-front-signature` =
  base64(HMAC-SHA256(app secret, "<ms timestamp>:" + body)), `x-front-request-timestamp` in ms) and
  `send_webhook()` posts it, with `x-front-challenge` for the validation request.
- fault injection for comments: `fail_next_comments(500, 429)` (or `POST /_sim/faults {"comments": [...]}`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from chargeside.sandbox.loopback import LoopbackApp

from .page import HOST_JS, conversation_page


@dataclass
class Conversation:
    id: str
    subject: str
    recipient: dict
    messages: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)


class FrontSimulator(LoopbackApp):
    def __init__(self, *, plugin_url: str = "", auth_secret: str = "front-plugin-secret", api_token: str = "front-api-token",
                 app_secret: str = "front-app-secret"):
        self.plugin_url, self.auth_secret, self.api_token, self.app_secret = plugin_url, auth_secret, api_token, app_secret
        self.lock = threading.Lock()
        self.conversations: dict[str, Conversation] = {}
        self.teammates: dict[str, dict] = {}
        self.comment_posts = 0  # every POST to the comments endpoint, answered or failed
        self.comment_faults: list[int] = []

    # --- setting the scene ------------------------------------------------------------------------------
    def add_teammate(self, *, name: str, email: str, username: str = "", teammate_id: str = "") -> dict:
        with self.lock:
            teammate = {"id": teammate_id or f"tea_{secrets.token_hex(3)}", "email": email,
                        "username": username or email.split("@")[0], "name": name}
            self.teammates[teammate["id"]] = teammate
        return teammate

    def add_conversation(self, *, email: str, name: str = "", subject: str = "", message: str = "") -> Conversation:
        with self.lock:
            conversation = Conversation(
                id=f"cnv_{secrets.token_hex(4)}", subject=subject,
                recipient={"handle": email, "name": name, "type": "email",
                           "contact": {"id": f"crd_{secrets.token_hex(3)}", "name": name,
                                       "handles": [{"handle": email, "source": "email"}]}},
            )
            if message:
                conversation.messages.append({"from": name or email, "body": message})
            self.conversations[conversation.id] = conversation
        return conversation

    def fail_next_comments(self, *statuses: int) -> None:
        with self.lock:
            self.comment_faults.extend(int(s) for s in statuses)

    def comments(self, conversation_id: str) -> list[dict]:
        with self.lock:
            conversation = self.conversations.get(conversation_id)
            return list(conversation.comments) if conversation else []

    def conversation_url(self, conversation: Conversation, teammate_id: str = "") -> str:
        return f"{self.base_url}/open/{conversation.id}" + (f"?{urlencode({'teammate': teammate_id})}" if teammate_id else "")

    # --- what the plugin gets ---------------------------------------------------------------------------
    def plugin_src(self) -> str:
        """The plugin URL as Front renders it: the configured URL with auth_secret appended."""
        if not self.plugin_url:
            return ""
        joiner = "&" if urlsplit(self.plugin_url).query else "?"
        return f"{self.plugin_url}{joiner}{urlencode({'auth_secret': self.auth_secret})}"

    def context(self, conversation: Conversation, teammate: dict | None) -> dict:
        """A `singleConversation` context in the plugin SDK's shape (the parts Front documents)."""
        return {
            "id": f"ctx_{secrets.token_hex(4)}", "type": "singleConversation", "teammate": teammate or {},
            "conversation": {"id": conversation.id, "type": "email", "status": "assigned", "subject": conversation.subject,
                             "recipient": conversation.recipient, "inboxes": [], "tags": [], "links": []},
            "functionArities": {"listMessages": 2, "createComment": 2, "openUrl": 1},
        }

    # --- application webhooks --------------------------------------------------------------------------
    def webhook_headers(self, body: bytes, *, timestamp_ms: int | None = None, challenge: str = "") -> dict:
        stamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
        signature = base64.b64encode(hmac.new(self.app_secret.encode(), stamp.encode() + b":" + body, hashlib.sha256).digest())
        headers = {"Content-Type": "application/json", "X-Front-Signature": signature.decode(), "X-Front-Request-Timestamp": stamp}
        if challenge:
            headers["X-Front-Challenge"] = challenge
        return headers

    def send_webhook(self, url: str, body: bytes, *, challenge: str = "") -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, method="POST", headers=self.webhook_headers(body, challenge=challenge))
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    # --- serving ---------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler


_COMMENTS = re.compile(r"^/conversations/(cnv_[A-Za-z0-9]+)/comments$")
_SIM_COMMENTS = re.compile(r"^/_sim/comments/(cnv_[A-Za-z0-9]+)$")
_PAGE = re.compile(r"^/open/(cnv_[A-Za-z0-9]+)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    @property
    def sim(self) -> FrontSimulator:
        return self.server.simulator

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode())

    def _error(self, status: int, title: str, message: str) -> None:
        self._json(status, {"_error": {"status": status, "title": title, "message": message}})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_sim/host.js":
            return self._send(200, HOST_JS.encode(), "text/javascript; charset=utf-8")
        if match := _SIM_COMMENTS.match(url.path):
            return self._json(200, self.sim.comments(match.group(1)))
        if match := _PAGE.match(url.path):
            sim = self.sim
            with sim.lock:
                conversation = sim.conversations.get(match.group(1))
                teammate = sim.teammates.get((parse_qs(url.query).get("teammate") or [""])[0])
            if conversation is None:
                return self._send(404, b"No such conversation.", "text/plain")
            html = conversation_page(conversation=conversation, teammate=teammate, plugin_src=sim.plugin_src(),
                                     context=sim.context(conversation, teammate), comments=sim.comments(conversation.id))
            return self._send(200, html.encode(), "text/html; charset=utf-8")
        self._send(404, b"Not found.", "text/plain")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/_sim/faults":
            self.sim.fail_next_comments(*json.loads(body or b"{}").get("comments", []))
            return self._send(204)
        match = _COMMENTS.match(url.path)
        if not match:
            return self._error(404, "Not found", "Unknown route.")
        sim = self.sim
        with sim.lock:
            sim.comment_posts += 1
            fault = sim.comment_faults.pop(0) if sim.comment_faults else None
        if fault:
            return self._error(fault, "Injected fault", "The simulator was told to fail this comment.")
        if self.headers.get("Authorization", "") != f"Bearer {sim.api_token}":
            return self._error(401, "Unauthenticated", "Invalid token.")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._error(400, "Bad request", "Body is not JSON.")
        text = payload.get("body") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text:
            return self._error(400, "Bad request", "body is required.")
        with sim.lock:
            conversation = sim.conversations.get(match.group(1))
            if conversation is None:
                return self._error(404, "Not found", "Conversation not found.")
            comment_id = f"com_{secrets.token_hex(4)}"
            comment = {
                "_links": {"self": f"{sim.base_url}/comments/{comment_id}",
                           "related": {"conversation": f"{sim.base_url}/conversations/{conversation.id}"}},
                "id": comment_id, "author": None, "body": text, "posted_at": round(time.time(), 3),
                "attachments": [], "is_pinned": bool(payload.get("is_pinned", False)),
            }
            conversation.comments.append(comment)
        self._json(201, comment)
