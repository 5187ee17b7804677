"""Transport for the Braintree adapter: the official SDK (braintree 4.48.0, XML gateway API) pointed at the
connection's base URL, with every SDK exception and error result translated into our typed errors.

Base URL: the SDK takes a `braintree.Environment(name, server, port, auth_url, is_ssl, ssl_certificate)`;
its URLs are `protocol + server + ":" + port` where the protocol is https only when the port is the string
"443". So `https://api.braintreegateway.com` → port "443" (TLS with the SDK's pinned CA bundle) and
`http://127.0.0.1:8123` → plain HTTP for the local fake. No patching is needed.

Braintree answers a refused write with HTTP 422 and an `<api-error-response>`; the SDK returns that as an
ErrorResult (is_success False) instead of raising. `result_of()` turns it into Declined (a transaction the
processor or gateway refused: processor_response_code/text are the reason) or InvalidRequest (validation
errors, with Braintree's numeric code). HTTP-level failures come as exceptions (401 AuthenticationError,
403 AuthorizationError, 404 NotFoundError, 426 UpgradeRequiredError, 429 TooManyRequestsError,
500 ServerError, 503 ServiceUnavailableError, timeouts and connection errors).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import braintree
import requests
from braintree.exceptions import (
    AuthenticationError,
    AuthorizationError,
    GatewayTimeoutError,
    NotFoundError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UpgradeRequiredError,
)
from braintree.exceptions.braintree_error import BraintreeError
from braintree.exceptions.http.connection_error import ConnectionError as BtConnectionError
from braintree.exceptions.http.timeout_error import TimeoutError as BtTimeoutError

from chargeside.gateways.errors import (
    AuthenticationFailed,
    Declined,
    GatewayError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)

DEFAULT_BASE_URL = "https://api.braintreegateway.com"
SANDBOX_BASE_URL = "https://api.sandbox.braintreegateway.com"
DEFAULT_TIMEOUT = 20  # seconds; the SDK's default of 60 would hold a web request far too long

# Braintree's codes for the refusals an agent meets most, in plain words.
PLAIN_WORDS = {
    "91506": "Braintree refunds only settled (or settling) payments; this one has not settled yet, so void it instead.",
    "91521": "The refund is larger than what remains refundable on this payment.",
    "91512": "This payment has already been fully refunded.",
    "91505": "A refund cannot itself be refunded.",
    "91504": "Only an authorised or submitted-for-settlement payment can be voided.",
    "91507": "Only an authorised payment can be captured (submitted for settlement).",
    "91522": "The capture amount is larger than what was authorised.",
    "81905": "This subscription is already canceled.",
    "81901": "A canceled subscription cannot be changed.",
    "91903": "Braintree does not know this payment method token.",
    "91904": "Braintree does not know this plan.",
    "91518": "Braintree does not know this payment method token.",
    "91513": "Braintree does not know the merchant account for this currency.",
    "92013": "Braintree has no discount with this id.",
    "91911": "This discount is already on the subscription.",
}


def environment(base_url: str) -> braintree.Environment:
    """The SDK environment for a base URL (scheme, host, optional port)."""
    parts = urlsplit((base_url or DEFAULT_BASE_URL).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(f"'{base_url}' is not an http(s) URL.", code="bad_base_url")
    port = str(parts.port or (443 if parts.scheme == "https" else 80))
    if (parts.scheme == "https") != (port == "443"):
        # The SDK picks https only for port "443"; any other pairing would silently use the wrong protocol.
        raise InvalidRequest(f"Braintree's SDK speaks https only on port 443 and http on any other port ({base_url}).",
                             code="bad_base_url")
    certificate = braintree.Environment.braintree_root() + "/ssl/api_braintreegateway_com.ca.crt" if port == "443" else None
    return braintree.Environment("chargeside", parts.hostname, port, "", port == "443", certificate)


def build_gateway(*, base_url: str, merchant_id: str, public_key: str, private_key: str,
                  timeout: int = DEFAULT_TIMEOUT) -> braintree.BraintreeGateway:
    if not (merchant_id and public_key and private_key):
        raise AuthenticationFailed("The Braintree merchant id, public key and private key are all needed.", code="missing_key")
    config = braintree.Configuration(environment(base_url), merchant_id=merchant_id, public_key=public_key,
                                     private_key=private_key, timeout=timeout)
    return braintree.BraintreeGateway(config)


def translate(exc: Exception) -> GatewayError:
    if isinstance(exc, AuthenticationError):
        return AuthenticationFailed("Braintree refused the API keys (wrong public or private key).", code="authentication", http_status=401)
    if isinstance(exc, AuthorizationError):
        return AuthenticationFailed("These Braintree keys may not do this (wrong merchant id, or a key without the permission).",
                                    code="authorization", http_status=403)
    if isinstance(exc, NotFoundError):
        return NotFound(str(exc) or "Braintree has no such object.", code="not_found", http_status=404)
    if isinstance(exc, TooManyRequestsError):
        return RateLimited("Braintree is rate-limiting requests right now; try again in a moment.", code="too_many_requests", http_status=429)
    if isinstance(exc, UpgradeRequiredError):
        return InvalidRequest("Braintree no longer accepts this client version (HTTP 426).", code="upgrade_required", http_status=426)
    if isinstance(exc, (ServerError, ServiceUnavailableError, GatewayTimeoutError, RequestTimeoutError)):
        status = {ServerError: 500, ServiceUnavailableError: 503, GatewayTimeoutError: 504, RequestTimeoutError: 408}.get(type(exc))
        return Unavailable(f"Braintree is unavailable (HTTP {status}); try again shortly.", code="unavailable", http_status=status)
    if isinstance(exc, (BtConnectionError, BtTimeoutError)):
        return Unavailable("Could not reach Braintree (network error or timeout); nothing is known to have happened.", code="connection_error")
    return Unavailable(f"Braintree answered unexpectedly ({type(exc).__name__}: {exc}).", code="unexpected")


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except BraintreeError as exc:
        raise translate(exc) from exc
    except requests.exceptions.RequestException as exc:  # the SDK passes transport errors through unwrapped
        raise Unavailable("Could not reach Braintree (network error or timeout); nothing is known to have happened.",
                          code="connection_error") from exc
    except KeyError as exc:  # the SDK's own parameter check (Resource.verify_keys) refusing a key: our bug, told plainly
        raise InvalidRequest(f"Braintree's SDK refused the request parameters: {exc}", code="invalid_keys") from exc


def result_of(result, what: str):
    """The object of a successful result (`what`: "transaction", "subscription", ...), or a typed error."""
    if result.is_success:
        return getattr(result, what)
    transaction = getattr(result, "transaction", None)
    if transaction is not None and transaction.status in ("processor_declined", "failed", "gateway_rejected", "settlement_declined"):
        return _declined(transaction)
    errors = list(result.errors.deep_errors)
    first = errors[0] if errors else None
    code = str(first.code) if first is not None else ""
    message = PLAIN_WORDS.get(code) or (first.message if first is not None else "") or result.message or "Braintree refused the request."
    raise InvalidRequest(message, code=code, param=getattr(first, "attribute", "") or "")


def _declined(transaction):
    status = transaction.status
    if status == "gateway_rejected":
        reason = transaction.gateway_rejection_reason or "rejected"
        raise Declined(f"Braintree's gateway rejected the payment ({reason.replace('_', ' ')}).", code=f"gateway_rejected:{reason}")
    code = transaction.processor_response_code or ""
    text = transaction.processor_response_text or "declined"
    raise Declined(f"The card was declined ({code} {text}).".replace("( ", "("), code=code or status)
