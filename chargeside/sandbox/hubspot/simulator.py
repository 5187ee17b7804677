"""``HubSpotSimulator``: HubSpot's side of a CRM card app, on 127.0.0.1, for the demo and the tests.

What it plays, as HubSpot does it:
- the record page (`GET /contacts/{portal}/record/{0-1|0-5}/{id}?user=<id>`): the record's properties on the
  left, its activity (notes) in the middle, and the app cards on the right. To fill our card it calls the
  card's target URL server-side with GET and HubSpot's query parameters (`userId`, `userEmail`,
  `associatedObjectId`, `associatedObjectType`, `portalId`, then the card's `propertiesToSend`), signed with
  `X-HubSpot-Signature-v3` and `X-HubSpot-Request-Timestamp`, and renders the card JSON: results with their
  properties (STATUS as coloured labels) and action buttons. IFRAME actions open the URI in a modal;
  CONFIRMATION_ACTION_HOOK buttons ask for confirmation, then the simulator calls the hook URI signed the same
  way (with the default parameters appended) and shows the answer's message.
- the CRM API Chargeside calls for notes: `POST /crm/v3/objects/notes` (Bearer token; `hs_timestamp` required;
  the association must name an existing record with the note→record association type id; 201 with the
  object; errors in HubSpot's `{"status": "error", "message", "category", "correlationId"}` shape) and
  `GET /crm/v3/objects/notes/{id}`. Notes appear in the record's activity.
- fault injection for notes: `fail_next_notes(500, 429)` (or `POST /_sim/faults {"notes": [...]}`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

from ..loopback import QuietHandler, ServerThread, make_server
from .page import record_page
from .state import NOTE_TO, TYPE_IDS, Note, Record, State

_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(", "%29": ")",
            "%2A": "*", "%2C": ",", "%3B": ";"}
DEFAULT_PROPERTIES = {"contact": ("email", "firstname", "lastname", "hs_additional_emails"), "ticket": ("subject", "email")}


class HubSpotSimulator:
    def __init__(self, *, card_url: str = "", client_secret: str = "hs-sim-client-secret", portal_id: int = 62515,
                 access_token: str = "hs-sim-access-token", properties_to_send: dict | None = None):
        self.card_url, self.client_secret, self.portal_id, self.access_token = card_url, client_secret, portal_id, access_token
        self.properties_to_send = properties_to_send or DEFAULT_PROPERTIES
        self.state = State()
        self.base_url = ""
        self._serving: ServerThread | None = None

    # --- setting the scene ---------------------------------------------------------------------------
    def add_user(self, *, email: str, first: str = "", last: str = "", user_id: int | None = None) -> dict:
        with self.state.lock:
            user = {"id": user_id or self.state.next_id(), "email": email, "first": first, "last": last}
            self.state.users[user["id"]] = user
        return user

    def add_contact(self, *, email: str, firstname: str = "", lastname: str = "", additional_emails: list[str] | None = None) -> Record:
        properties = {"email": email, "firstname": firstname, "lastname": lastname}
        if additional_emails:
            properties["hs_additional_emails"] = ";".join(additional_emails)
        return self._add("contact", properties)

    def add_ticket(self, *, subject: str, email: str = "", content: str = "") -> Record:
        # HubSpot tickets carry no requester email: a ticket property a workflow fills, here called "email".
        return self._add("ticket", {"subject": subject, "content": content, "email": email})

    def _add(self, kind: str, properties: dict) -> Record:
        with self.state.lock:
            record = Record(id=self.state.next_id(), kind=kind, properties=properties)
            self.state.records[record.id] = record
        return record

    def fail_next_notes(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.note_faults.extend(int(s) for s in statuses)

    def notes(self, record: Record | int) -> list[Note]:
        record_id = record.id if isinstance(record, Record) else int(record)
        with self.state.lock:
            return [n for n in self.state.notes.values() if record_id in n.associations]

    def record_url(self, record: Record, user_id: int | None = None) -> str:
        path = f"/contacts/{self.portal_id}/record/{TYPE_IDS[record.kind]}/{record.id}"
        return f"{self.base_url}{path}" + (f"?user={user_id}" if user_id else "")

    # --- signing, as HubSpot does ----------------------------------------------------------------------
    def signature(self, method: str, url: str, body: bytes, timestamp: str) -> str:
        """base64(HMAC-SHA256(client secret, method + uri + body + timestamp)); `uri` is the URL as sent with
        HubSpot's listed escapes (%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B) decoded."""
        for escaped, char in _DECODED.items():
            url = url.replace(escaped, char)
        message = method.encode() + url.encode() + body + timestamp.encode()
        return base64.b64encode(hmac.new(self.client_secret.encode(), message, hashlib.sha256).digest()).decode()

    def signed_headers(self, method: str, url: str, body: bytes = b"", *, now_ms: int | None = None) -> dict:
        timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
        return {"X-HubSpot-Signature-v3": self.signature(method, url, body, timestamp), "X-HubSpot-Request-Timestamp": timestamp}

    def default_params(self, record: Record, user: dict | None) -> list[tuple[str, str]]:
        params = []
        if user:
            params += [("userId", str(user["id"])), ("userEmail", user["email"])]
        return params + [("associatedObjectId", str(record.id)), ("associatedObjectType", record.kind.upper()),
                         ("portalId", str(self.portal_id))]

    def card_query(self, record: Record, user: dict | None) -> str:
        params = self.default_params(record, user)
        params += [(name, str(record.properties[name])) for name in self.properties_to_send.get(record.kind, ())
                   if record.properties.get(name) not in (None, "")]
        return urlencode(params)

    def card_request(self, record: Record, user: dict | None, *, card_url: str = "") -> tuple[str, dict]:
        """(full URL, headers) of the data fetch HubSpot makes for this record and user."""
        url = f"{card_url or self.card_url}?{self.card_query(record, user)}"
        return url, self.signed_headers("GET", url)

    def hook_request(self, uri: str, record: Record, user: dict | None) -> tuple[str, bytes, dict]:
        """(full URL, body, headers) of an action hook call: our URI with the default parameters appended."""
        url = f"{uri}{'&' if '?' in uri else '?'}{urlencode(self.default_params(record, user))}"
        body = b"{}"  # the action's associatedObjectProperties (the card asks for none)
        return url, body, {**self.signed_headers("POST", url, body), "Content-Type": "application/json"}

    def _call(self, method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, object]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return 0, {"message": f"The app could not be reached ({exc})."}
        try:
            return status, json.loads(raw.decode())
        except (ValueError, UnicodeDecodeError):
            return status, {"message": "The app's answer is not JSON."}

    def fetch_card(self, record: Record, user: dict | None) -> tuple[int, object]:
        if not self.card_url:
            return 0, {"message": "No card target URL is configured."}
        url, headers = self.card_request(record, user)
        return self._call("GET", url, None, headers)

    def run_hook(self, uri: str, record: Record, user: dict | None) -> tuple[int, object]:
        url, body, headers = self.hook_request(uri, record, user)
        return self._call("POST", url, body, headers)

    # --- serving --------------------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        server = make_server(_Handler, "127.0.0.1", port, what="the HubSpot simulator", simulator=self)
        self._serving = ServerThread(server, "hubspot-simulator")
        self.base_url = self._serving.base_url
        return self.base_url

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None


class _Handler(QuietHandler):
    @property
    def sim(self) -> HubSpotSimulator:
        return self.server.simulator

    def _json(self, status: int, payload) -> None:
        self.answer(status, json.dumps(payload).encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _error(self, status: int, message: str, category: str) -> None:
        self._json(status, {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category})

    def _page(self, html: str) -> None:
        self.answer(200, html.encode(), {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})

    def _user(self, query) -> dict | None:
        user_id = (query.get("user") or [""])[0]
        users = self.sim.state.users
        return users.get(int(user_id)) if user_id.isdigit() else next(iter(users.values()), None)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = url.path.strip("/").split("/")
        if len(parts) == 5 and parts[0] == "contacts" and parts[2] == "record":
            record = self.sim.state.records.get(int(parts[4])) if parts[4].isdigit() else None
            if record is None or parts[1] != str(self.sim.portal_id) or TYPE_IDS[record.kind] != parts[3]:
                return self.answer(404, b"No such record", {"Content-Type": "text/plain"})
            user = self._user(query)
            status, answer = self.sim.fetch_card(record, user)
            return self._page(record_page(self.sim, record, user, status=status, card=answer,
                                          message=(query.get("message") or [""])[0]))
        if len(parts) == 5 and url.path.startswith("/crm/v3/objects/notes/"):
            if not self._authorised():
                return self._error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
            note = self.sim.state.notes.get(int(parts[4])) if parts[4].isdigit() else None
            if note is None:
                return self._error(404, "Object not found.", "OBJECT_NOT_FOUND")
            return self._json(200, note.as_object())
        self.answer(404, b"Not found", {"Content-Type": "text/plain"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self.read_body()
        if url.path == "/crm/v3/objects/notes":
            return self._note(raw)
        if url.path == "/_sim/faults":
            try:
                self.sim.fail_next_notes(*json.loads(raw or b"{}").get("notes", []))
            except (ValueError, TypeError, AttributeError):
                return self._json(400, {"error": 'send {"notes": [500, ...]}'})
            return self.answer(204)
        if url.path == "/_sim/hook":  # the record page's confirmed action hook button
            form = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
            record = self.sim.state.records.get(int(form.get("record", "0") or 0))
            if record is None or not form.get("uri", "").startswith(self.sim.card_url.rsplit("/desk/", 1)[0]):
                return self.answer(400, b"Bad hook", {"Content-Type": "text/plain"})
            user = self._user({"user": [form.get("user", "")]})
            status, answer = self.sim.run_hook(form["uri"], record, user)
            message = answer.get("message", "") if isinstance(answer, dict) else ""
            location = self.sim.record_url(record, user["id"] if user else None)
            location += ("&" if "?" in location else "?") + urlencode({"message": f"{status}: {message}"})
            return self.answer(303, b"", {"Location": location})
        self.answer(404, b"Not found", {"Content-Type": "text/plain"})

    def _authorised(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token, self.sim.access_token)

    def _note(self, raw: bytes) -> None:
        if not self._authorised():
            return self._error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
        fault = self.sim.state.take_fault()
        if fault:
            return self._error(fault, "Injected fault", "RATE_LIMITS" if fault == 429 else "INTERNAL_ERROR")
        try:
            body = json.loads(raw)
            properties, associations = body["properties"], body.get("associations", [])
            timestamp, text = properties.get("hs_timestamp"), properties.get("hs_note_body", "")
        except (ValueError, KeyError, TypeError, AttributeError):
            return self._error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
        if not timestamp:
            return self._error(400, "Property values were not valid: hs_timestamp is required", "VALIDATION_ERROR")
        linked = []
        for association in associations:
            try:
                record = self.sim.state.records.get(int(association["to"]["id"]))
                type_id = int(association["types"][0]["associationTypeId"])
                category = association["types"][0]["associationCategory"]
            except (KeyError, TypeError, ValueError, IndexError):
                return self._error(400, "Invalid association", "VALIDATION_ERROR")
            if record is None or category != "HUBSPOT_DEFINED" or NOTE_TO[record.kind] != type_id:
                return self._error(400, f"association type {type_id} is not valid for this record", "VALIDATION_ERROR")
            linked.append(record.id)
        with self.sim.state.lock:
            note = Note(id=self.sim.state.next_id(), body=str(text), timestamp=str(timestamp), associations=linked)
            self.sim.state.notes[note.id] = note
        self._json(201, note.as_object())
