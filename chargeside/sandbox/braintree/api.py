"""Request handling for the fake Braintree XML gateway: auth, routing, search, errors, faults.

Paths are the ones braintree 4.48.0 calls (`braintree/*_gateway.py`), all under `/merchants/{merchant_id}`.
Auth is HTTP Basic `public_key:private_key` (401 otherwise, 403 for another merchant's path); requests
without `X-ApiVersion` (or older than 4) get 426 like the real gateway's "upgrade required". Validation
failures answer 422 with `<api-error-response>` (errors tree, params, message, and the transaction or
subscription when there is one); a missing object answers an empty 404. Searches answer the SDK's two-step
protocol: `advanced_search_ids` returns every matching id (newest first) and the page size,
`advanced_search` returns the objects for a batch of ids.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import shapes, wire
from .store import ApiError, Missing

SEARCH_PAGE_SIZE = 50  # what the real gateway answers in search_results/page_size
DISPUTE_PAGE_SIZE = 10


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    drop: bool = False


@dataclass
class Fault:
    path_prefix: str = "/"
    status: int = 500
    times: int | None = 1
    method: str | None = None
    when: str = "before"  # "after": the request runs, then the answer is lost
    drop: bool = False
    hits: int = 0


class Faults:
    """`fake.faults.add("/transactions", status=503, times=2)`: the next two matching requests fail (before
    anything changes, or `when="after"` once it has); `drop=True` hangs up without an answer."""

    def __init__(self):
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, path_prefix: str = "/", status: int = 500, times: int | None = 1, *, method: str | None = None,
            when: str = "before", drop: bool = False) -> Fault:
        fault = Fault(path_prefix, status, times, method.upper() if method else None, when, drop)
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str, when: str) -> Fault | None:
        with self._lock:
            for fault in self._rules:
                if fault.when == when and path.startswith(fault.path_prefix) and fault.method in (None, method):
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        self._rules.remove(fault)
                    return fault
        return None


def _xml(status: int, name: str, value) -> Response:
    return Response(status, wire.document(name, value), {"Content-Type": "application/xml; charset=utf-8"})


def _error(exc: ApiError, store) -> Response:
    body = {"errors": shapes.errors_tree(exc.errors), "params": exc.params, "message": exc.message}
    if exc.transaction is not None:
        body["transaction"] = shapes.transaction(store, exc.transaction)
    if exc.subscription is not None:
        body["subscription"] = shapes.subscription(store, exc.subscription)
    return _xml(422, "api_error_response", body)


def _status_only(status: int) -> Response:
    return Response(status, b"", {"Content-Type": "application/xml; charset=utf-8"})


ROUTES: list[tuple[str, re.Pattern, str]] = [
    (m, re.compile(p + r"$"), h) for m, p, h in [
        ("POST", r"/customers", "customer_create"),
        ("POST", r"/customers/advanced_search_ids", "customer_ids"),
        ("POST", r"/customers/advanced_search", "customer_search"),
        ("GET", r"/customers/(?P<id>[^/]+)", "customer_find"),
        ("GET", r"/payment_methods/any/(?P<id>[^/]+)", "payment_method_find"),
        ("POST", r"/transactions", "transaction_create"),
        ("POST", r"/transactions/advanced_search_ids", "transaction_ids"),
        ("POST", r"/transactions/advanced_search", "transaction_search"),
        ("GET", r"/transactions/(?P<id>[^/]+)", "transaction_find"),
        ("PUT", r"/transactions/(?P<id>[^/]+)/submit_for_settlement", "transaction_settle"),
        ("PUT", r"/transactions/(?P<id>[^/]+)/void", "transaction_void"),
        ("POST", r"/transactions/(?P<id>[^/]+)/refund", "transaction_refund"),
        ("GET", r"/plans/?", "plans"),
        ("GET", r"/plans/(?P<id>[^/]+)", "plan_find"),
        ("GET", r"/discounts/?", "discounts"),
        ("GET", r"/add_ons/?", "add_ons"),
        ("POST", r"/subscriptions", "subscription_create"),
        ("POST", r"/subscriptions/advanced_search_ids", "subscription_ids"),
        ("POST", r"/subscriptions/advanced_search", "subscription_search"),
        ("GET", r"/subscriptions/(?P<id>[^/]+)", "subscription_find"),
        ("PUT", r"/subscriptions/(?P<id>[^/]+)/cancel", "subscription_cancel"),
        ("PUT", r"/subscriptions/(?P<id>[^/]+)", "subscription_update"),
        ("POST", r"/disputes/advanced_search", "dispute_search"),
        ("GET", r"/disputes/(?P<id>[^/]+)", "dispute_find"),
    ]
]


class Api:
    def __init__(self, fake):
        self.fake = fake
        self.store = fake.store
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []  # (method, path) seen, for tests

    # --- entry point --------------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        url = urlsplit(target)
        self.requests.append((method, url.path))
        if self.fake.unreachable:
            return Response(0, drop=True)
        denied = self._auth(headers, url.path)
        if denied is not None:
            return denied
        path = url.path.removeprefix(f"/merchants/{self.store.state.merchant_id}")
        fault = self.faults.take(method, path, "before")
        if fault is not None:
            return Response(0, drop=True) if fault.drop else _status_only(fault.status)
        response = self._route(method, path, parse_qs(url.query), body)
        after = self.faults.take(method, path, "after")
        if after is not None:
            return Response(0, drop=True) if after.drop else _status_only(after.status)
        return response

    def _auth(self, headers: dict[str, str], path: str) -> Response | None:
        expected = base64.b64encode(f"{self.fake.public_key}:{self.fake.private_key}".encode()).decode()
        if headers.get("authorization", "") != f"Basic {expected}":
            return _status_only(401)
        if not path.startswith(f"/merchants/{self.store.state.merchant_id}/"):
            return _status_only(403)
        version = headers.get("x-apiversion", "")
        if not version.isdigit() or int(version) < 4:
            return _status_only(426)
        return None

    def _route(self, method: str, path: str, query: dict, body: bytes) -> Response:
        for route_method, pattern, handler in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                try:
                    payload = dict([wire.parse(body)]) if body.strip() else {}  # {root element: content}
                except wire.BadXml:
                    return _error(ApiError("Invalid request format", [((), "base", "91921", "Invalid request format.")]), self.store)
                try:
                    with self.store.lock:
                        return getattr(self, handler)(payload if isinstance(payload, dict) else {}, query=query, **match.groupdict())
                except Missing:
                    return _status_only(404)
                except ApiError as exc:
                    return _error(exc, self.store)
                except SearchError as exc:
                    return _error(ApiError(str(exc), [(("search",), "base", "91921", str(exc))]), self.store)
        return _status_only(404)

    # --- customers ----------------------------------------------------------------------------------------
    def customer_create(self, body, **_):
        c = self.store.customer_create(body.get("customer") or {})
        return _xml(201, "customer", shapes.customer(self.store, c))

    def customer_find(self, body, *, id, **_):
        return _xml(200, "customer", shapes.customer(self.store, self.store.customer(id)))

    def customer_ids(self, body, **_):
        return self._ids(self.store.state.customers.values(), body.get("search") or {}, CUSTOMER_FIELDS)

    def customer_search(self, body, **_):
        rows = self._by_ids(self.store.state.customers, body.get("search") or {})
        return _xml(200, "customers", wire.Array("customer", [shapes.customer(self.store, c) for c in rows], self._page(rows)))

    def payment_method_find(self, body, *, id, **_):
        return _xml(200, "credit_card", shapes.card(self.store, self.store.card(id)))

    # --- transactions -------------------------------------------------------------------------------------
    def transaction_create(self, body, **_):
        params = body.get("transaction") or {}
        if params.get("type") != "sale":
            raise ApiError("Merchant account does not support refunds.", [(("transaction",), "base", "91547",
                                                                           "Merchant account does not support stand-alone credits.")])
        tx = self.store.sale(params)
        self.fake.after_change("transaction", tx)
        if tx["status"] in ("processor_declined", "failed", "gateway_rejected"):
            message = tx["processor_response_text"] if tx["status"] != "gateway_rejected" else "Gateway Rejected: application_incomplete"
            return _error(ApiError(message, [], params={"transaction": {"type": "sale", "amount": str(params.get("amount"))}},
                                   transaction=tx), self.store)
        return _xml(201, "transaction", shapes.transaction(self.store, tx))

    def transaction_find(self, body, *, id, **_):
        return _xml(200, "transaction", shapes.transaction(self.store, self.store.transaction(id)))

    def transaction_settle(self, body, *, id, **_):
        tx = self.store.submit_for_settlement(id, body.get("transaction") or {})
        return _xml(200, "transaction", shapes.transaction(self.store, tx))

    def transaction_void(self, body, *, id, **_):
        return _xml(200, "transaction", shapes.transaction(self.store, self.store.void(id)))

    def transaction_refund(self, body, *, id, **_):
        credit = self.store.refund(id, body.get("transaction") or {})
        return _xml(201, "transaction", shapes.transaction(self.store, credit))

    def transaction_ids(self, body, **_):
        return self._ids(self.store.state.transactions.values(), body.get("search") or {}, TRANSACTION_FIELDS)

    def transaction_search(self, body, **_):
        rows = self._by_ids(self.store.state.transactions, body.get("search") or {})
        return _xml(200, "credit_card_transactions",
                    wire.Array("transaction", [shapes.transaction(self.store, t) for t in rows], self._page(rows)))

    # --- plans, discounts, add-ons --------------------------------------------------------------------------
    def plans(self, body, **_):
        return _xml(200, "plans", wire.Array("plan", [shapes.plan(self.store, p) for p in self.store.state.plans.values()]))

    def plan_find(self, body, *, id, **_):
        plan = self.store.state.plans.get(id)
        if plan is None:
            raise Missing()
        return _xml(200, "plan", shapes.plan(self.store, plan))

    def discounts(self, body, **_):
        return _xml(200, "discounts", wire.Array("discount", [shapes.modification(d) for d in self.store.state.discounts.values()]))

    def add_ons(self, body, **_):
        return _xml(200, "add_ons", wire.Array("add_on", [shapes.modification(a) for a in self.store.state.add_ons.values()]))

    # --- subscriptions ------------------------------------------------------------------------------------
    def subscription_create(self, body, **_):
        sub = self.store.subscription_create(body.get("subscription") or {})
        self.fake.after_change("subscription_created", sub)
        return _xml(201, "subscription", shapes.subscription(self.store, sub))

    def subscription_find(self, body, *, id, **_):
        return _xml(200, "subscription", shapes.subscription(self.store, self.store.subscription(id)))

    def subscription_cancel(self, body, *, id, **_):
        sub = self.store.subscription_cancel(id)
        self.fake.notify("subscription_canceled", "subscription", sub["id"])
        return _xml(200, "subscription", shapes.subscription(self.store, sub))

    def subscription_update(self, body, *, id, **_):
        sub = self.store.subscription_update(id, body.get("subscription") or {})
        return _xml(200, "subscription", shapes.subscription(self.store, sub))

    def subscription_ids(self, body, **_):
        return self._ids(self.store.state.subscriptions.values(), body.get("search") or {}, SUBSCRIPTION_FIELDS)

    def subscription_search(self, body, **_):
        rows = self._by_ids(self.store.state.subscriptions, body.get("search") or {})
        return _xml(200, "subscriptions", wire.Array("subscription", [shapes.subscription(self.store, s) for s in rows], self._page(rows)))

    # --- disputes -----------------------------------------------------------------------------------------
    def dispute_search(self, body, *, query, **_):
        criteria = body.get("search") or {}
        rows = [d for d in _newest_first(self.store.state.disputes.values()) if _matches(d, criteria, DISPUTE_FIELDS)]
        page = int((query.get("page") or ["1"])[0] or 1)
        chunk = rows[(page - 1) * DISPUTE_PAGE_SIZE: page * DISPUTE_PAGE_SIZE]
        head = {"current_page_number": page, "page_size": DISPUTE_PAGE_SIZE, "total_items": len(rows)}
        return _xml(200, "disputes", wire.Array("dispute", [shapes.dispute(self.store, d) for d in chunk], head))

    def dispute_find(self, body, *, id, **_):
        dispute = self.store.state.disputes.get(id)
        if dispute is None:
            raise Missing()
        return _xml(200, "dispute", shapes.dispute(self.store, dispute))

    # --- search helpers -----------------------------------------------------------------------------------
    def _ids(self, rows, criteria: dict, fields: dict) -> Response:
        found = [r["id"] for r in _newest_first(rows) if _matches(r, criteria, fields)]
        return _xml(200, "search_results", {"page_size": SEARCH_PAGE_SIZE, "ids": wire.Array("item", found)})

    def _by_ids(self, table: dict, criteria: dict) -> list[dict]:
        ids = criteria.get("ids") or []
        if len(ids) > SEARCH_PAGE_SIZE:
            raise SearchError(f"At most {SEARCH_PAGE_SIZE} ids per search page.")
        return [table[i] for i in ids if i in table]

    @staticmethod
    def _page(rows) -> dict:
        return {"current_page_number": 1, "page_size": SEARCH_PAGE_SIZE, "total_items": len(rows)}


class SearchError(ValueError):
    pass


def _newest_first(rows) -> list[dict]:
    # Stable on equal timestamps: later-created rows (insertion order) first.
    return [r for _, r in sorted(enumerate(rows), key=lambda p: (p[1]["created_at"], p[0]), reverse=True)]


CUSTOMER_FIELDS = {"ids": "id", "id": "id", "email": "email", "first_name": "first_name", "last_name": "last_name",
                   "phone": "phone", "company": "company", "created_at": "created_at"}
TRANSACTION_FIELDS = {"ids": "id", "id": "id", "order_id": "order_id", "customer_id": "customer_id", "type": "type",
                      "status": "status", "payment_method_token": "token", "created_at": "created_at", "currency": "currency_iso_code",
                      "merchant_account_id": "merchant_account_id", "amount": "amount"}
SUBSCRIPTION_FIELDS = {"ids": "id", "id": "id", "plan_id": "plan_id", "status": "status", "created_at": "created_at",
                       "merchant_account_id": "merchant_account_id", "price": "price"}
DISPUTE_FIELDS = {"id": "id", "status": "status", "transaction_id": "transaction_id", "reason": "reason", "kind": "kind",
                  "received_date": "received_date", "created_at": "created_at"}


def _matches(row: dict, criteria: dict, fields: dict) -> bool:
    for name, condition in criteria.items():
        if name not in fields:
            raise SearchError(f"Unknown search field '{name}'.")
        value = row.get(fields[name])
        if isinstance(condition, list):  # multiple-value node (ids, status, type, ...)
            if str(value) not in {str(c) for c in condition}:
                return False
        elif isinstance(condition, dict):
            if not _compare(value, condition):
                return False
        else:
            raise SearchError(f"Malformed condition for '{name}'.")
    return True


def _compare(value, condition: dict) -> bool:
    text = "" if value is None else str(value)
    for op, wanted in condition.items():
        if op == "is" and text.lower() != str(wanted).lower():
            return False
        if op == "is_not" and text.lower() == str(wanted).lower():
            return False
        if op == "starts_with" and not text.lower().startswith(str(wanted).lower()):
            return False
        if op == "ends_with" and not text.lower().endswith(str(wanted).lower()):
            return False
        if op == "contains" and str(wanted).lower() not in text.lower():
            return False
        if op in ("min", "max"):
            bound = wanted
            if isinstance(value, dt.datetime) and not isinstance(bound, dt.datetime):
                bound = dt.datetime.fromisoformat(str(bound).replace("Z", "+00:00"))
            if value is None or (op == "min" and value < bound) or (op == "max" and value > bound):
                return False
    return True
