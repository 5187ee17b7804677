"""Transport for the Stripe adapter: the official SDK (stripe 16.1.0, API 2026-10-28.endive) pointed at the
connection's base URL, with every Stripe exception translated into our typed gateway errors.

Reads (`get`, `page`, `every`) go through `StripeClient.raw_request`: the SDK's own transport, key, pinned
API version, timeouts and error classes, answered as plain JSON. Building StripeObjects, which the adapter
turned straight back into dicts, cost about eight times the HTTP request on a page of 100 charges (measured
against the local fake: 7.0 s of CPU for 5,245 charges through `charges.list`, 0.8 s through raw_request).
Writes (`call`) keep the SDK's service methods.

Why the guard on idempotency keys: the SDK adds a random `Idempotency-Key` to any POST that lacks one, so a
write retried by `actions/` would be a *new* request to Stripe and could move money twice. `call()` sends the
caller's key, and the HTTP client (transport.py) refuses to send a POST or DELETE whose key is not the one
`call()` was given. SDK-level retries are off by default: actions/ retries with the same key, and a web
request should not sit in the SDK's back-off sleeps. (Were they enabled, they would resend the same headers,
so the same key.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote_plus

import stripe

from chargeside.gateways.errors import (
    AuthenticationFailed,
    Declined,
    GatewayError,
    IdempotencyConflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)

from .transport import MissingIdempotencyKey, build_http_client, expected_key

__all__ = ["DEFAULT_BASE_URL", "Client", "MissingIdempotencyKey", "build_sdk", "next_cursor", "path", "translate"]

DEFAULT_BASE_URL = "https://api.stripe.com"
DEFAULT_TIMEOUT = 10.0
# Keyword arguments raw_request takes as request options (or routing), never as Stripe parameters.
_RAW_REQUEST_RESERVED = frozenset({"api_key", "stripe_version", "stripe_account", "stripe_context", "max_network_retries",
                                   "idempotency_key", "content_type", "headers", "base", "usage"})


def build_sdk(*, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT, max_network_retries: int = 0) -> stripe.StripeClient:
    base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base_url, "files": base_url, "connect": base_url},
        max_network_retries=max_network_retries,
        http_client=build_http_client(base_url, timeout),
    )


def plain(value: Any) -> Any:
    """SDK objects → the JSON-shaped dicts mapping.py reads (and DTO.raw keeps)."""
    if isinstance(value, stripe.StripeObject):
        return value.to_dict(recursive=True, for_json=True)
    return value


DECLINE_WORDS = {
    "generic_decline": "", "insufficient_funds": "insufficient funds", "lost_card": "the card was reported lost",
    "stolen_card": "the card was reported stolen", "expired_card": "the card has expired", "incorrect_cvc": "wrong security code",
    "processing_error": "a processing error at the bank", "do_not_honor": "the bank refused it without a reason",
    "fraudulent": "suspected fraud", "card_velocity_exceeded": "the card's spending limit was reached",
}


def decline_message(decline_code: str) -> str:
    if decline_code in ("authentication_required", "requires_action"):
        return "The card needs the customer to authenticate the payment (3-D Secure), so it cannot be charged without them."
    words = DECLINE_WORDS.get(decline_code, decline_code.replace("_", " "))
    return f"The card was declined ({words})." if words else "The card was declined."


def translate(exc: stripe.StripeError) -> GatewayError:
    """One Stripe exception → one typed error, always carrying Stripe's request id when there is one."""
    request_id = exc.request_id or ""
    status = exc.http_status
    body = exc.error  # the parsed `error` object; the SDK copies its code onto only some exception classes
    code = exc.code or (body.code if body else None) or ""
    param = getattr(exc, "param", None) or (body.param if body else None) or ""
    stripe_message = exc.user_message or ""
    kw = {"request_id": request_id, "http_status": status, "param": param}
    if isinstance(exc, stripe.CardError):
        decline = (body.decline_code if body else None) or code or "generic_decline"
        return Declined(decline_message(decline), code=decline, **kw)
    if isinstance(exc, stripe.IdempotencyError):
        return IdempotencyConflict("This idempotency key was already used for a different request; nothing new was done.", code=code or "idempotency_error", **kw)
    if isinstance(exc, stripe.RateLimitError):
        return RateLimited("Stripe is rate-limiting requests right now; try again in a moment.", code=code or "rate_limit", **kw)
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return AuthenticationFailed(f"Stripe refused the API key: {stripe_message}".rstrip(": "), code=code, **kw)
    if code == "idempotency_key_in_use":  # 409: the first attempt is still running; retry later, same key
        return Unavailable("The same request is still being processed by Stripe; try again shortly.", code=code, **kw)
    if isinstance(exc, stripe.InvalidRequestError):
        if code == "resource_missing" or status == 404:
            return NotFound(stripe_message or "Stripe has no such object.", code=code or "resource_missing", **kw)
        return InvalidRequest(stripe_message or "Stripe refused the request.", code=code, **kw)
    if isinstance(exc, stripe.APIConnectionError):
        return Unavailable("Could not reach Stripe (network error or timeout); nothing is known to have happened.", code=code or "connection_error", **kw)
    if isinstance(exc, stripe.APIError) or (status or 0) >= 500:
        return Unavailable(f"Stripe had an internal error (HTTP {status}); try again shortly.", code=code or "api_error", **kw)
    return InvalidRequest(stripe_message or type(exc).__name__, code=code, **kw)


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as exc:
        raise translate(exc) from exc


def next_cursor(page: dict) -> str | None:
    """Stripe lists page with `starting_after=<last id>`; None once `has_more` is false."""
    return page["data"][-1]["id"] if page.get("has_more") and page["data"] else None


def path(*parts: str) -> str:
    """`path("customers", "cus_1", "tax_ids")` → "/v1/customers/cus_1/tax_ids", each id quoted as the SDK does."""
    return "/v1/" + "/".join(quote_plus(part) for part in parts)


class Client:
    """The adapter's only way to Stripe: `get()`/`page()`/`every()` for reads, `call()` for writes."""

    def __init__(self, *, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT):
        if not api_key:
            raise AuthenticationFailed("No Stripe secret key is configured for this connection.", code="missing_key")
        self.sdk = build_sdk(api_key=api_key, base_url=base_url, timeout=timeout)
        self.v1 = self.sdk.v1

    def call(self, method: Callable[..., Any], *args: Any, params: dict | None = None, idempotency_key: str = "") -> Any:
        """Call an SDK service method; writes (POST/DELETE) must pass `idempotency_key`. Returns plain dicts."""
        options = {"idempotency_key": idempotency_key} if idempotency_key else {}
        token = expected_key.set(idempotency_key)
        try:
            with translated_errors():
                return plain(method(*args, params=_clean(params), options=options))
        finally:
            expected_key.reset(token)

    def get(self, url: str, params: dict | None = None) -> dict:
        """GET `url` (from `path()`) with Stripe parameters; the JSON answer as plain dicts."""
        params = _clean(params)
        if reserved := _RAW_REQUEST_RESERVED & params.keys():
            raise ValueError(f"raw_request would read {sorted(reserved)} as request options, not parameters")
        with translated_errors():
            response = self.sdk.raw_request("get", url, **params)
        # raw_request parsed the body into OrderedDicts; plain dicts are what `call()` returns and DTO.raw keeps.
        return json.loads(response.body)

    def page(self, url: str, cursor: str | None, limit: int, params: dict) -> dict:
        return self.get(url, {**params, "limit": limit, "starting_after": cursor})

    def every(self, url: str, params: dict, *, max_pages: int = 20) -> Iterator[dict]:
        """All objects of a (small) list, e.g. one customer's cards; capped so a runaway list cannot hang a request."""
        cursor = None
        for _ in range(max_pages):
            res = self.page(url, cursor, 100, params)
            yield from res["data"]
            if not (cursor := next_cursor(res)):
                return


def _clean(params: dict | None) -> dict:
    # Stripe reads an empty string as "unset this field", so optional values we do not have are left out.
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}
