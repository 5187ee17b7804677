"""Stripe-shaped API errors.

Every failure the fake returns is a :class:`StripeError`; the HTTP layer renders it as
``{"error": {...}}`` with the status code the real API uses, so the official SDK raises
the same exception classes (``InvalidRequestError``, ``CardError``, ``IdempotencyError``…).
"""

from __future__ import annotations

DOCS = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict | None = None,
        headers: dict | None = None,
        store_idempotent: bool = True,
    ):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = extra or {}
        self.headers = headers or {}
        # Stripe does not save an idempotent result for requests that never started
        # executing (auth failures, rate limits, concurrent use of the key).
        self.store_idempotent = store_idempotent

    def body(self, request_id: str) -> dict:
        err: dict = {}
        if self.code:
            err["code"] = self.code
        if self.decline_code:
            err["decline_code"] = self.decline_code
        if self.code:
            err["doc_url"] = DOCS + self.code.replace("_", "-")
        err["message"] = self.message
        if self.param:
            err["param"] = self.param
        err["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        err.update(self.extra)
        err["type"] = self.type
        return {"error": err}


def invalid_request(message: str, *, param=None, code=None, status=400, **kw) -> StripeError:
    return StripeError(status, "invalid_request_error", message, param=param, code=code, **kw)


def missing_param(name: str) -> StripeError:
    return invalid_request(f"Missing required param: {name}.", param=name, code="parameter_missing")


def invalid_param(name: str, message: str, code: str = "parameter_invalid_empty") -> StripeError:
    return invalid_request(message, param=name, code=code)


def no_such(kind: str, object_id: str, param: str = "id") -> StripeError:
    # Real wording: "No such customer: 'cus_x'" with code resource_missing, HTTP 404.
    return invalid_request(
        f"No such {kind}: '{object_id}'", param=param, code="resource_missing", status=404
    )


def unrecognized_url(method: str, path: str) -> StripeError:
    return invalid_request(
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
    )


def auth_missing() -> StripeError:
    return StripeError(
        401,
        "invalid_request_error",
        "You did not provide an API key. You need to provide your API key in the "
        "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
        "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
        "or we can help at https://support.stripe.com/.",
        store_idempotent=False,
    )


def auth_invalid(key: str) -> StripeError:
    shown = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else key
    return StripeError(
        401,
        "invalid_request_error",
        f"Invalid API Key provided: {shown}",
        store_idempotent=False,
    )


def rate_limited() -> StripeError:
    return StripeError(
        429,
        "invalid_request_error",
        "Request rate limit exceeded. Learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
        code="rate_limit",
        store_idempotent=False,
    )


def api_error(status: int = 500) -> StripeError:
    return StripeError(
        status,
        "api_error",
        "An unknown error occurred",
        store_idempotent=False,
        headers={"Stripe-Should-Retry": "true"},
    )


# Idempotency wording as Stripe returns it (seen in the wild, e.g. stripe-ruby#503 and
# fjordllc/bootcamp#3928 for the parameter mismatch, stripe-ruby#598 for the endpoint one).
def idempotency_params_mismatch(key: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
        store_idempotent=False,
    )


def idempotency_endpoint_mismatch(key: str, first: str, now: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used for the same endpoint they were "
        f"first used for ('{now}' vs '{first}'). Try using a key other than '{key}' if "
        "you meant to execute a different request.",
        store_idempotent=False,
    )


def idempotency_in_use(key: str) -> StripeError:
    return StripeError(
        409,
        "invalid_request_error",
        "There is currently another in-progress request using this Idempotent Key (that "
        "probably means you submitted twice, and the other request is still going through): "
        f"{key}. Please try again later.",
        code="idempotency_key_in_use",
        store_idempotent=False,
    )
