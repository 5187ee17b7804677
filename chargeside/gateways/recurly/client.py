"""Transport for the Recurly adapter: the official SDK (recurly 4.79.0, API v2021-02-25) pointed at the
connection's base URL, Recurly's exceptions translated into our typed gateway errors, answers as plain JSON.

The base-URL override. `recurly.Client` has no base-URL option: `BaseClient.__init__` opens
`http.client.HTTPSConnection(API_HOSTS[region], 443)` and keeps it in the name-mangled private attribute
`_BaseClient__conn`; every request goes through that one connection (`conn.request(method, path, ...)` with
a path-only URL). `point_at()` below is the only place that touches it: it swaps the connection for one to
the configured host. Plain `http` is allowed for loopback hosts only (the local fake); anything else must be
`https`. The SDK version is pinned (SDK_VERSION) and `point_at()` refuses to run on another version or when
the attribute is missing, and tests/gateways/recurly/test_recurly_client.py fails loudly if the SDK's
internals change — so an SDK upgrade is a deliberate re-check, never a silent request to the real Recurly.

Threads: the SDK holds one `http.client` connection per client, which is not safe to share between threads
(ingest's backfill prefetches pages and re-fetches in a small pool), so `Client` keeps one SDK client per thread.

Money: Recurly sends decimal amounts as JSON numbers; the SDK parses them into floats. `plain()` keeps them as
they are and mapping.py turns each through `Decimal(str(x))` and the currency exponent, never float arithmetic.
Outgoing amounts are built from Decimal (`decimal_amount`).
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import recurly

from chargeside.core.money import Money, to_major
from chargeside.gateways.errors import (
    AuthenticationFailed,
    Declined,
    GatewayError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)

SDK_VERSION = "4.79.0"  # the override below was read and tested against exactly this version
DEFAULT_BASE_URL = "https://v3.recurly.com"
DEFAULT_TIMEOUT = 10.0
_CONN_ATTR = "_BaseClient__conn"
LOOPBACK_NAMES = frozenset({"localhost"})


class SdkChanged(RuntimeError):
    """The installed SDK is not the one the base-URL override was written for: re-check client.py."""


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connection_for(base_url: str, timeout: float) -> http.client.HTTPConnection:
    """The http.client connection for `base_url` (https anywhere, plain http only to a loopback fake)."""
    parts = urlsplit(base_url or DEFAULT_BASE_URL)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidRequest(f"'{base_url}' is not an http(s) URL.", code="bad_base_url", param="base_url")
    if parts.path not in ("", "/"):
        raise InvalidRequest("The Recurly base URL must not have a path (requests go to /accounts, /invoices...).",
                             code="bad_base_url", param="base_url")
    if parts.scheme == "http":
        if not _is_loopback(host):
            raise InvalidRequest("Plain http is only allowed to a local test server (127.0.0.1); use https.",
                                 code="bad_base_url", param="base_url")
        return http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
    return http.client.HTTPSConnection(host, parts.port or 443, timeout=timeout)


def point_at(sdk: recurly.Client, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> recurly.Client:
    """THE override: replace the SDK client's private connection with one to `base_url`. Pinned to SDK_VERSION."""
    if recurly.__version__ != SDK_VERSION:
        raise SdkChanged(f"recurly {recurly.__version__} is installed; client.point_at was written for {SDK_VERSION}.")
    current = getattr(sdk, _CONN_ATTR, None)
    if not isinstance(current, http.client.HTTPConnection):
        raise SdkChanged(f"recurly.Client no longer keeps its connection in {_CONN_ATTR}; re-check client.point_at.")
    current.close()
    setattr(sdk, _CONN_ATTR, connection_for(base_url, timeout))
    return sdk


def build_sdk(*, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT) -> recurly.Client:
    sdk = recurly.Client(api_key, timeout=timeout)
    if (base_url or DEFAULT_BASE_URL).rstrip("/") == DEFAULT_BASE_URL:
        return sdk  # the SDK's own host: nothing to override
    return point_at(sdk, base_url, timeout)


# --- SDK resources → plain JSON ------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """An SDK Resource (or list/Page of them) → the JSON-shaped dict mapping.py reads and DTO.raw keeps.

    The SDK parsed datetimes (written back in Recurly's own `2026-01-01T00:00:00Z` form) and set fields it
    does not know to None; nothing else changes."""
    if isinstance(value, recurly.Resource):
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def decimal_amount(money: Money) -> float:
    """An amount for a request body. The SDK serialises bodies with json.dumps (no Decimal support), and a
    Decimal with at most 3 places converts to the float whose shortest repr is that same decimal."""
    return float(to_major(money.amount, money.currency))


# --- errors ------------------------------------------------------------------------------------------

DECLINE_WORDS = {
    "insufficient_funds": "insufficient funds", "declined": "", "expired_card": "the card has expired",
    "fraud_gateway": "suspected fraud", "fraud_stolen_card": "the card was reported stolen",
    "invalid_card_number": "the card number is invalid", "call_issuer": "the bank asks to be called",
    "card_type_not_accepted": "this card type is not accepted", "declined_security_code": "wrong security code",
    "do_not_honor": "the bank refused it without a reason", "three_d_secure_action_required": "the customer must authenticate (3-D Secure)",
}


def decline_message(code: str) -> str:
    words = DECLINE_WORDS.get(code, code.replace("_", " "))
    return f"The card was declined ({words})." if words else "The card was declined."


def _detail(err) -> tuple[str, str, str]:
    """(type, message, first param name) from the SDK's parsed error object (may be None)."""
    if err is None:
        return "", "", ""
    params = getattr(err, "params", None) or []
    first = params[0] if params else {}
    param = first.get("param", "") if isinstance(first, dict) else getattr(first, "param", "") or ""
    return getattr(err, "type", "") or "", getattr(err, "message", "") or "", param


def translate(exc: recurly.RecurlyError) -> GatewayError:
    """One Recurly exception → one typed error, carrying Recurly's request id when there is one."""
    if isinstance(exc, recurly.NetworkError):
        return Unavailable("Could not reach Recurly (network error or timeout); nothing is known to have happened.", code="network_error")
    err = getattr(exc, "error", None)
    kind, message, param = _detail(err)
    response = None
    try:
        response = err.get_response() if err is not None else None
    except AttributeError:
        response = None
    request_id = (getattr(response, "request_id", "") or "") if response is not None else ""
    status = getattr(response, "status", None) if response is not None else None
    kw = {"request_id": request_id, "http_status": status, "param": param}
    errors = recurly.errors
    if isinstance(exc, errors.TransactionError):
        tx = getattr(err, "transaction_error", None)
        code = (getattr(tx, "decline_code", None) or getattr(tx, "code", None) or "declined") if tx is not None else "declined"
        return Declined(decline_message(code), code=code, **kw)
    if isinstance(exc, errors.TooManyRequestsError):
        return RateLimited("Recurly is rate-limiting requests right now; try again in a moment.", code=kind or "rate_limited", **kw)
    if isinstance(exc, (errors.UnauthorizedError, errors.ForbiddenError)):
        return AuthenticationFailed(f"Recurly refused the API key: {message}".rstrip(": "), code=kind or "unauthorized", **kw)
    if isinstance(exc, errors.NotFoundError):
        return NotFound(message or "Recurly has no such object.", code=kind or "not_found", **kw)
    if isinstance(exc, errors.SimultaneousRequestError):
        return Unavailable("Recurly is still processing a request on the same object; try again shortly.", code=kind, **kw)
    if isinstance(exc, (errors.ClientError,)):
        return InvalidRequest(message or "Recurly refused the request.", code=kind or "invalid_request", **kw)
    if isinstance(exc, errors.ServerError) or (status or 0) >= 500:
        return Unavailable(f"Recurly had an internal error (HTTP {status}); try again shortly.", code=kind or "server_error", **kw)
    text = str(exc)
    if "Unknown Error" in text or "Unexpected" in text:  # an error answer without a JSON body
        return Unavailable("Recurly answered with an error and no details; try again shortly.", code="unknown_error", **kw)
    return InvalidRequest(message or text or type(exc).__name__, code=kind, **kw)


# --- the adapter's only way to Recurly --------------------------------------------------------------

class Client:
    """`call(name, *args, **options)` runs one SDK method and answers plain JSON; `page()`/`every()` list."""

    def __init__(self, *, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT):
        if not api_key:
            raise AuthenticationFailed("No Recurly API key is configured for this connection.", code="missing_key")
        self.api_key, self.base_url, self.timeout = api_key, base_url or DEFAULT_BASE_URL, timeout
        connection_for(self.base_url, timeout)  # refuse a bad URL now, not on the first request
        self._local = threading.local()

    @property
    def sdk(self) -> recurly.Client:
        sdk = getattr(self._local, "sdk", None)
        if sdk is None:
            sdk = self._local.sdk = build_sdk(api_key=self.api_key, base_url=self.base_url, timeout=self.timeout)
        return sdk

    def call(self, method: str, *args: Any, **options: Any) -> Any:
        try:
            return plain(getattr(self.sdk, method)(*args, **options))
        except recurly.RecurlyError as exc:
            self._reset_if_broken(exc)
            raise translate(exc) from exc

    def page(self, path: str, *, cursor: str | None, limit: int, params: dict | None = None) -> tuple[list[dict], str | None]:
        """One page of a list endpoint (`path` from `path()`), through the same SDK call its Pager makes.

        The cursor is Recurly's own `next` link (a path carrying every parameter), as the SDK's PageIterator
        follows it; None after the last page."""
        try:
            if cursor:
                if not cursor.startswith("/"):
                    raise InvalidRequest("This is not a Recurly page cursor.", code="bad_cursor")
                res = self.sdk._make_request("GET", cursor, None)
            else:
                query = {k: v for k, v in {**(params or {}), "limit": limit}.items() if v is not None and v != ""}
                res = self.sdk._make_request("GET", path, None, params=query)
        except recurly.RecurlyError as exc:
            self._reset_if_broken(exc)
            raise translate(exc) from exc
        if not isinstance(getattr(res, "data", None), list):
            raise Unavailable("Recurly answered a list request with something that is not a list.", code="bad_response")
        return plain(res.data), (res.next if getattr(res, "has_more", False) and getattr(res, "next", None) else None)

    def every(self, path: str, *, params: dict | None = None, max_pages: int = 20) -> Iterator[dict]:
        """All items of a small list (one account's transactions); capped so a runaway list cannot hang a request."""
        cursor = None
        for _ in range(max_pages):
            data, cursor = self.page(path, cursor=cursor, limit=200, params=params)
            yield from data
            if not cursor:
                return

    def _reset_if_broken(self, exc: Exception) -> None:
        # After a network error the SDK's connection may be half-used; a fresh one next time.
        if isinstance(exc, recurly.NetworkError):
            self._local.sdk = None



def path(template: str, *ids: str) -> str:
    """`path("/accounts/%s/transactions", "abc")`, each id quoted exactly as the SDK's `_interpolate_path` does."""
    if any(not isinstance(i, str) or not i.strip() for i in ids):
        raise NotFound("No Recurly id was given.", code="not_found")
    return template % tuple(quote(i, safe="") for i in ids)
