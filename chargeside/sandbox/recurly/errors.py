"""Recurly's error answers: `{"error": {"type", "message", "params": [{"param", "message"}]}}` with the HTTP
status Recurly uses for that type. The SDK turns `type` into its exception class (`validation` →
ValidationError, `not_found` → NotFoundError, `transaction` → TransactionError...), so the type matters."""

from __future__ import annotations

STATUS = {
    "bad_request": 400, "invalid_content_type": 400, "unauthorized": 401, "invalid_api_key": 403,
    "invalid_permissions": 403, "not_found": 404, "invalid_api_version": 406, "unknown_api_version": 406,
    "validation": 422, "transaction": 422, "immutable_subscription": 422, "simultaneous_request": 422,
    "rate_limited": 429, "internal_server_error": 500, "service_not_available": 503,
}


class ApiError(Exception):
    def __init__(self, type_: str, message: str, *, params: list[dict] | None = None, status: int | None = None,
                 transaction_error: dict | None = None):
        super().__init__(message)
        self.type, self.message, self.params = type_, message, params or []
        self.status = status or STATUS.get(type_, 400)
        self.transaction_error = transaction_error

    def body(self) -> dict:
        error: dict = {"type": self.type, "message": self.message}
        if self.params:
            error["params"] = self.params
        if self.transaction_error:
            error["transaction_error"] = self.transaction_error
        return {"error": error}


def not_found(what: str, ident: str) -> ApiError:
    return ApiError("not_found", f"Couldn't find {what} with id = {ident}")


def validation(param: str, message: str, summary: str | None = None) -> ApiError:
    return ApiError("validation", summary or f"{param.replace('_', ' ').capitalize()} {message}", params=[{"param": param, "message": message}])


def bad_request(message: str) -> ApiError:
    return ApiError("bad_request", message)


def declined(transaction: dict, decline_code: str, message: str) -> ApiError:
    return ApiError("transaction", message, transaction_error={
        "object": "transaction_error", "transaction_id": transaction["id"], "category": "soft" if decline_code == "insufficient_funds" else "hard",
        "code": "declined", "decline_code": decline_code, "message": message, "merchant_advice": "Ask the customer for another card.",
    })
