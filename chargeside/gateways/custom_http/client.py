"""Transport for the custom HTTP gateway: httpx, every request signed, every failure a typed gateway error.

The signature covers the target exactly as httpx puts it on the wire (`request.url.raw_path` minus the base
URL's own path), so query encoding is whatever httpx chose, never a second opinion of ours. Writes are POSTs
and must carry the caller's `Idempotency-Key`; `post()` refuses to send one without it, because the contract
makes the server de-duplicate by that key and a retry without it could move money twice.

Plain http is refused except to a loopback address: nothing else protects the answers (the server does not
sign them), and the shared secret would otherwise be the only thing between a network eavesdropper and a
forged refund answer.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

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

from . import signing

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Chargeside-CustomHTTP/1"


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; InvalidRequest when it is unusable."""
    url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidRequest("The billing server's base URL must be an http(s) address, e.g. https://billing.example.com/chargeside.",
                             code="bad_base_url", param="base_url")
    if parts.query or parts.fragment:
        raise InvalidRequest("The base URL cannot carry a query or a fragment.", code="bad_base_url", param="base_url")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidRequest("The billing server must be reached over https (plain http only to 127.0.0.1 / localhost).",
                             code="insecure_base_url", param="base_url")
    return url


def path(*parts: str) -> str:
    """`path("payments", "pay/1", "refunds")` → "/v1/payments/pay%2F1/refunds": ids can never add a path segment."""
    return "/v1/" + "/".join(quote(str(part), safe="") for part in parts)


def error_for(status: int, body: Any, request_id: str) -> GatewayError:
    """One non-2xx answer → one typed error, by the contract's status codes and error codes."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    message = str(error.get("message") or "") or f"The billing server answered HTTP {status}."
    kw = {"code": code, "request_id": request_id, "http_status": status, "param": str(error.get("param") or "")}
    if status == 402:
        return Declined(message, **kw)
    if status in (401, 403):
        return AuthenticationFailed(f"The billing server refused our signature: {message}", **kw)
    if status == 404:
        return NotFound(message, **kw)
    if status == 409:
        if code == "idempotency_key_in_use":  # the first request with this key is still running: retry later
            return Unavailable(message, **kw)
        return IdempotencyConflict(message, **kw)
    if status == 429:
        return RateLimited(message, **kw)
    if status >= 500:
        return Unavailable(f"The billing server had an error (HTTP {status}): {message}", **kw)
    return InvalidRequest(message, **kw)


class Client:
    """The adapter's only way to the billing server: `get()` for reads, `post()` for writes."""

    def __init__(self, *, base_url: str, secrets: list[str], timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = check_base_url(base_url)
        self.secrets = [s for s in secrets if s]
        if not self.secrets:
            raise AuthenticationFailed("No shared secret is configured for this connection.", code="missing_secret")
        self._prefix = urlsplit(self.base_url).path.encode()  # stripped from the signed target
        self.http = httpx.Client(timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT}, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, params: dict | None = None) -> dict:
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        return self._send("GET", url, params=clean)

    def post(self, url: str, payload: dict, *, idempotency_key: str) -> dict:
        if not idempotency_key:
            raise ValueError("every write to the billing server needs the caller's idempotency key")
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return self._send("POST", url, content=body, headers={signing.IDEMPOTENCY_HEADER: idempotency_key,
                                                              "Content-Type": "application/json"})

    def signed_request(self, method: str, url: str, *, now: float | None = None, secrets: list[str] | None = None,
                       **kwargs) -> httpx.Request:
        """The request as it will be sent, signed over its own wire target and body (`now` and `secrets`
        other than ours only for the contract checks, which send deliberately bad signatures)."""
        request = self.http.build_request(method, self.base_url + url, **kwargs)
        key = request.headers.get(signing.IDEMPOTENCY_HEADER, "")  # the one on the wire is the one signed
        request.headers.update(signing.sign(self.secrets if secrets is None else secrets, method, self.target_of(request),
                                            key, request.content, now=now))
        return request

    def target_of(self, request: httpx.Request) -> str:
        """What the signature covers: the path and query after the base URL, as they go on the wire."""
        target = request.url.raw_path
        if not target.startswith(self._prefix):
            raise ValueError(f"{request.url} is outside the base URL")
        return target[len(self._prefix):].decode("ascii")

    def _send(self, method: str, url: str, **kwargs) -> dict:
        request = self.signed_request(method, url, **kwargs)
        try:
            response = self.http.send(request)
        except httpx.TimeoutException as exc:
            raise Unavailable("The billing server did not answer in time; nothing is known to have happened.", code="timeout") from exc
        except httpx.HTTPError as exc:
            raise Unavailable(f"Could not reach the billing server ({type(exc).__name__}).", code="connection_error") from exc
        request_id = response.headers.get("X-Request-Id", "")[:200]
        try:
            body = response.json() if response.content else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
            if response.is_success:
                raise Unavailable("The billing server's answer is not JSON.", code="contract_violation",
                                  request_id=request_id, http_status=response.status_code) from None
        if not response.is_success:
            raise error_for(response.status_code, body, request_id)
        if not isinstance(body, dict):
            raise Unavailable("The billing server's answer is not a JSON object.", code="contract_violation",
                              request_id=request_id, http_status=response.status_code)
        return body
