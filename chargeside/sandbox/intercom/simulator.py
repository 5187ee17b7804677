"""``IntercomSimulator``: Intercom's side of a Canvas Kit inbox app, on 127.0.0.1, for the demo and the tests.

What it plays, as Intercom does it:
- the Inbox conversation page (`GET /a/inbox/<workspace>/inbox/conversation/<id>?admin=<id>`): conversations
  on the left, the conversation (notes on yellow) in the middle, "Conversation details" on the right with the
  app. To fill the app it POSTs the initialize request to the app's Initialize URL (server-side) with the JSON
  Intercom sends and `X-Body-Signature` = hex HMAC-SHA256(client secret, raw body), and renders the canvas
  it gets back as components (page.py): text, data tables, buttons, inputs, text areas, dropdowns, ...
- a component with a submit action: the page's form posts to the simulator, which sends the submit request
  (component_id, input_values of every input on the canvas, current_canvas with its stored_data, and the
  same admin/contact/conversation/context objects), signed the same way, to the Submit URL, and shows the
  new canvas.
- the REST API call Chargeside makes for notes: `POST /conversations/{id}/reply` (Bearer token,
  `Intercom-Version`; `message_type` note|comment, `type` admin, `admin_id`, `body`), answered 200 with the
  conversation and its parts, or Intercom's error list (401 unauthorized, 404 not_found, 400
  parameter_not_found/parameter_invalid). Notes appear on the conversation page.
- fault injection for notes: `fail_next_notes(500, 500)` (or `POST /_sim/faults {"notes": [...]}`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from chargeside.sandbox.loopback import LoopbackApp, SimulatorHandler

from .page import conversation_page, inbox_page
from .state import Conversation, Part, State


class IntercomSimulator(LoopbackApp):
    def __init__(self, *, initialize_url: str = "", submit_url: str = "", client_secret: str = "ic-sim-secret",
                 access_token: str = "ic-sim-token", workspace_id: str = "ws1abc", locale: str = "en"):
        self.initialize_url, self.submit_url = initialize_url, submit_url
        self.client_secret, self.access_token, self.workspace_id, self.locale = client_secret, access_token, workspace_id, locale
        self.state = State()

    # --- setting the scene ---------------------------------------------------------------------------
    def add_admin(self, *, name: str, email: str, admin_id: str | None = None) -> dict:
        with self.state.lock:
            admin = {"id": admin_id or self.state.next_id(), "type": "admin", "name": name, "email": email,
                     "away_mode_enabled": False, "away_mode_reassign": False, "has_inbox_seat": True, "team_ids": []}
            self.state.admins[admin["id"]] = admin
        return admin

    def add_conversation(self, *, email: str, name: str = "", title: str = "", message: str = "") -> Conversation:
        with self.state.lock:
            contact = {"type": "contact", "id": secrets.token_hex(12), "role": "user", "email": email, "name": name,
                       "external_id": None}
            conversation = Conversation(id=str(100000 + int(self.state.next_id())), title=title, contact=contact)
            if message:
                conversation.parts.append(Part(self.state.next_id(), "comment", message, {"type": "user", "id": contact["id"], "name": name}))
            self.state.conversations[conversation.id] = conversation
        return conversation

    def fail_next_notes(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.note_faults.extend(int(s) for s in statuses)

    def notes(self, conversation_id) -> list[Part]:
        with self.state.lock:
            conversation = self.state.conversations.get(str(conversation_id))
            return [p for p in conversation.parts if p.part_type == "note"] if conversation else []

    def conversation_url(self, conversation: Conversation, admin_id: str | None = None) -> str:
        path = f"/a/inbox/{self.workspace_id}/inbox/conversation/{conversation.id}"
        return f"{self.base_url}{path}" + (f"?admin={admin_id}" if admin_id else "")

    # --- the Canvas Kit requests ----------------------------------------------------------------------
    def _common(self, conversation: Conversation, admin: dict) -> dict:
        return {
            "workspace_id": self.workspace_id, "workspace_region": "us", "admin": admin,
            "context": {"conversation_id": int(conversation.id), "location": "conversation", "locale": self.locale},
            "conversation": {"type": "conversation", "id": conversation.id, "title": conversation.title,
                             "state": "open", "open": True},
            "contact": conversation.contact, "customer": conversation.contact, "user": conversation.contact,
        }

    def initialize_body(self, conversation: Conversation, admin: dict) -> bytes:
        payload = {**self._common(conversation, admin), "card_creation_options": {}}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    def submit_body(self, conversation: Conversation, admin: dict, component_id: str, input_values: dict,
                    current_canvas: dict) -> bytes:
        payload = {**self._common(conversation, admin), "component_id": component_id, "input_values": input_values,
                   "current_canvas": current_canvas}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    def signature(self, body: bytes) -> str:
        return hmac.new(self.client_secret.encode(), body, hashlib.sha256).hexdigest()

    def _post_app(self, url: str, body: bytes) -> tuple[int, dict | str]:
        """POST a signed request to the app; (status, the canvas or why there is none)."""
        if not url:
            return 0, "No app URL is configured."
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Body-Signature": self.signature(body)})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return 0, f"The app could not be reached ({exc})."
        try:
            canvas = json.loads(raw.decode())["canvas"]
            if not isinstance(canvas, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return status, "The app's answer is not a canvas."
        return status, canvas

    def open_app(self, conversation: Conversation, admin: dict) -> tuple[int, dict | str]:
        status, canvas = self._post_app(self.initialize_url, self.initialize_body(conversation, admin))
        if isinstance(canvas, dict):
            with self.state.lock:
                self.state.canvases[(conversation.id, admin["id"])] = canvas
        return status, canvas

    def click(self, conversation: Conversation, admin: dict, component_id: str, values: dict | None = None) -> tuple[int, dict | str]:
        """A teammate uses a submit component: every input on the canvas is sent, as Intercom does."""
        with self.state.lock:
            current = self.state.canvases.get((conversation.id, admin["id"])) or {}
        body = self.submit_body(conversation, admin, component_id, input_values(current, values or {}), current)
        with self.state.lock:
            self.state.submits.append(json.loads(body))
        status, canvas = self._post_app(self.submit_url, body)
        if isinstance(canvas, dict):
            with self.state.lock:
                self.state.canvases[(conversation.id, admin["id"])] = canvas
        return status, canvas

    # --- serving --------------------------------------------------------------------------------------
    def http_handler(self):
        return _Handler


INPUT_TYPES = ("input", "textarea", "dropdown", "single-select", "checkbox")


def input_values(canvas: dict, typed: dict) -> dict:
    """The values of every interactive component on the canvas: what was typed, else the component's value."""
    found = {}
    for component in ((canvas.get("content") or {}).get("components") or []):
        if isinstance(component, dict) and component.get("type") in INPUT_TYPES and component.get("id"):
            cid = component["id"]
            default = component.get("value", [] if component["type"] == "checkbox" else "")
            found[cid] = typed.get(cid, default)
    return found


class _Handler(SimulatorHandler):
    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode())

    def _error(self, status: int, code: str, message: str) -> None:
        # Intercom's error shape (OpenAPI `error`): a list with a request id.
        self._json(status, {"type": "error.list", "request_id": secrets.token_hex(8),
                            "errors": [{"code": code, "message": message}]})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _page_parts(self, path: str):
        parts = path.strip("/").split("/")
        # a/inbox/<ws>/inbox/conversation/<id>[/submit]
        if len(parts) >= 6 and parts[:2] == ["a", "inbox"] and parts[3:5] == ["inbox", "conversation"] and parts[2] == self.sim.workspace_id:
            return self.sim.state.conversations.get(parts[5]), parts[6:] == ["submit"]
        return None, False

    def _admin(self, query) -> dict | None:
        wanted = (query.get("admin") or [""])[0]
        return self.sim.state.admins.get(wanted) or next(iter(self.sim.state.admins.values()), None)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/":
            return self._send(200, inbox_page(self.sim).encode(), "text/html; charset=utf-8", _PAGE_HEADERS)
        conversation, _submit = self._page_parts(url.path)
        if conversation is None:
            return self._send(404, b"Not found", "text/plain")
        admin = self._admin(query)
        status, canvas = self.sim.open_app(conversation, admin) if admin else (0, "No admin.")
        page = conversation_page(self.sim, conversation, admin, app_status=status, canvas=canvas)
        self._send(200, page.encode(), "text/html; charset=utf-8", _PAGE_HEADERS)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_sim/faults":
            try:
                self.sim.fail_next_notes(*json.loads(self._body() or b"{}").get("notes", []))
            except (ValueError, TypeError, AttributeError):
                return self._json(400, {"error": "send {\"notes\": [500, ...]}"})
            return self._send(204)
        parts = url.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "conversations" and parts[2] == "reply":
            return self._reply(parts[1])
        conversation, is_submit = self._page_parts(url.path)
        if conversation is not None and is_submit:
            return self._page_submit(conversation, parse_qs(url.query))
        self._body()
        self._send(404, b"Not found", "text/plain")

    def _page_submit(self, conversation, query) -> None:
        """The page's form: which submit component was used, and the inputs as typed (a browser's form)."""
        form = parse_qs(self._body().decode(errors="replace"), keep_blank_values=True)
        admin = self._admin(query)
        component_id = (form.pop("_component", [""]) or [""])[0]
        typed = {key[2:]: ([v for v in values if v] if key.startswith("c:") else values[0])
                 for key, values in form.items() if key[:2] in ("i:", "c:")}
        status, canvas = self.sim.click(conversation, admin, component_id, typed)
        page = conversation_page(self.sim, conversation, admin, app_status=status, canvas=canvas)
        self._send(200, page.encode(), "text/html; charset=utf-8", _PAGE_HEADERS)

    def _reply(self, conversation_id: str) -> None:
        raw = self._body()
        scheme, _sp, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token, self.sim.access_token):
            return self._error(401, "unauthorized", "Access Token Invalid")
        fault = self.sim.state.take_fault(self.headers.get("Intercom-Version", ""))
        if fault:
            return self._error(fault, "server_error" if fault >= 500 else "rate_limit_exceeded", "Injected fault")
        conversation = self.sim.state.conversations.get(conversation_id)
        if conversation is None:
            return self._error(404, "not_found", "Resource Not Found")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(400, "parameter_invalid", "Malformed JSON")
        if not isinstance(body, dict):
            return self._error(400, "parameter_invalid", "Body must be an object")
        for required in ("message_type", "type", "admin_id"):
            if not body.get(required):
                return self._error(400, "parameter_not_found", f"{required} is required")
        if body["message_type"] not in ("comment", "note") or body["type"] != "admin":
            return self._error(400, "parameter_invalid", "message_type must be comment or note, type must be admin")
        admin = self.sim.state.admins.get(str(body["admin_id"]))
        if admin is None:
            return self._error(404, "admin_not_found", "Admin not found")
        if body["message_type"] == "note" and not str(body.get("body") or "").strip():
            return self._error(400, "parameter_not_found", "body is required")
        with self.sim.state.lock:
            part = Part(self.sim.state.next_id(), body["message_type"], str(body.get("body") or ""),
                        {"type": "admin", "id": admin["id"], "name": admin["name"]})
            conversation.parts.append(part)
            parts = [{"type": "conversation_part", "id": p.id, "part_type": p.part_type, "body": p.body,
                      "created_at": p.created_at, "author": p.author} for p in conversation.parts]
        self._json(200, {"type": "conversation", "id": conversation.id, "title": conversation.title,
                         "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": conversation.contact["id"]}]},
                         "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts,
                                                "total_count": len(parts)}})


_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
