"""The fake's request pipeline: faults → auth (OAuth2 client credentials, then Bearer) → idempotency
(PayPal-Request-Id) → route → PayPal-shaped JSON answer. Observers see every exchange (spec checks in tests).

Idempotency: a POST carrying `PayPal-Request-Id` that was already answered for the same client and path gets
the stored answer again, and nothing runs twice (PayPal keeps ids for its retention window, by operation).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
from collections.abc import Callable

from . import billing, payments, transactions
from .errors import PayPalError, invalid, not_found
from .server import Response

Route = tuple[str, re.Pattern, Callable]
_routes: list[Route] = []


def route(method: str, pattern: str):
    def register(handler):
        _routes.append((method, re.compile("^" + pattern.replace("{id}", "(?P<id>[^/]+)") + "$"), handler))
        return handler
    return register


def _json(status: int, obj, headers: dict | None = None) -> Response:
    body = b"" if obj is None else json.dumps(obj).encode()
    base = {"Content-Type": "application/json"} if obj is not None else {}
    return Response(status, body, {**base, "Paypal-Debug-Id": secrets.token_hex(7), **(headers or {})})


def _int(query: dict, name: str, default: int, low: int = 1, high: int = 10_000) -> int:
    raw = (query.get(name) or [None])[0]
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, "INVALID_PARAMETER_SYNTAX", f"The value of {name} is not an integer.") from None
    if not low <= value <= high:
        raise invalid(name, "INVALID_PARAMETER_VALUE", f"{name} must be between {low} and {high}.")
    return value


def _page(items: list, query: dict, *, default_size: int, max_size: int) -> tuple[list, int, int, int]:
    page = _int(query, "page", 1)
    size = _int(query, "page_size", default_size, 1, max_size)
    total = len(items)
    pages = max(1, -(-total // size))
    return items[(page - 1) * size: page * size], page, size, pages


class Api:
    def __init__(self, fake):
        self.fake = fake
        self.store = fake.store
        self.observers: list[Callable] = []

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> Response:
        response = self._answer(method, path, query, headers, body)
        for observer in self.observers:
            observer(method, path, query, headers, body, response)
        return response

    def _answer(self, method, path, query, headers, body) -> Response:
        fault = self.fake.faults.take(method, path)
        if fault is not None and not fault.after:
            return Response(0, drop=True) if fault.drop else self._error(PayPalError(fault.status))
        try:
            with self.store.lock:
                response = self._dispatch(method, path, query, headers, body)
        except PayPalError as exc:
            response = self._error(exc)
        if fault is not None:  # `after`: the change happened, the answer is lost
            return Response(0, drop=True) if fault.drop else self._error(PayPalError(fault.status))
        return response

    def _error(self, exc: PayPalError) -> Response:
        return _json(exc.status, exc.body())

    def _dispatch(self, method, path, query, headers, body) -> Response:
        if path.startswith("/v1/notifications/certs/"):
            return Response(200, self.fake.signer.certificate_pem, {"Content-Type": "application/x-pem-file"})
        if path == "/v1/oauth2/token" and method == "POST":
            return self._token(headers, body)
        client = self._bearer(headers)
        request_id = headers.get("PayPal-Request-Id") or ""
        remembered = (client, method, path, request_id)
        if method == "POST" and request_id and remembered in self.store.request_ids:
            status, stored = self.store.request_ids[remembered]
            return _json(status, stored)
        for verb, pattern, handler in _routes:
            if verb == method and (match := pattern.match(path)):
                try:
                    data = json.loads(body) if body.strip() else {}
                except ValueError:
                    raise PayPalError(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.") from None
                status, answer = handler(self, match.groupdict().get("id", ""), query, headers, data)
                if method == "POST" and request_id and status < 500:
                    self.store.request_ids[remembered] = (status, answer)
                return _json(status, answer)
        raise PayPalError(404, "", "")

    # -- auth ---------------------------------------------------------------------------------------------
    def _token(self, headers, body) -> Response:
        scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except Exception:
            client_id, secret = "", ""
        form = dict(pair.split("=", 1) for pair in body.decode(errors="replace").split("&") if "=" in pair)
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
        if scheme != "Basic" or not self.fake.accepts(client_id, secret):
            return _json(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
        token = "A21AA" + secrets.token_urlsafe(48)
        self.store.tokens[token] = (client_id, self.store.clock.now() + 32400)
        return _json(200, {"scope": "https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/disputes/read-seller "
                                    "https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/reporting/search/read "
                                    "https://uri.paypal.com/services/subscriptions",
                           "access_token": token, "token_type": "Bearer", "app_id": "APP-80W284485P519543T",
                           "expires_in": 32400, "nonce": f"{self.store.clock.iso()}{secrets.token_urlsafe(16)}"})

    def _bearer(self, headers) -> str:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        held = self.store.tokens.get(token) if scheme == "Bearer" else None
        if held is None or held[1] < self.store.clock.now():
            raise PayPalError(401)
        return held[0]

    def emit(self, event_type: str, resource_type: str, resource: dict) -> None:
        self.fake.webhooks.emit(event_type, resource_type, resource)


def _representation(headers) -> bool:
    return "return=representation" in (headers.get("Prefer") or "")


# --- payments ------------------------------------------------------------------------------------------------

@route("GET", "/v2/checkout/orders/{id}")
def get_order(api: Api, order_id, query, headers, data):
    order = api.store.orders.get(order_id)
    if order is None:
        raise not_found("order")
    return 200, order


@route("GET", "/v2/payments/captures/{id}")
def get_capture(api: Api, capture_id, query, headers, data):
    found = api.store.payment(capture_id, "captures")
    if found is None:
        raise not_found("capture")
    return 200, found[1]


@route("POST", "/v2/payments/captures/{id}/refund")
def refund(api: Api, capture_id, query, headers, data):
    created = payments.refund_capture(api.store, capture_id, data)
    api.emit("PAYMENT.CAPTURE.REFUNDED", "refund", created)
    return 201, created


@route("GET", "/v2/payments/refunds/{id}")
def get_refund(api: Api, refund_id, query, headers, data):
    found = api.store.payment(refund_id, "refunds")
    if found is None:
        raise not_found("refund")
    return 200, found[1]


@route("GET", "/v2/payments/authorizations/{id}")
def get_authorization(api: Api, auth_id, query, headers, data):
    found = api.store.payment(auth_id, "authorizations")
    if found is None:
        raise not_found("authorization")
    return 200, found[1]


@route("POST", "/v2/payments/authorizations/{id}/capture")
def capture_authorization(api: Api, auth_id, query, headers, data):
    capture = payments.capture_authorization(api.store, auth_id, data)
    api.emit("PAYMENT.CAPTURE.COMPLETED", "capture", capture)
    return 201, capture


@route("POST", "/v2/payments/authorizations/{id}/void")
def void_authorization(api: Api, auth_id, query, headers, data):
    auth = payments.void_authorization(api.store, auth_id)
    api.emit("PAYMENT.AUTHORIZATION.VOIDED", "authorization", auth)
    return (200, auth) if _representation(headers) else (204, None)


@route("GET", "/v1/reporting/transactions")
def search_transactions(api: Api, _, query, headers, data):
    return 200, transactions.search(api.store, query)


# --- catalog, plans, subscriptions ---------------------------------------------------------------------------

def _links(base: str, page: int, size: int, pages: int) -> list[dict]:
    links = [{"href": f"{base}?page={page}&page_size={size}", "rel": "self", "method": "GET"}]
    if page < pages:
        links.append({"href": f"{base}?page={page + 1}&page_size={size}", "rel": "next", "method": "GET"})
    return links


def _totals(query, total: int, pages: int) -> dict:
    return {"total_items": total, "total_pages": pages} if (query.get("total_required") or [""])[0] == "true" else {}


@route("GET", "/v1/catalogs/products")
def list_products(api: Api, _, query, headers, data):
    items, page, size, pages = _page(list(api.store.products.values()), query, default_size=10, max_size=20)
    summary = [{k: p[k] for k in ("id", "name", "description", "create_time", "links") if k in p} for p in items]
    return 200, {"products": summary, **_totals(query, len(api.store.products), pages),
                 "links": _links(f"{payments.API}/v1/catalogs/products", page, size, pages)}


@route("GET", "/v1/catalogs/products/{id}")
def get_product(api: Api, product_id, query, headers, data):
    if product_id not in api.store.products:
        raise not_found("product")
    return 200, api.store.products[product_id]


@route("GET", "/v1/billing/plans")
def list_plans(api: Api, _, query, headers, data):
    plans = list(api.store.plans.values())
    if product := (query.get("product_id") or [""])[0]:
        plans = [p for p in plans if p["product_id"] == product]
    items, page, size, pages = _page(plans, query, default_size=10, max_size=20)
    shown = items if _representation(headers) else [billing.plan_summary(p) for p in items]
    return 200, {"plans": shown, **_totals(query, len(plans), pages), "links": _links(f"{payments.API}/v1/billing/plans", page, size, pages)}


@route("GET", "/v1/billing/plans/{id}")
def get_plan(api: Api, plan_id, query, headers, data):
    if plan_id not in api.store.plans:
        raise not_found("plan")
    return 200, api.store.plans[plan_id]


@route("GET", "/v1/billing/subscriptions")
def list_subscriptions(api: Api, _, query, headers, data):
    subs = list(api.store.subscriptions.values())
    if plan_ids := (query.get("plan_ids") or [""])[0]:
        subs = [s for s in subs if s["plan_id"] in plan_ids.split(",")]
    if statuses := (query.get("statuses") or [""])[0]:
        subs = [s for s in subs if s["status"] in statuses.split(",")]
    items, page, size, pages = _page(subs, query, default_size=10, max_size=20)
    return 200, {"subscriptions": items, "links": _links(f"{payments.API}/v1/billing/subscriptions", page, size, pages)}


@route("GET", "/v1/billing/subscriptions/{id}")
def get_subscription(api: Api, sub_id, query, headers, data):
    if sub_id not in api.store.subscriptions:
        raise not_found("subscription")
    return 200, api.store.subscriptions[sub_id]


@route("POST", "/v1/billing/subscriptions/{id}/cancel")
def cancel_subscription(api: Api, sub_id, query, headers, data):
    sub = billing.cancel_subscription(api.store, sub_id, data)
    api.emit("BILLING.SUBSCRIPTION.CANCELLED", "subscription", sub)
    return 204, None


# --- invoicing -------------------------------------------------------------------------------------------------

@route("GET", "/v2/invoicing/invoices")
def list_invoices(api: Api, _, query, headers, data):
    invoices = list(reversed(api.store.invoices.values()))  # newest first, as PayPal lists them
    items, page, size, pages = _page(invoices, query, default_size=20, max_size=100)
    return 200, {"items": items, **_totals(query, len(invoices), pages),
                 "links": _links(f"{payments.API}/v2/invoicing/invoices", page, size, pages)}


@route("GET", "/v2/invoicing/invoices/{id}")
def get_invoice(api: Api, invoice_id, query, headers, data):
    if invoice_id not in api.store.invoices:
        raise not_found("invoice")
    return 200, api.store.invoices[invoice_id]


@route("POST", "/v2/invoicing/invoices/{id}/send")
def send_invoice(api: Api, invoice_id, query, headers, data):
    invoice = billing.send_invoice(api.store, invoice_id)
    api.emit("INVOICING.INVOICE.UPDATED", "invoices", invoice)  # PayPal has no ".SENT" event
    return 200, {"href": f"{payments.API}/v2/invoicing/invoices/{invoice_id}", "rel": "self", "method": "GET"}


@route("POST", "/v2/invoicing/invoices/{id}/remind")
def remind_invoice(api: Api, invoice_id, query, headers, data):
    billing.remind_invoice(api.store, invoice_id)
    return 204, None


# --- disputes --------------------------------------------------------------------------------------------------

@route("GET", "/v1/customer/disputes")
def list_disputes(api: Api, _, query, headers, data):
    disputes = sorted(api.store.disputes.values(), key=lambda d: d["create_time"], reverse=True)  # latest first (spec)
    size = _int(query, "page_size", 10, 1, 50)
    token = (query.get("next_page_token") or [""])[0]
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except Exception:
        raise invalid("next_page_token", "INVALID_PARAMETER_VALUE", "The next_page_token is invalid.") from None
    items = disputes[start:start + size]
    links = [{"href": f"{payments.API}/v1/customer/disputes?page_size={size}", "rel": "self", "method": "GET"}]
    if start + size < len(disputes):
        following = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        links.append({"href": f"{payments.API}/v1/customer/disputes?page_size={size}&next_page_token={following}", "rel": "next", "method": "GET"})
    answer = {"items": [billing.dispute_summary(d) for d in items]} if items else {}  # the spec: items has minItems 1
    return 200, {**answer, "links": links}


@route("GET", "/v1/customer/disputes/{id}")
def get_dispute(api: Api, dispute_id, query, headers, data):
    if dispute_id not in api.store.disputes:
        raise not_found("dispute")
    return 200, api.store.disputes[dispute_id]


# --- notifications -----------------------------------------------------------------------------------------------

@route("POST", "/v1/notifications/webhooks")
def create_webhook(api: Api, _, query, headers, data):
    url, types = data.get("url"), data.get("event_types")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise invalid("/url", "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.")
    if not isinstance(types, list) or not types:
        raise invalid("/event_types", "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.")
    webhook_id = secrets.token_hex(8).upper()
    hook = {"id": webhook_id, "url": url, "event_types": [{"name": t.get("name", "")} for t in types],
            "links": [{"href": f"{payments.API}/v1/notifications/webhooks/{webhook_id}", "rel": "self", "method": "GET"}]}
    api.store.webhooks[webhook_id] = hook
    return 201, hook


@route("GET", "/v1/notifications/webhooks")
def list_webhooks(api: Api, _, query, headers, data):
    return 200, {"webhooks": list(api.store.webhooks.values())}


@route("POST", "/v1/notifications/verify-webhook-signature")
def verify_signature(api: Api, _, query, headers, data):
    required = ("auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_id", "webhook_event")
    for name in required:
        if not data.get(name):
            raise invalid(f"/{name}", "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.")
    sent = api.store.transmissions.get(data["transmission_id"])
    ok = (sent is not None and data["auth_algo"] == "SHA256withRSA" and json.loads(sent) == data["webhook_event"]
          and data["webhook_id"] in api.store.webhooks
          and api.fake.signer.verify(data["transmission_id"], data["transmission_time"], data["webhook_id"], sent, data["transmission_sig"]))
    return 200, {"verification_status": "SUCCESS" if ok else "FAILURE"}


def iso_date(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
