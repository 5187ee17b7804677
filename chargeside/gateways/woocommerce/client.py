"""Transport for the WooCommerce adapter: the official `woocommerce` 3.0.0 SDK, unmodified, pointed at the
store URL of the connection (the SDK takes any URL: `{url}/wp-json/wc/v3/<endpoint>`), and every answer or
failure translated into JSON or our typed errors.

How the SDK authenticates depends on the URL: https → HTTP Basic (or the key in the query with
`query_string_auth`); http → one-legged OAuth 1.0a signed into the query string with a fresh timestamp and
nonce (WooCommerce refuses a signature older than 15 minutes or a reused nonce). The SDK signs values with
Python's `quote`, which leaves "/" alone while WooCommerce's `rawurlencode` does not, so over plain HTTP a
parameter containing "/" would fail verification; nothing this adapter sends contains one.

Errors: WordPress answers `{"code", "message", "data": {"status": N}}`. Refund failures come back as HTTP 500
with `"data": 500` (WooCommerce passes a bare status to WP_Error): a 500 carrying a WooCommerce error code is a
refusal, not an outage. HTML or unreadable 5xx answers, timeouts and refused connections are outages.
"""

from __future__ import annotations

from collections.abc import Iterator

import requests
import woocommerce

from chargeside.gateways.errors import (
    AuthenticationFailed,
    Declined,
    GatewayError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)

DEFAULT_TIMEOUT = 15
MAX_PER_PAGE = 100
# wc_refund_payment's own messages: the store cannot refund through the gateway at all.
NO_GATEWAY_REFUND = ("The payment gateway for this order does not support automatic refunds.",
                     "The payment gateway for this order does not exist.")


class Client:
    def __init__(self, *, url: str, consumer_key: str, consumer_secret: str, timeout: float = DEFAULT_TIMEOUT,
                 query_string_auth: bool = False):
        if not url:
            raise InvalidRequest("No store URL is configured for this WooCommerce connection.", code="missing_url")
        if not consumer_key or not consumer_secret:
            raise AuthenticationFailed("No WooCommerce API key (consumer key and secret) is configured.", code="missing_key")
        self.sdk = woocommerce.API(url=url.rstrip("/"), consumer_key=consumer_key, consumer_secret=consumer_secret,
                                   version="wc/v3", timeout=timeout, query_string_auth=query_string_auth)

    def get(self, endpoint: str, params: dict | None = None) -> tuple[object, requests.structures.CaseInsensitiveDict]:
        return self._call("get", endpoint, params=_clean(params))

    def post(self, endpoint: str, data: dict) -> object:
        return self._call("post", endpoint, data=data)[0]

    def put(self, endpoint: str, data: dict) -> object:
        return self._call("put", endpoint, data=data)[0]

    def page(self, endpoint: str, page: int, per_page: int, params: dict | None = None) -> tuple[list, int]:
        """One page of a collection and the number of pages (X-WP-TotalPages)."""
        body, headers = self.get(endpoint, {**(params or {}), "page": page, "per_page": max(1, min(per_page, MAX_PER_PAGE))})
        if not isinstance(body, list):
            raise Unavailable(f"WooCommerce answered {endpoint} with something other than a list.", code="bad_response")
        try:
            pages = int(headers.get("X-WP-TotalPages") or 0)
        except ValueError:
            pages = 0
        return body, pages

    def every(self, endpoint: str, params: dict | None = None, *, max_pages: int = 20) -> Iterator[dict]:
        for page in range(1, max_pages + 1):
            items, pages = self.page(endpoint, page, MAX_PER_PAGE, params)
            yield from items
            if page >= pages:
                return

    def _call(self, verb: str, endpoint: str, **kwargs):
        method = getattr(self.sdk, verb)
        try:
            if verb in ("get",):
                response = method(endpoint, params=kwargs.get("params") or {})
            else:
                response = method(endpoint, kwargs["data"])
        except requests.Timeout as exc:
            raise Unavailable("WooCommerce did not answer in time; nothing is known to have happened.", code="timeout") from exc
        except requests.RequestException as exc:
            raise Unavailable("Could not reach the WooCommerce store (network error); nothing is known to have happened.",
                              code="connection_error") from exc
        if 200 <= response.status_code < 300:
            try:
                return response.json(), response.headers
            except ValueError:
                raise Unavailable("The store answered with something that is not JSON (is the URL a WooCommerce store?).",
                                  code="bad_response", http_status=response.status_code) from None
        raise translate(response)


def _error_body(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) and "code" in body else {}


def translate(response) -> GatewayError:
    """One WooCommerce/WordPress error answer → one typed error."""
    status = response.status_code
    body = _error_body(response)
    code, message = str(body.get("code") or ""), str(body.get("message") or "")
    kw = {"code": code or f"http_{status}", "http_status": status}
    if status == 429:
        return RateLimited("The store (or its host) is limiting requests right now; try again in a moment.", **kw)
    if status in (401, 403):
        return AuthenticationFailed(f"WooCommerce refused the API key: {message}" if message else "WooCommerce refused the API key.", **kw)
    if code == "woocommerce_rest_cannot_create_order_refund":
        if message == "Invalid refund amount.":
            return InvalidRequest("WooCommerce refused the refund: the amount is more than what remains to refund on this order.", **kw)
        if message in NO_GATEWAY_REFUND:
            return InvalidRequest(f"WooCommerce cannot refund this order automatically: {message} "
                                  "Refund it in the payment provider and record it in WooCommerce by hand.", **kw)
        return Declined(f"The payment gateway refused the refund: {message}", **kw)
    if status == 404 or code.endswith("_invalid_id") or code in ("woocommerce_rest_invalid_order_id", "woocommerce_rest_invalid_order_refund_id"):
        if code == "rest_no_route":
            return NotFound("This WooCommerce store has no such API route (is the extension installed and the URL right?).", **kw)
        return NotFound(message or "WooCommerce has no such object.", **kw)
    if 400 <= status < 500 or (code and code.startswith(("woocommerce_rest_", "rest_"))):
        param = ",".join((body.get("data") or {}).get("params") or {}) if isinstance(body.get("data"), dict) else ""
        return InvalidRequest(message or f"WooCommerce refused the request (HTTP {status}).", param=param, **kw)
    return Unavailable(f"The WooCommerce store had an error (HTTP {status}); try again shortly.", **kw)


def _clean(params: dict | None) -> dict:
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}
