"""Transport for the Stripe adapter: the official SDK (stripe 16.1.0, API 2026-10-28.endive) pointed at the
connection's base URL, with every Stripe exception translated into our typed gateway errors.

Why the guard on idempotency keys: the SDK adds a random `Idempotency-Key` to any POST that lacks one, so a
write retried by `actions/` would be a *new* request to Stripe and could move money twice. `call()` sends the
caller's key, and the HTTP client refuses to send a POST or DELETE whose key is not the one `call()` was
given. SDK-level retries are off by default: actions/ retries with the same key, and a web request should not
sit in the SDK's back-off sleeps. (Were they enabled, they would resend the same headers, so the same key.)
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import stripe
from stripe._http_client import RequestsClient

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

DEFAULT_BASE_URL = "https://api.stripe.com"
DEFAULT_TIMEOUT = 10.0
_expected_key: contextvars.ContextVar[str] = contextvars.ContextVar("stripe_idempotency_key", default="")


class MissingIdempotencyKey(RuntimeError):
    """A programming error: a write was about to leave without the caller's idempotency key."""


class _GuardedRequestsClient(RequestsClient):
    def request(self, method, url, headers, post_data=None):
        if method.lower() in ("post", "delete"):
            key = _expected_key.get()
            if not key or headers.get("Idempotency-Key") != key:
                raise MissingIdempotencyKey(f"refusing to send {method.upper()} {url} without the caller's idempotency key")
        return super().request(method, url, headers, post_data)


def build_sdk(*, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT, max_network_retries: int = 0) -> stripe.StripeClient:
    base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base_url, "files": base_url, "connect": base_url},
        max_network_retries=max_network_retries,
        http_client=_GuardedRequestsClient(timeout=timeout),
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


class Client:
    """The adapter's only way to Stripe: `call()` for one request, `page()`/`every()` for lists."""

    def __init__(self, *, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT):
        if not api_key:
            raise AuthenticationFailed("No Stripe secret key is configured for this connection.", code="missing_key")
        self.sdk = build_sdk(api_key=api_key, base_url=base_url, timeout=timeout)
        self.v1 = self.sdk.v1

    def call(self, method: Callable[..., Any], *args: Any, params: dict | None = None, idempotency_key: str = "") -> Any:
        """Call an SDK service method; writes (POST/DELETE) must pass `idempotency_key`. Returns plain dicts."""
        options = {"idempotency_key": idempotency_key} if idempotency_key else {}
        token = _expected_key.set(idempotency_key)
        try:
            with translated_errors():
                return plain(method(*args, params=_clean(params), options=options))
        finally:
            _expected_key.reset(token)


    def page(self, method: Callable[..., Any], cursor: str | None, limit: int, params: dict, *args: Any) -> dict:
        return self.call(method, *args, params={**params, "limit": limit, "starting_after": cursor})

    def every(self, method: Callable[..., Any], params: dict, *args: Any, max_pages: int = 20) -> Iterator[dict]:
        """All objects of a (small) list, e.g. one customer's cards; capped so a runaway list cannot hang a request."""
        cursor = None
        for _ in range(max_pages):
            res = self.page(method, cursor, 100, params, *args)
            yield from res["data"]
            if not (cursor := next_cursor(res)):
                return


def _clean(params: dict | None) -> dict:
    # Stripe reads an empty string as "unset this field", so optional values we do not have are left out.
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}
