"""Every API error has one shape: {"error": {"code", "message", "field"}} with a fitting 4xx status."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from chargeside.actions.base import ActionError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(status: int, code: str, message: str, field: str = "") -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": field}}, status=status)


def _validation(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header", "payload")]
    field = location[-1] if location else ""
    message = first.get("msg", "Invalid request.")
    if location:
        message = f"{'.'.join(location)}: {message}"
    return error_response(422, "validation_error", message, field)


def _http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        response = error_response(401, "unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.")
        response["WWW-Authenticate"] = "Bearer"
        return response
    code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = "The request body is not valid JSON."
        code = "malformed_json"
    return error_response(exc.status_code, code, message)


def _action_error(request, exc: ActionError):
    status = 404 if exc.code in {"unknown_action", "not_found"} else exc.status
    return error_response(status, exc.code, exc.message, exc.field)


def install(api) -> None:
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(ActionError, _action_error)
    api.add_exception_handler(ApiError, lambda request, exc: error_response(exc.status, exc.code, exc.message, exc.field))
    api.add_exception_handler(Http404, lambda request, exc: error_response(404, "not_found", "Not found in this workspace."))
