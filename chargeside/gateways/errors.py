"""Typed gateway errors. No provider exception escapes an adapter; actions and the UI see only these.

`message` is written for the support agent ("The card was declined: insufficient funds"), `code` is the
provider's code, `request_id` the provider's request id for the audit trail.
"""

from __future__ import annotations


class GatewayError(Exception):
    retryable = False

    def __init__(self, message: str, *, code: str = "", request_id: str = "", http_status: int | None = None, param: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.param = param

    @property
    def kind(self) -> str:
        return type(self).__name__


class Declined(GatewayError):
    """The card or payment was declined; `code` carries the decline reason."""


class NotFound(GatewayError):
    pass


class InvalidRequest(GatewayError):
    """The provider refused the parameters (e.g. an over-refund)."""


class AuthenticationFailed(GatewayError):
    pass


class IdempotencyConflict(GatewayError):
    """The idempotency key was already used with other parameters."""


class RateLimited(GatewayError):
    retryable = True


class Unavailable(GatewayError):
    """Outage, timeout, 5xx or connection refused: nothing is known to have happened."""

    retryable = True


class NotSupported(GatewayError):
    def __init__(self, provider: str, capability: str):
        super().__init__(f"'{capability}' is not supported by {provider}.", code="not_supported")
