"""Transport for the PayPal adapter: the official `paypal-server-sdk` 2.4.0, pointed at the connection's base URL,
with every SDK exception translated into our typed gateway errors. Answers are PayPal's JSON as plain dicts
(the SDK parses each answer into its models first, so a shape it cannot read fails here, not in mapping).

Base URL: the SDK has no option for it; `Configuration.get_base_uri` reads `self.environments`. The protocols
note patches the class dictionary, which is process-wide (two connections with different URLs would fight
over it), so `point_at` shadows it on the one Configuration instance instead. It is the only place that
reaches into the SDK, pinned to the version it was written for (`PINNED_SDK`) and tested.

APIs without a controller in 2.4.0 (checked: the SDK ships orders, payments, subscriptions incl. plans,
transaction search, vault, oauth only): catalog products, invoicing v2, customer disputes and webhook
signature verification. `Client.request` calls them through the SDK's own request builder, HTTP client, OAuth2
token manager and error classes (`ApiCallBuilder`), so base URL, token refresh, timeouts and error shapes
are the same as for the SDK's own calls.

Idempotency: PayPal de-duplicates writes by the `PayPal-Request-Id` header; every write here sends the
caller's key in it (the SDK's `paypal_request_id` option, or the header in `request`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any
from urllib.parse import quote

import requests
from apimatic_core.authentication.multiple.single_auth import Single
from apimatic_core.exceptions.auth_validation_exception import AuthValidationException
from apimatic_core.request_builder import RequestBuilder
from apimatic_core.response_handler import ResponseHandler
from apimatic_core.types.parameter import Parameter
from paypalserversdk.api_helper import APIHelper
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.controllers.base_controller import BaseController
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.exceptions.error_exception import ErrorException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.http.http_method_enum import HttpMethodEnum
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

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

PINNED_SDK = "2.4.0"
LIVE_BASE_URL = "https://api-m.paypal.com"
SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com"
DEFAULT_TIMEOUT = 20


class SdkShapeChanged(RuntimeError):
    """The installed paypal-server-sdk is not the one `point_at` was written and tested for."""


def point_at(config: Configuration, base_url: str) -> Configuration:
    """Make this one SDK Configuration send every request (OAuth token included) to `base_url`."""
    installed = version("paypal-server-sdk")
    if installed != PINNED_SDK:
        raise SdkShapeChanged(f"paypal-server-sdk {installed} is installed; client.point_at was written for {PINNED_SDK}: re-check it")
    if not isinstance(getattr(Configuration, "environments", None), dict) or "self.environments" not in _source(Configuration.get_base_uri):
        raise SdkShapeChanged("paypalserversdk Configuration no longer resolves its base URI from `environments`")
    config.environments = {env: {Server.DEFAULT: base_url.rstrip("/")} for env in Environment}
    return config


def _source(func) -> str:
    import inspect

    return inspect.getsource(func)


def build_sdk(*, client_id: str, client_secret: str, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> PaypalServersdkClient:
    credentials = ClientCredentialsAuthCredentials(o_auth_client_id=client_id, o_auth_client_secret=client_secret)
    # Retries off: actions/ retries with the same PayPal-Request-Id, and a web request must not sit in back-off.
    config = Configuration(timeout=timeout, max_retries=0, environment=Environment.SANDBOX,
                           client_credentials_auth_credentials=credentials)
    point_at(config, base_url)
    return PaypalServersdkClient(config=config)


# --- errors -----------------------------------------------------------------------------------------------

ISSUE_WORDS = {
    "REFUND_AMOUNT_EXCEEDED": "The refund is larger than what remains of the payment.",
    "CAPTURE_FULLY_REFUNDED": "This payment has already been refunded in full.",
    "REFUND_NOT_ALLOWED": "PayPal does not allow a refund of this payment.",
    "REFUND_TIME_LIMIT_EXCEEDED": "The payment is too old to be refunded through PayPal.",
    "AUTHORIZATION_ALREADY_CAPTURED": "This authorisation has already been captured.",
    "AUTHORIZATION_VOIDED": "This authorisation was voided.",
    "AUTHORIZATION_EXPIRED": "This authorisation has expired.",
    "CANNOT_BE_VOIDED": "This authorisation cannot be voided any more.",
    "MAX_CAPTURE_AMOUNT_EXCEEDED": "The capture is larger than what was authorised.",
    "SUBSCRIPTION_STATUS_INVALID": "The subscription is not in a state that allows this.",
    "INSTRUMENT_DECLINED": "The customer's payment method was declined.",
    "PAYER_CANNOT_PAY": "The buyer cannot pay with PayPal for this transaction.",
    "TRANSACTION_REFUSED": "PayPal refused the transaction.",
    "DUPLICATE_REQUEST_ID": "This request id was already used for a different request; nothing new was done.",
    "CURRENCY_MISMATCH": "The amount's currency is not the payment's currency.",
    "INVALID_RESOURCE_ID": "PayPal has no such object.",
}
DECLINE_ISSUES = frozenset({"INSTRUMENT_DECLINED", "PAYER_CANNOT_PAY", "TRANSACTION_REFUSED", "PAYEE_BLOCKED_TRANSACTION"})


def error_body(text: str | None) -> dict:
    try:
        body = json.loads(text or "")
    except (ValueError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


def translate(status: int | None, body: dict, headers=None) -> GatewayError:
    """PayPal's error JSON ({name, message, debug_id, details[{issue, description}]}) → one typed error."""
    details = [d for d in body.get("details") or [] if isinstance(d, dict)]
    issue = str(details[0].get("issue") or "") if details else ""
    name = str(body.get("name") or body.get("error") or "")  # OAuth errors are {"error", "error_description"}
    paypal_message = str((details[0].get("description") if details else "") or body.get("message") or body.get("error_description") or "")
    request_id = str(body.get("debug_id") or (headers or {}).get("Paypal-Debug-Id") or "")
    kw = {"code": issue or name, "request_id": request_id, "http_status": status,
          "param": str(details[0].get("field") or "") if details else ""}
    words = ISSUE_WORDS.get(issue) or paypal_message or "PayPal refused the request."
    if status == 401 or name in ("AUTHENTICATION_FAILURE", "invalid_client", "invalid_token"):
        return AuthenticationFailed(f"PayPal refused the credentials: {paypal_message or name}".rstrip(": "), **kw)
    if status == 403:
        return AuthenticationFailed(f"PayPal refused the request for lack of permission: {paypal_message or name}", **kw)
    if status == 429 or name == "RATE_LIMIT_REACHED":
        return RateLimited("PayPal is rate-limiting requests right now; try again in a moment.", **kw)
    if status == 404 or name == "RESOURCE_NOT_FOUND" or issue == "INVALID_RESOURCE_ID":
        return NotFound(words if issue else "PayPal has no such object.", **kw)
    if status == 409:
        return Unavailable("The same request is still being processed by PayPal; try again shortly.", **kw)
    if status is not None and status >= 500:
        return Unavailable(f"PayPal had an internal error (HTTP {status}); try again shortly.", **kw)
    if issue == "DUPLICATE_REQUEST_ID":
        return IdempotencyConflict(words, **kw)
    if issue in DECLINE_ISSUES:
        return Declined(words, **kw)
    return InvalidRequest(words, **kw)


@contextmanager
def translated_errors():
    try:
        yield
    except ApiException as exc:
        response = exc.response
        raise translate(exc.response_code, error_body(getattr(response, "text", "")), getattr(response, "headers", None)) from exc
    except AuthValidationException as exc:  # the SDK could not get an OAuth token (it swallows the 401 itself)
        raise AuthenticationFailed("PayPal refused the client id and secret (no access token was issued).", code="invalid_client") from exc
    except requests.RequestException as exc:
        raise Unavailable(f"Could not reach PayPal ({type(exc).__name__}); nothing is known to have happened.", code="connection_error") from exc


# --- the client ---------------------------------------------------------------------------------------------

class _Raw(BaseController):
    """Calls for PayPal APIs the SDK has no controller for, built exactly like the SDK's own calls."""

    def send(self, method: str, path: str, *, query: dict | None = None, body: Any = None, request_id: str = ""):
        builder = (RequestBuilder().server(Server.DEFAULT).path(path).http_method(getattr(HttpMethodEnum, method))
                   .header_param(Parameter().key("accept").value("application/json")).auth(Single("Oauth2")))
        for key, value in (query or {}).items():
            if value is not None:
                builder = builder.query_param(Parameter().key(key).value(value))
        if request_id:
            builder = builder.header_param(Parameter().key("PayPal-Request-Id").value(request_id))
        if body is not None:
            builder = (builder.header_param(Parameter().key("Content-Type").value("application/json"))
                       .body_param(Parameter().value(body)).body_serializer(APIHelper.json_serialize))
        handler = (ResponseHandler().deserializer(APIHelper.json_deserialize).is_api_response(True)
                   .local_error("default", "The error response.", ErrorException))
        return super().new_api_call_builder.request(builder).response(handler).execute()


def _json(response) -> dict:
    text = getattr(response, "text", "") or ""
    return json.loads(text) if text.strip() else {}


class Client:
    """The adapter's only way to PayPal: `call()` for SDK controller methods, `request()` for the rest."""

    def __init__(self, *, client_id: str, client_secret: str, base_url: str, timeout: int = DEFAULT_TIMEOUT):
        if not client_id or not client_secret:
            raise AuthenticationFailed("No PayPal client id and secret are configured for this connection.", code="missing_key")
        self.sdk = build_sdk(client_id=client_id, client_secret=client_secret, base_url=base_url or LIVE_BASE_URL, timeout=timeout)
        self._raw = _Raw(self.sdk.global_configuration)

    def call(self, method: Callable[..., Any], options: dict) -> dict:
        """An SDK controller method (`self.sdk.payments.get_captured_payment`); PayPal's JSON as a dict."""
        with translated_errors():
            return _json(method({k: v for k, v in options.items() if v is not None}))

    def request(self, method: str, path: str, *, query: dict | None = None, body: Any = None, request_id: str = "") -> dict:
        with translated_errors():
            return _json(self._raw.send(method, path, query=query, body=body, request_id=request_id))


def path(*parts: str) -> str:
    """`path("v2", "invoicing", "invoices", id)` with each part percent-quoted (ids come from outside)."""
    return "/" + "/".join(quote(str(part), safe="") for part in parts)
