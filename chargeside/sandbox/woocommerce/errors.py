"""WP REST error bodies: `{"code", "message", "data": {"status": N}}`.

WooCommerce builds some errors as `new WP_Error(code, message, 404)` (a bare status instead of
`array('status' => 404)`); WordPress then answers HTTP 500 with `"data": 404` (rest_convert_error_to_response
only reads `data.status`). The refund controllers do this, and the fake keeps it: `bare=True`.
"""

from __future__ import annotations


class WooError(Exception):
    def __init__(self, code: str, message: str, status: int, *, bare: bool = False, extra: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.bare, self.extra = code, message, status, bare, extra or {}

    @property
    def http_status(self) -> int:
        return 500 if self.bare else self.status

    def body(self) -> dict:
        data = self.status if self.bare else {"status": self.status, **self.extra}
        return {"code": self.code, "message": self.message, "data": data}


def no_route() -> WooError:
    return WooError("rest_no_route", "No route was found matching the URL and request method.", 404)


def invalid_id(post_type: str) -> WooError:
    return WooError(f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.", 404)
