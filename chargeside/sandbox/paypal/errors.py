"""PayPal's error shape: {"name", "message", "debug_id", "details": [{"issue", "description", "field"?}], "links"}.

Status codes as PayPal answers them: 400 INVALID_REQUEST, 401 AUTHENTICATION_FAILURE, 404 RESOURCE_NOT_FOUND,
422 UNPROCESSABLE_ENTITY, 429 RATE_LIMIT_REACHED, 500 INTERNAL_SERVER_ERROR. The OAuth token endpoint answers
in OAuth's own shape ({"error", "error_description"}).
"""

from __future__ import annotations

import secrets

MESSAGES = {
    400: ("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."),
    401: ("AUTHENTICATION_FAILURE", "Authentication failed due to missing authorization header, or invalid authentication credentials."),
    403: ("NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: ("UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation."),
    429: ("RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error has occurred."),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
}


def debug_id() -> str:
    return secrets.token_hex(7)


class PayPalError(Exception):
    def __init__(self, status: int, issue: str = "", description: str = "", field: str = ""):
        super().__init__(issue or str(status))
        self.status = status
        self.issue = issue
        self.description = description
        self.field = field

    def body(self) -> dict:
        name, message = MESSAGES.get(self.status, MESSAGES[500])
        body: dict = {"name": name, "message": message, "debug_id": debug_id()}
        if self.issue:
            detail = {"issue": self.issue, "description": self.description or self.issue.replace("_", " ").capitalize()}
            if self.field:
                detail = {"field": self.field, "location": "body", **detail}
            body["details"] = [detail]
        if self.status == 401:  # PayPal's 401 carries no details or links
            return {"name": name, "message": message, "debug_id": body["debug_id"]}
        body["links"] = [{"href": "https://developer.paypal.com/docs/api/overview/#error", "rel": "information_link"}]
        return body


def not_found(what: str = "resource") -> PayPalError:
    # PayPal's fixed wording (the spec enumerates it), whatever the kind of resource.
    return PayPalError(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.")


def unprocessable(issue: str, description: str) -> PayPalError:
    return PayPalError(422, issue, description)


def invalid(field: str, issue: str = "INVALID_PARAMETER_VALUE", description: str = "The value of a field is invalid.") -> PayPalError:
    return PayPalError(400, issue, description, field=field)
