"""``FreshdeskSimulator``: Freshdesk's side of the Chargeside app, on 127.0.0.1, for the demo and the tests.

What it plays, as Freshdesk and the Freshworks app platform do it:
- the ticket page (`GET /a/tickets/{id}?agent=<id>`): the conversation in the middle, the contact and the
  installed apps in the right sidebar, where the app's `index.html` (read from apps/freshdesk/, the package we
  ship) runs in a frame, with `{{{appclient}}}` replaced by a stand-in for Freshworks' app client
  (fresh_client.js: `app.initialized`, `client.data.get`, `client.request.invokeTemplate`, `app.activated`).
- the data methods (`/_sim/data/{ticket|contact|loggedInUser|domainName}`): the ticket's and agent's objects
  in Freshdesk API v2 field names.
- the request proxy (`/_sim/invoke/{template}`): reads apps/freshdesk/config/requests.json and sends the
  template from the server side, substituting `<%= iparam.x %>` (the installation's iparams, secure ones
  included: they are used here and never sent to the frame) and `<%= context.x %>`; secure iparams are
  refused outside `headers`, as Freshworks refuses them. The answer goes back to the app as
  `{status, headers, response}`. Freshworks sends https only; so that tests can reach a loopback server, a
  host on 127.0.0.1/localhost is called over http (`loopback_http`).
- the notes API: `POST /api/v2/tickets/{id}/notes`, Basic auth `api_key:X`, JSON `{"body", "private"}` → 201
  with the conversation object; 401 `invalid_credentials`, 404 for an unknown ticket, 400 `Validation failed`.
  Private notes appear on the ticket page.
- fault injection for notes: `fail_next_notes(500, 429)` or `POST /_sim/faults {"notes": [...]}`.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from chargeside.sandbox.loopback import LoopbackApp, SimulatorHandler

from .page import ticket_list_page, ticket_page
from .state import Note, State, Ticket

LOOPBACK = "127.0.0.1"
APP_DIR = Path(__file__).resolve().parents[3] / "apps" / "freshdesk"
CLIENT_JS = Path(__file__).with_name("fresh_client.js")
_TAG = re.compile(r"<%=\s*(iparam|context)\.([A-Za-z0-9_]+)\s*%>")


class TemplateError(ValueError):
    """The app invoked a template that Freshworks would refuse (unknown, missing iparam, secure iparam misplaced)."""


class FreshdeskSimulator(LoopbackApp):
    def __init__(self, *, domain: str = "acme.freshdesk.com", api_key: str = "fd_api_key", iparams: dict | None = None,
                 app_dir: Path = APP_DIR, loopback_http: bool = True):
        self.domain, self.api_key, self.app_dir, self.loopback_http = domain, api_key, Path(app_dir), loopback_http
        self.iparams: dict[str, str] = dict(iparams or {})
        self.state = State()

    # --- setting the scene ---------------------------------------------------------------------------
    def add_agent(self, *, name: str, email: str, language: str = "en", agent_id: int | None = None) -> dict:
        with self.state.lock:
            agent = {"id": agent_id or self.state.next_id(), "available": True, "occasional": False,
                     "contact": {"name": name, "email": email, "language": language, "active": True}}
            self.state.agents[agent["id"]] = agent
        return agent

    def add_ticket(self, *, email: str, name: str = "", subject: str = "", description: str = "",
                   other_emails: list[str] | None = None, contact_id: int | None = None) -> Ticket:
        with self.state.lock:
            ticket = Ticket(id=self.state.next_id(), subject=subject, description=description, requester={
                "id": contact_id or self.state.next_id(), "name": name, "email": email,
                "other_emails": list(other_emails or []), "language": "en",
            })
            self.state.tickets[ticket.id] = ticket
        return ticket

    def fail_next_notes(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.note_faults.extend(int(s) for s in statuses)

    def notes(self, ticket_id: int) -> list[Note]:
        with self.state.lock:
            ticket = self.state.tickets.get(int(ticket_id))
            return list(ticket.notes) if ticket else []

    def ticket_url(self, ticket: Ticket, agent_id: int | None = None) -> str:
        return f"{self.base_url}/a/tickets/{ticket.id}" + (f"?agent={agent_id}" if agent_id else "")

    # --- the data methods -----------------------------------------------------------------------------
    def data(self, name: str, ticket: Ticket | None, agent: dict | None):
        """What `client.data.get(name)` resolves with (None: not available in this location)."""
        if name == "ticket" and ticket:
            return {"ticket": {"id": ticket.id, "subject": ticket.subject, "description_text": ticket.description,
                               "requester_id": ticket.requester["id"], "status": ticket.status,
                               "priority": ticket.priority, "created_at": ticket.created_at}}
        if name == "contact" and ticket:
            return {"contact": dict(ticket.requester)}
        if name == "loggedInUser" and agent:
            return {"loggedInUser": agent}
        if name == "domainName":
            return {"domainName": self.domain}
        return None

    # --- the request proxy ----------------------------------------------------------------------------
    def _secure_iparams(self) -> set[str]:
        try:
            spec = json.loads((self.app_dir / "config" / "iparams.json").read_text())
        except (OSError, ValueError):
            return set()
        return {name for name, field in spec.items() if isinstance(field, dict) and field.get("secure")}

    def render_template(self, name: str, context: dict) -> tuple[str, str, dict[str, str]]:
        """(method, url, headers) of a request template, as Freshworks' proxy would send it."""
        try:
            templates = json.loads((self.app_dir / "config" / "requests.json").read_text())
        except (OSError, ValueError) as exc:
            raise TemplateError(f"config/requests.json cannot be read: {exc}") from None
        schema = (templates.get(name) or {}).get("schema")
        if not isinstance(schema, dict):
            raise TemplateError(f"no request template named {name!r}")
        secure = self._secure_iparams()

        def fill(text: str, where: str) -> str:
            def one(match):
                kind, key = match.groups()
                if kind == "iparam":
                    if key in secure and where != "headers":
                        raise TemplateError(f"secure iparam {key!r} may be used only in headers, not in {where}")
                    if key not in self.iparams:
                        raise TemplateError(f"iparam {key!r} is not set for this installation")
                    return str(self.iparams[key])
                if key not in context:
                    raise TemplateError(f"context.{key} was not passed")
                return str(context[key])
            return _TAG.sub(one, str(text))

        host = fill(schema.get("host", ""), "host")
        if not host or "/" in host or "@" in host:
            raise TemplateError("host must be a bare host name (no scheme, path or credentials)")
        protocol = schema.get("protocol", "https")
        if self.loopback_http and host.split(":")[0] in (LOOPBACK, "localhost"):
            protocol = "http"
        path = fill(schema.get("path", "/"), "path")
        query = {k: fill(v, "query") for k, v in (schema.get("query") or {}).items()}
        headers = {k: fill(v, "headers") for k, v in (schema.get("headers") or {}).items()}
        url = f"{protocol}://{host}{quote(path, safe='/%:@-._~!$&()*+,;=')}" + (f"?{urlencode(query)}" if query else "")
        return str(schema.get("method", "GET")).upper(), url, headers

    def invoke(self, name: str, *, body: str = "", context: dict | None = None) -> dict:
        """`client.request.invokeTemplate(name, {body, context})`: {status, headers, response} as the app sees it."""
        try:
            method, url, headers = self.render_template(name, context or {})
        except TemplateError as exc:
            return {"status": 400, "headers": {}, "response": json.dumps({"message": str(exc)}), "errorSource": "APP"}
        with self.state.lock:
            self.state.proxied.append({"method": method, "url": url, "headers": dict(headers)})
        data = body.encode() if method not in ("GET", "DELETE") else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, raw, got = exc.code, exc.read(), dict(exc.headers)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return {"status": 502, "headers": {}, "response": json.dumps({"message": f"unreachable: {exc}"}),
                    "errorSource": "APP"}
        return {"status": status, "headers": got, "response": raw.decode("utf-8", "replace")}

    # --- serving --------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler


_NOTES = re.compile(r"^/api/v2/tickets/(\d+)/notes$")
_PAGE = re.compile(r"^/a/tickets/(\d+)/?$")
_APP_FILE = re.compile(r"^/_app/((?:scripts|styles)/[A-Za-z0-9_./-]+)$")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}


class _Handler(SimulatorHandler):
    def _json(self, status: int, payload, headers: dict | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _scene(self, query) -> tuple[Ticket | None, dict | None]:
        ticket_id, agent_id = (query.get("ticket") or [""])[0], (query.get("agent") or [""])[0]
        ticket = self.sim.state.tickets.get(int(ticket_id)) if ticket_id.isdigit() else None
        agent = (self.sim.state.agents.get(int(agent_id)) if agent_id.isdigit()
                 else next(iter(self.sim.state.agents.values()), None))
        return ticket, agent

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/":
            return self._send(200, ticket_list_page(self.sim).encode(), _TYPES[".html"], _PAGE_HEADERS)
        if url.path == "/_sim/notes":
            ticket = (query.get("ticket") or ["0"])[0]
            return self._json(200, [n.as_api() for n in self.sim.notes(int(ticket) if ticket.isdigit() else 0)])
        if url.path.startswith("/_sim/data/"):
            ticket, agent = self._scene(query)
            found = self.sim.data(url.path.rsplit("/", 1)[1], ticket, agent)
            return self._json(200, found) if found is not None else self._json(404, {"message": "not available"})
        if url.path == "/_app/index.html":
            html = (self.sim.app_dir / "app" / "index.html").read_text().replace("{{{appclient}}}", "/_app/fresh_client.js")
            return self._send(200, html.encode(), _TYPES[".html"], _APP_HEADERS)
        if url.path == "/_app/fresh_client.js":
            return self._send(200, CLIENT_JS.read_bytes(), _TYPES[".js"], _APP_HEADERS)
        match = _APP_FILE.match(url.path)
        if match and ".." not in match.group(1):
            file = self.sim.app_dir / "app" / match.group(1)
            if file.is_file():
                return self._send(200, file.read_bytes(), _TYPES.get(file.suffix, "application/octet-stream"), _APP_HEADERS)
        match = _PAGE.match(url.path)
        if match:
            ticket = self.sim.state.tickets.get(int(match.group(1)))
            if ticket is None:
                return self._send(404, b"No such ticket", "text/plain")
            _ticket, agent = self._scene(query)
            return self._send(200, ticket_page(self.sim, ticket, agent).encode(), _TYPES[".html"], _PAGE_HEADERS)
        self._send(404, b"Not found", "text/plain")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self._body()
        if url.path.startswith("/_sim/invoke/"):
            try:
                options = json.loads(raw or b"{}")
                body, context = str(options.get("body") or ""), options.get("context") or {}
            except (ValueError, AttributeError):
                return self._json(400, {"message": "send {body, context}"})
            return self._json(200, self.sim.invoke(url.path.rsplit("/", 1)[1], body=body, context=context))
        if url.path == "/_sim/faults":
            try:
                self.sim.fail_next_notes(*json.loads(raw or b"{}").get("notes", []))
            except (ValueError, TypeError, AttributeError):
                return self._json(400, {"error": "send {\"notes\": [500, ...]}"})
            return self._send(204)
        match = _NOTES.match(url.path)
        if match:
            return self._note(int(match.group(1)), raw)
        self._send(404, b"Not found", "text/plain")

    def _authorised(self) -> bool:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        try:
            user, _, _password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return scheme.lower() == "basic" and hmac.compare_digest(user, self.sim.api_key)

    def _note(self, ticket_id: int, raw: bytes) -> None:
        if not self._authorised():
            return self._json(401, {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."})
        fault = self.sim.state.take_fault()
        if fault:
            headers = {"Retry-After": "1"} if fault == 429 else None
            return self._json(fault, {"code": "injected_fault", "message": "Injected fault"}, headers)
        ticket = self.sim.state.tickets.get(ticket_id)
        if ticket is None:
            return self._send(404)
        try:
            body = json.loads(raw)
        except ValueError:
            return self._json(400, {"description": "Validation failed", "errors": [
                {"field": "", "message": "Request body has invalid json format", "code": "invalid_json"}]})
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return self._json(400, {"description": "Validation failed", "errors": [
                {"field": "body", "message": "It should be a/an String", "code": "missing_field"}]})
        private = body.get("private", True)
        if not isinstance(private, bool):
            return self._json(400, {"description": "Validation failed", "errors": [
                {"field": "private", "message": "It should be a/an Boolean", "code": "datatype_mismatch"}]})
        with self.sim.state.lock:
            agent_id = next(iter(self.sim.state.agents), None)
            note = Note(id=self.sim.state.next_id(), ticket_id=ticket_id, body=text, private=private, user_id=agent_id)
            ticket.notes.append(note)
        self._json(201, note.as_api(), {"Location": f"{self.sim.base_url}/api/v2/tickets/{ticket_id}/notes/{note.id}"})


_PAGE_HEADERS = {
    # The ticket page runs no script; the app frame is ours (same origin), the panel inside it is Chargeside's.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
                               "frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
_APP_HEADERS = {
    # The app's own frame: its scripts from here, and the panel it frames from Chargeside (http on loopback).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-src http: https:; frame-ancestors 'self'",
    "Cache-Control": "no-store",
}
