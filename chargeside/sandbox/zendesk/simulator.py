"""``ZendeskSimulator``: Zendesk Support's side of the Chargeside app, on 127.0.0.1, for the demo and the tests.

What it plays, as Zendesk does it:
- the agent's ticket page (`GET /agent/tickets/{id}?user=<agent id>`): views on the left, the conversation in
  the middle, the apps sidebar on the right with the app's iframe. Like Zendesk with `"signedUrls": true`, the
  page loads the app's location URL with a form POST (field `token`: a ZAF JWT, RS256, signed with the app's
  private key held here) into the frame, adding `origin` and `app_guid` to the query. The frame's
  `ZAFClient` (a stand-in SDK served at /zaf_sdk.js, see zaf.py) is answered by the page: ticket.id,
  ticket.requester.*, currentUser.*.
- the Tickets API calls Chargeside makes: `GET /api/v2/tickets/{id}.json?include=users` and
  `PUT /api/v2/tickets/{id}.json` with `{"ticket": {"comment": {"html_body"|"body", "public": false}}}`, Basic
  "{email}/token:{api token}" (401 otherwise, 404 for an unknown ticket, 422 without a comment body). Private
  notes appear on the ticket page.
- fault injection for notes: `fail_next_notes(500, 429)` (or `POST /_sim/faults {"notes": [...]}`).
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from chargeside.sandbox.loopback import LoopbackApp

from . import zaf
from .page import ticket_page


@dataclass
class Ticket:
    id: int
    subject: str
    requester_id: int
    comments: list[dict] = field(default_factory=list)


class ZendeskSimulator(LoopbackApp):
    def __init__(self, *, app_url: str = "", subdomain: str = "acme", installation_id: int = 360001,
                 agent_email: str = "bot@acme.test", api_token: str = "zd-sim-token"):
        self.app_url, self.subdomain, self.installation_id = app_url, subdomain, installation_id
        self.agent_email, self.api_token = agent_email, api_token
        self.key = zaf.new_key()
        self.app_guid = secrets.token_hex(8)
        self.lock = threading.Lock()
        self.users: dict[int, dict] = {}
        self.tickets: dict[int, Ticket] = {}
        self.note_faults: list[int] = []
        self.note_puts = 0
        self._ids = itertools.count(9001)

    @property
    def public_key_pem(self) -> str:
        return zaf.public_pem(self.key)

    # --- setting the scene -------------------------------------------------------------------------------
    def add_user(self, *, name: str, email: str = "", role: str = "end-user", locale: str = "en-US",
                 user_id: int | None = None) -> dict:
        with self.lock:
            user = {"id": user_id or next(self._ids), "name": name, "email": email or None, "role": role, "locale": locale}
            self.users[user["id"]] = user
        return user

    def add_ticket(self, *, requester: dict, subject: str, message: str = "") -> Ticket:
        with self.lock:
            ticket = Ticket(id=next(self._ids), subject=subject, requester_id=requester["id"])
            if message:
                ticket.comments.append({"id": next(self._ids), "body": message, "html_body": "", "public": True,
                                        "author_id": requester["id"]})
            self.tickets[ticket.id] = ticket
        return ticket

    def fail_next_notes(self, *statuses: int) -> None:
        with self.lock:
            self.note_faults.extend(int(s) for s in statuses)

    def notes(self, ticket_id: int) -> list[dict]:
        with self.lock:
            ticket = self.tickets.get(int(ticket_id))
            return [dict(c) for c in ticket.comments if not c["public"]] if ticket else []

    def ticket_url(self, ticket: Ticket, user_id: int | None = None) -> str:
        return f"{self.base_url}/agent/tickets/{ticket.id}" + (f"?user={user_id}" if user_id else "")

    def signed_token(self, user_id: int | None, **overrides) -> str:
        claims = zaf.zaf_claims(subdomain=self.subdomain, installation_id=self.installation_id, user_id=user_id)
        claims.update(overrides)
        return zaf.sign_jwt(self.key, claims)

    def app_location(self) -> str:
        """The location URL as Zendesk loads it: with the ZAF bootstrap parameters in the query."""
        sep = "&" if "?" in self.app_url else "?"
        return f"{self.app_url}{sep}{urlencode({'origin': self.base_url, 'app_guid': self.app_guid})}"

    def frame_data(self, ticket: Ticket, user: dict | None) -> dict:
        requester = self.users.get(ticket.requester_id, {})
        return {
            "ticket.id": ticket.id, "ticket.subject": ticket.subject,
            "ticket.requester.id": requester.get("id"), "ticket.requester.email": requester.get("email"),
            "ticket.requester.name": requester.get("name"),
            "currentUser.id": (user or {}).get("id"), "currentUser.email": (user or {}).get("email"),
            "currentUser.locale": (user or {}).get("locale"),
        }

    # --- the Tickets API -------------------------------------------------------------------------------
    def authorized(self, header: str) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.agent_email}/token:{self.api_token}".encode()).decode()
        return secrets.compare_digest(header or "", expected)

    def api_ticket(self, ticket_id: int, include_users: bool) -> tuple[int, dict]:
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            body = {"ticket": {"id": ticket.id, "subject": ticket.subject, "requester_id": ticket.requester_id,
                               "url": f"{self.base_url}/api/v2/tickets/{ticket.id}.json"}}
            if include_users:
                ids = {ticket.requester_id, *(c["author_id"] for c in ticket.comments if c.get("author_id"))}
                body["users"] = [dict(self.users[i]) for i in sorted(ids) if i in self.users]
            return 200, body

    def api_update(self, ticket_id: int, payload) -> tuple[int, dict]:
        with self.lock:
            self.note_puts += 1
            if self.note_faults:
                status = self.note_faults.pop(0)
                return status, {"error": "Simulated", "description": f"simulated {status}"}
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            comment = (payload.get("ticket") or {}).get("comment") if isinstance(payload, dict) else None
            if not isinstance(comment, dict) or not (comment.get("body") or comment.get("html_body")):
                return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                             "details": {"base": [{"description": "Comment: cannot be blank"}]}}
            entry = {"id": next(self._ids), "body": str(comment.get("body") or ""), "html_body": str(comment.get("html_body") or ""),
                     "public": comment.get("public", True) is not False, "author_id": None}
            ticket.comments.append(entry)
            audit = {"id": next(self._ids), "ticket_id": ticket.id, "events": [
                {"id": entry["id"], "type": "Comment", "public": entry["public"], "html_body": entry["html_body"]}]}
            return 200, {"ticket": {"id": ticket.id, "subject": ticket.subject, "requester_id": ticket.requester_id}, "audit": audit}

    # --- serving -------------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler


class _Handler(BaseHTTPRequestHandler):

    def log_message(self, format, *args):  # quiet in tests
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _ticket_id(self, path: str) -> int | None:
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:3] == ["api", "v2", "tickets"] and parts[3].endswith(".json") and parts[3][:-5].isdigit():
            return int(parts[3][:-5])
        return None

    def do_GET(self):
        sim = self.server.simulator
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/zaf_sdk.js":
            return self._send(200, zaf.SDK_JS.encode(), "application/javascript")
        if url.path == "/sim.js":
            return self._send(200, zaf.PAGE_JS.encode(), "application/javascript")
        ticket_id = self._ticket_id(url.path)
        if ticket_id is not None:
            if not sim.authorized(self.headers.get("Authorization", "")):
                return self._json(401, {"error": "Couldn't authenticate you"})
            return self._json(*sim.api_ticket(ticket_id, "users" in ",".join(query.get("include", []))))
        parts = url.path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["agent", "tickets"] and parts[2].isdigit():
            with sim.lock:
                ticket = sim.tickets.get(int(parts[2]))
            if ticket is None:
                return self._send(404, b"No such ticket", "text/plain")
            user_id = (query.get("user") or [""])[0]
            user = sim.users.get(int(user_id)) if user_id.isdigit() else None
            token = sim.signed_token(user["id"] if user else None) if sim.app_url else ""
            html = ticket_page(sim, ticket, user, token)
            return self._send(200, html.encode(), "text/html; charset=utf-8")
        return self._send(404, b"Not found", "text/plain")

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def do_PUT(self):
        sim = self.server.simulator
        ticket_id = self._ticket_id(urlsplit(self.path).path)
        payload = self._body()
        if ticket_id is None:
            return self._json(404, {"error": "InvalidEndpoint"})
        if not sim.authorized(self.headers.get("Authorization", "")):
            return self._json(401, {"error": "Couldn't authenticate you"})
        return self._json(*sim.api_update(ticket_id, payload))

    def do_POST(self):
        sim = self.server.simulator
        payload = self._body()
        if urlsplit(self.path).path == "/_sim/faults" and isinstance(payload, dict):
            sim.fail_next_notes(*payload.get("notes", []))
            return self._json(200, {"ok": True})
        return self._json(404, {"error": "InvalidEndpoint"})
