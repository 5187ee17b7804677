"""The request pipeline: auth → API version → faults → route → handler → Recurly-shaped JSON answer.

Auth is HTTP Basic with the API key as user and an empty password (what the SDK sends); the version comes
from `Accept: application/vnd.recurly.v2021-02-25[+json]`. Answers carry `Recurly-Version`, `X-Request-Id`
and the rate-limit headers, as Recurly's do. Lists are Recurly's `{"object": "list", "has_more", "next",
"data"}`: `next` is a path with a `cursor` plus every filter, which the SDK follows as it is.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

from .errors import ApiError, bad_request

API_VERSION = "v2021-02-25"
ACCEPTED = (f"application/vnd.recurly.{API_VERSION}", f"application/vnd.recurly.{API_VERSION}+json")
_ROUTES: list[tuple[str, re.Pattern, Callable]] = []


def route(method: str, pattern: str):
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def register(fn):
        _ROUTES.append((method, regex, fn))
        # Literal segments win over parameters (/accounts/{id}/coupon_redemptions/active before .../{id}).
        _ROUTES.sort(key=lambda r: -sum(1 for p in r[1].pattern.split("/") if p and "(?P" not in p))
        return fn

    return register


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)  # Recurly sends amounts as JSON numbers
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj) -> bytes:
    return json.dumps(obj, default=_json_default, ensure_ascii=False).encode("utf-8")


def public(obj):
    """The wire copy of a stored object: the fake's own `_fields` removed, recursively."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: dict
    api: Api


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class Api:
    def __init__(self, fake):
        self.fake = fake
        self.observers: list[Callable] = []  # fn(method, path, status, body, content type), e.g. the spec check
        self._request_ids = iter(range(1, 10**12))
        self._lock = threading.Lock()

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Response:
        with self._lock:
            request_id = f"fake-{next(self._request_ids):08d}"
        parts = urlsplit(target)
        path = parts.path
        fault = None
        try:
            self._authenticate(headers)
            if self.fake.faults.unreachable:
                return Response(0, b"", drop=True)
            if fault := self.fake.faults.take(method, path, "before"):
                if fault.drop:
                    return Response(0, b"", drop=True)
                raise fault.error()
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            body = self._body(raw, method)
            handler, params = self._resolve(method, path)
            with self.fake.store.lock:
                status, answer = handler(Request(method, path, query, body, self), **params)
            self.fake.flush_notifications()
            if fault := self.fake.faults.take(method, path, "after"):
                if fault.drop:
                    return Response(0, b"", drop=True)
                raise fault.error()
        except ApiError as exc:
            status, answer = exc.status, exc.body()
        response = Response(status, dumps(public(answer)) if answer is not None else b"", self._headers(request_id))
        for observe in self.observers:
            observe(method, path, response.status, response.body, response.headers["Content-Type"])
        return response

    def _authenticate(self, headers: dict[str, str]) -> None:
        scheme, _, value = (headers.get("authorization") or "").partition(" ")
        key = ""
        if scheme.lower() == "basic":
            try:
                key = base64.b64decode(value).decode("utf-8").partition(":")[0]
            except ValueError:
                key = ""
        if not key or (self.fake.api_keys is not None and key not in self.fake.api_keys):
            raise ApiError("unauthorized", "Invalid API key. Please use a valid private API key.", status=401)
        accept = (headers.get("accept") or "").split(",")[0].strip()
        if accept not in ACCEPTED:
            raise ApiError("invalid_api_version", f"Please specify a supported API version with the Accept header: application/vnd.recurly.{API_VERSION}", status=406)

    def _body(self, raw: bytes, method: str) -> dict:
        if not raw or method in ("GET", "DELETE", "HEAD"):
            return {}
        try:
            body = json.loads(raw, parse_float=Decimal)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError("bad_request", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError("bad_request", "The request body must be a JSON object.")
        return body

    def _resolve(self, method: str, path: str):
        for m, regex, fn in _ROUTES:
            if m == method and (match := regex.match(path)):
                return fn, match.groupdict()
        raise ApiError("not_found", f"The requested URL {path} was not found on this server.")

    def _headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8", "Recurly-Version": f"recurly.{API_VERSION}",
                "X-Request-Id": request_id, "X-RateLimit-Limit": "2000", "X-RateLimit-Remaining": "1999",
                "X-RateLimit-Reset": str(int(self.fake.clock.now()) // 300 * 300 + 300)}


# --- lists --------------------------------------------------------------------------------------------

SORTS = ("created_at", "updated_at")


def page(request: Request, items: list[dict], render: Callable[[dict], dict]) -> tuple[int, dict]:
    """Recurly's cursor pagination over `items` (creation order). Filters are already applied by the caller."""
    q = request.query
    try:
        limit = int(q.get("limit") or 20)
    except ValueError:
        raise bad_request("limit must be an integer") from None
    if not 1 <= limit <= 200:
        raise ApiError("bad_request", "limit must be between 1 and 200", params=[{"param": "limit", "message": "must be between 1 and 200"}])
    order = q.get("order") or "desc"
    if order not in ("asc", "desc") or (q.get("sort") or "created_at") not in SORTS:
        raise bad_request("order must be asc or desc, sort created_at or updated_at")
    ordered = sorted(items, key=lambda o: o["_seq"], reverse=order == "desc")
    if cursor := q.get("cursor"):
        try:
            after = int(cursor, 36)
        except ValueError:
            raise bad_request("Invalid cursor") from None
        ordered = [o for o in ordered if (o["_seq"] > after if order == "asc" else o["_seq"] < after)]
    chunk, more = ordered[:limit], len(ordered) > limit
    nxt = None
    if more:
        params = {k: v for k, v in q.items() if k != "cursor"}
        params["cursor"] = _b36(chunk[-1]["_seq"])
        params["limit"] = str(limit)
        nxt = f"{request.path}?{urlencode(params)}"
    return 200, {"object": "list", "has_more": more, "next": nxt, "data": [render(o) for o in chunk]}


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
