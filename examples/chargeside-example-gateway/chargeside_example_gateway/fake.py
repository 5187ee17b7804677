"""A fake of "Example Pay", a made-up payment provider whose wire format differs from Chargeside's on purpose,
so the adapter has real translating to do:

* auth `Authorization: Bearer <api key>`; errors `{"type": "not_found"|"invalid"|"auth"|"conflict", "message"}`;
* amounts are decimal strings in major units ("12.50") with a lower-case currency ("eur");
* lists page by page number: `GET /payments?page=2` → `{"payments": [...], "has_more": true}` (20 a page);
* `POST /payments/{id}/refunds {"amount": "12.50"}` honours `Idempotency-Key` (same key, same answer);
* webhooks are thin: `{"event_id", "kind", "id", "at"}` says *what* changed, never how, signed with
  `Example-Signature: t=<unix seconds>,sha256=<hex HMAC-SHA256(secret, "<t>." + body)>`.

Standard library only, state in memory, one lock.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PER_PAGE = 20


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},sha256=" + hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


class Refused(Exception):
    def __init__(self, status: int, type_: str, message: str):
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


class ExamplePay:
    def __init__(self, *, api_key: str, webhook_secret: str):
        self.api_key, self.webhook_secret, self.webhook_url = api_key, webhook_secret, ""
        self.lock = threading.Lock()
        self.objects: dict[str, dict[str, dict]] = {"customers": {}, "payments": {}, "refunds": {}}
        self.keys: dict[str, tuple[bytes, dict]] = {}
        self.ids = itertools.count(1)
        self.events = itertools.count(1)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ExamplePay:
        threading.Thread(target=self.httpd.serve_forever, daemon=True, name="example-pay").start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the merchant's side (what the dashboard would do) ---------------------------------------------
    def add(self, collection: str, **fields) -> dict:
        with self.lock:
            obj = {"id": f"{collection[:3]}{next(self.ids)}", "created": int(time.time()), **fields}
            self.objects[collection][obj["id"]] = obj
        return dict(obj)

    def refund(self, payment_id: str, amount: str, key: str = "", body: bytes = b"") -> dict:
        with self.lock:
            if key in self.keys:
                seen, answer = self.keys[key]
                if seen != body:
                    raise Refused(409, "conflict", "Idempotency-Key reused with another request.")
                return answer
            payment = self.objects["payments"].get(payment_id)
            if payment is None:
                raise Refused(404, "not_found", "No such payment.")
            try:
                value = Decimal(amount)
            except ArithmeticError:
                raise Refused(400, "invalid", "amount must be a decimal string.") from None
            if value <= 0 or value > Decimal(payment["amount"]) - Decimal(payment["refunded"]):
                raise Refused(400, "invalid", "Refund amount exceeds what remains.")
            payment["refunded"] = str(Decimal(payment["refunded"]) + value)
            refund = {"id": f"ref{next(self.ids)}", "payment": payment_id, "amount": amount, "currency": payment["currency"],
                      "created": int(time.time())}
            self.objects["refunds"][refund["id"]] = refund
            if key:
                self.keys[key] = (body, refund)
        self.notify("refund", refund["id"])
        self.notify("payment", payment_id)
        return refund

    def notify(self, kind: str, object_id: str) -> None:
        if not self.webhook_url:
            return
        body = json.dumps({"event_id": f"ev{next(self.events)}", "kind": kind, "id": object_id, "at": int(time.time())}).encode()
        request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Example-Signature": sign(self.webhook_secret, body)})
        threading.Thread(target=lambda: urllib.request.urlopen(request, timeout=10).close(), daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    fake: ExamplePay

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._answer(self._get)

    def do_POST(self):
        self._answer(self._post)

    def _answer(self, route) -> None:
        try:
            if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
                raise Refused(401, "auth", "Bad API key.")
            status, answer = route(urlsplit(self.path))
        except Refused as exc:
            status, answer = exc.status, {"type": exc.type, "message": exc.message}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _get(self, url) -> tuple[int, dict]:
        if match := re.fullmatch(r"/(customers|payments|refunds)/([^/]+)", url.path):
            found = self.fake.objects[match[1]].get(match[2])
            if found is None:
                raise Refused(404, "not_found", "No such object.")
            return 200, found
        if match := re.fullmatch(r"/(customers|payments|refunds)", url.path):
            query = parse_qs(url.query)
            items = list(self.fake.objects[match[1]].values())
            if email := (query.get("email") or [""])[0]:
                items = [c for c in items if c["email"].lower() == email.lower()]
            page = int((query.get("page") or ["1"])[0])
            chunk = items[(page - 1) * PER_PAGE:page * PER_PAGE]
            return 200, {match[1]: chunk, "has_more": page * PER_PAGE < len(items)}
        raise Refused(404, "not_found", "No such route.")

    def _post(self, url) -> tuple[int, dict]:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if match := re.fullmatch(r"/payments/([^/]+)/refunds", url.path):
            amount = json.loads(body or b"{}").get("amount")
            if not isinstance(amount, str):
                raise Refused(400, "invalid", "amount must be a decimal string.")
            return 201, self.fake.refund(match[1], amount, self.headers.get("Idempotency-Key") or "", body)
        raise Refused(404, "not_found", "No such route.")
