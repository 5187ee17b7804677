"""The fake's REST routes under /wp-json/wc/v3, answering as WooCommerce's controllers do.

Every route needs an API key with the right permission (auth.py); without credentials WooCommerce answers
401 `woocommerce_rest_cannot_view` (reads) / `_cannot_create` / `_cannot_edit`. Lists take page/per_page
(default 10, max 100) and answer X-WP-Total, X-WP-TotalPages and Link. The Subscriptions routes exist only
when the fake has the WooCommerce Subscriptions extension (`subscriptions=True`); otherwise WordPress
answers `rest_no_route`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import listing, shapes
from .auth import AuthError, permission_error
from .errors import WooError, invalid_id, no_route
from .shop import ORDER_STATUSES, SUBSCRIPTION_STATUSES

PREFIX = shapes.NAMESPACE
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Response:
    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    def __init__(self, fake):
        self.fake = fake
        self.routes = [
            ("GET", r"", self.index, None),
            ("GET", r"/customers", self.customers, "view"), ("POST", r"/customers", self.customer_create, "create"),
            ("GET", r"/customers/(\d+)", self.customer, "view_one"), ("PUT", r"/customers/(\d+)", self.customer_update, "edit"),
            ("GET", r"/orders", self.orders, "view"), ("GET", r"/orders/(\d+)", self.order, "view_one"),
            ("PUT", r"/orders/(\d+)", self.order_update, "edit"), ("POST", r"/orders/(\d+)", self.order_update, "edit"),
            ("GET", r"/orders/(\d+)/refunds", self.order_refunds, "view"), ("POST", r"/orders/(\d+)/refunds", self.refund_create, "create"),
            ("GET", r"/orders/(\d+)/refunds/(\d+)", self.order_refund, "view_one"), ("GET", r"/orders/(\d+)/notes", self.notes, "view"),
            ("GET", r"/refunds", self.refunds, "view"),
            ("GET", r"/products", self.products, "view"), ("GET", r"/products/(\d+)", self.product, "view_one"),
            ("GET", r"/coupons", self.coupons, "view"), ("GET", r"/coupons/(\d+)", self.coupon, "view_one"),
            ("GET", r"/webhooks", self.webhooks, "view"), ("POST", r"/webhooks", self.webhook_create, "create"),
            ("GET", r"/data/currencies/current", self.currency, "view_one"),
            ("GET", r"/subscriptions", self.subscriptions, "view"), ("GET", r"/subscriptions/(\d+)", self.subscription, "view_one"),
            ("PUT", r"/subscriptions/(\d+)", self.subscription_update, "edit"), ("POST", r"/subscriptions/(\d+)", self.subscription_update, "edit"),
        ]

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> Response:
        try:
            return self._dispatch(method, path, query, headers, body)
        except WooError as exc:
            return Response(exc.http_status, exc.body())
        except AuthError as exc:
            return Response(401, {"code": exc.code, "message": exc.message, "data": {"status": 401}})

    def _dispatch(self, method, path, query, headers, body) -> Response:
        if not path.startswith(PREFIX):
            raise no_route()
        rest = path[len(PREFIX):].rstrip("/")
        ssl = headers.get("X-Forwarded-Proto", "").lower() == "https"
        for verb, pattern, handler, need in self.routes:
            match = re.fullmatch(pattern, rest)
            if not match or verb != method:
                continue
            if pattern.startswith("/subscriptions") and not self.fake.subscriptions_enabled:
                break
            if need is not None:
                key = self.fake.auth.authenticate(method=method, path=path, query=query, headers=headers, home=self.fake.home, ssl=ssl)
                if key is None:
                    raise _unauthorised(need)
                if problem := permission_error(key, method):
                    raise problem
            data = _json_body(body) if method in ("POST", "PUT") else {}
            return handler(*match.groups(), query=query, data=data)
        raise no_route()

    # --- helpers -----------------------------------------------------------------------------------
    def _page(self, items: list[dict], query: dict, collection: str, render) -> Response:
        page, headers = listing.paginate(items, query, url=f"{self.fake.home}{PREFIX}/{collection}")
        return Response(200, [render(doc) for doc in page], headers)

    def index(self, *, query, data) -> Response:
        return Response(200, {"namespace": "wc/v3", "routes": {f"{PREFIX}{p}": {"methods": [v]} for v, p, _, _ in self.routes if "(" not in p}})

    # --- customers ---------------------------------------------------------------------------------
    def customers(self, *, query, data) -> Response:
        items = self.fake.store.all("customer")
        if email := query.get("email"):
            if not EMAIL.match(email):
                raise listing.invalid_param("email", "Invalid email address.", "rest_invalid_email")
            items = [c for c in items if c["email"].lower() == email.lower()]
        if search := (query.get("search") or "").lower():
            items = [c for c in items if search in (c["email"] + " " + c["first_name"] + " " + c["last_name"] + " " + c["username"]).lower()]
        role = listing.enum_param(query, "role", ("all", "administrator", "customer", "shop_manager", "subscriber"), "customer")
        items = [c for c in items if role == "all" or c["role"] == role]
        items = listing.order_by(items, query, allowed=("id", "include", "name", "registered_date"), default="name", default_order="asc")
        return self._page(items, query, "customers", lambda c: self.fake.plain_json(c, "customers"))

    def customer(self, customer_id, *, query, data) -> Response:
        doc = self.fake.store.get("customer", customer_id)
        if doc is None:
            raise WooError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
        return Response(200, self.fake.plain_json(doc, "customers"))

    def customer_create(self, *, query, data) -> Response:
        email = str(data.get("email") or "")
        if not EMAIL.match(email):
            raise WooError("rest_missing_callback_param", "Missing parameter(s): email", 400, extra={"params": ["email"]})
        billing = data.get("billing") or {}
        doc = self.fake.create_customer(email, data.get("first_name", ""), data.get("last_name", ""), billing.get("phone", ""))
        return Response(201, self.fake.plain_json(doc, "customers"))

    def customer_update(self, customer_id, *, query, data) -> Response:
        doc = self.fake.update_customer(int(customer_id), **{k: v for k, v in data.items() if k in ("email", "first_name", "last_name", "billing")})
        return Response(200, self.fake.plain_json(doc, "customers"))

    # --- orders ------------------------------------------------------------------------------------
    def _order_filter(self, items: list[dict], query: dict, statuses: tuple[str, ...]) -> list[dict]:
        wanted = listing.list_param(query, "status") or ["any"]
        for index, status in enumerate(wanted):
            if status not in ("any", "trash", *statuses):
                raise listing.invalid_param("status", f"status[{index}] is not one of any, trash, {', '.join(statuses)}.", "rest_not_in_enum")
        if "any" not in wanted:
            items = [o for o in items if o["status"] in wanted]
        if query.get("customer") not in (None, ""):
            customer = listing.int_param(query, "customer", 0, 0)
            items = [o for o in items if o["customer_id"] == customer]
        if include := listing.list_param(query, "include"):
            items = [o for o in items if str(o["id"]) in include]
        if search := (query.get("search") or "").lower():
            items = [o for o in items if search in " ".join([str(o["id"]), o["billing"].get("email", ""), o["billing"]["first_name"],
                                                              o["billing"]["last_name"], o.get("transaction_id", "")]).lower()]
        gmt = query.get("dates_are_gmt") in ("1", "true")
        after, before = listing.date_param(query, "after", gmt), listing.date_param(query, "before", gmt)
        if after:
            items = [o for o in items if shapes.parse_gmt(o["date_created_gmt"]) > after]
        if before:
            items = [o for o in items if shapes.parse_gmt(o["date_created_gmt"]) < before]
        return listing.order_by(items, query, allowed=("date", "id", "include", "title", "slug", "modified"), default="date")

    def orders(self, *, query, data) -> Response:
        items = self._order_filter(self.fake.store.all("order"), query, ORDER_STATUSES)
        return self._page(items, query, "orders", self.fake.order_json)

    def order(self, order_id, *, query, data) -> Response:
        return Response(200, self.fake.order_json(self.fake.get_order(order_id)))

    def order_update(self, order_id, *, query, data) -> Response:
        self.fake.get_order(order_id)
        if "status" in data:
            status = data["status"]
            if status not in ORDER_STATUSES:
                raise listing.invalid_param("status", f"status is not one of {', '.join(ORDER_STATUSES[:-1])}, and {ORDER_STATUSES[-1]}.", "rest_not_in_enum")
            return Response(200, self.fake.order_json(self.fake.set_order_status(int(order_id), status)))
        return Response(200, self.fake.order_json(self.fake.get_order(order_id)))

    def notes(self, order_id, *, query, data) -> Response:
        self.fake.get_order(order_id)
        notes = [{**shapes.public(n), "_links": shapes.links(self.fake.home, ("self", f"orders/{order_id}/notes/{n['id']}"),
                                                             ("up", f"orders/{order_id}"))} for n in self.fake.notes_of(int(order_id))]
        return Response(200, notes)

    # --- refunds -----------------------------------------------------------------------------------
    def order_refunds(self, order_id, *, query, data) -> Response:
        items = listing.order_by(self.fake.refunds_of(int(order_id)), query, allowed=("date", "id", "include", "title", "slug", "modified"), default="date")
        return self._page(items, query, f"orders/{order_id}/refunds", self.fake.refund_json)

    def order_refund(self, order_id, refund_id, *, query, data) -> Response:
        if self.fake.store.get("order", order_id) is None:
            raise WooError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404, bare=True)
        doc = self.fake.store.get("refund", refund_id)
        if doc is None:
            raise invalid_id("shop_order_refund")
        if doc["__parent_id"] != int(order_id):
            raise WooError("woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.", 404, bare=True)
        return Response(200, self.fake.refund_json(doc))

    def refund_create(self, order_id, *, query, data) -> Response:
        api_refund = data.get("api_refund") if isinstance(data.get("api_refund"), bool) else True
        meta = data.get("meta_data") if isinstance(data.get("meta_data"), list) else []
        if any(not isinstance(m, dict) or "key" not in m for m in meta):
            raise listing.invalid_param("meta_data", "meta_data[0][key] is a required property of meta_data[0].", "rest_property_required")
        amount = data.get("amount")
        if amount is None:  # WooCommerce sums line_items' refund_total when no amount is given
            amount = sum((float(i.get("refund_total") or 0) for i in data.get("line_items") or []), 0.0)
        refund = self.fake.create_refund(int(order_id), amount=amount, reason=str(data.get("reason") or ""),
                                         api_refund=api_refund, meta=[{"key": str(m["key"]), "value": m.get("value", "")} for m in meta])
        return Response(201, self.fake.refund_json(refund))

    def refunds(self, *, query, data) -> Response:
        items = self.fake.store.all("refund")
        if include := listing.list_param(query, "include"):
            items = [r for r in items if str(r["id"]) in include]
        if parent := listing.list_param(query, "parent"):
            items = [r for r in items if str(r["__parent_id"]) in parent]
        items = listing.order_by(items, query, allowed=("date", "id", "include", "title", "slug", "modified"), default="date")
        return self._page(items, query, "refunds", lambda r: self.fake.refund_json(r, with_parent=True))

    # --- catalogue ---------------------------------------------------------------------------------
    def products(self, *, query, data) -> Response:
        items = listing.order_by(self.fake.store.all("product"), query, allowed=("date", "id", "include", "title", "slug", "modified"), default="date")
        return self._page(items, query, "products", lambda p: self.fake.plain_json(p, "products"))

    def product(self, product_id, *, query, data) -> Response:
        doc = self.fake.store.get("product", product_id)
        if doc is None:
            raise invalid_id("product")
        return Response(200, self.fake.plain_json(doc, "products"))

    def coupons(self, *, query, data) -> Response:
        items = self.fake.store.all("coupon")
        if code := query.get("code"):
            items = [c for c in items if c["code"] == code.lower()]
        items = listing.order_by(items, query, allowed=("date", "id", "include", "title", "slug", "modified"), default="date")
        return self._page(items, query, "coupons", lambda c: self.fake.plain_json(c, "coupons"))

    def coupon(self, coupon_id, *, query, data) -> Response:
        doc = self.fake.store.get("coupon", coupon_id)
        if doc is None:
            raise invalid_id("shop_coupon")
        return Response(200, self.fake.plain_json(doc, "coupons"))

    def currency(self, *, query, data) -> Response:
        return Response(200, {"code": self.fake.currency, "name": self.fake.currency, "symbol": ""})

    # --- webhooks ----------------------------------------------------------------------------------
    def webhooks(self, *, query, data) -> Response:
        items = listing.order_by(self.fake.store.all("webhook"), query, allowed=("date", "id", "include", "title"), default="date")
        return self._page(items, query, "webhooks", lambda w: self.fake.plain_json(w, "webhooks"))

    def webhook_create(self, *, query, data) -> Response:
        if not data.get("topic") or not data.get("delivery_url"):
            missing = [k for k in ("topic", "delivery_url") if not data.get(k)]
            raise WooError("rest_missing_callback_param", f"Missing parameter(s): {', '.join(missing)}", 400, extra={"params": missing})
        resource = str(data["topic"]).partition(".")[0]
        if resource not in ("order", "customer", "product", "coupon", "subscription", "action"):
            raise WooError("woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.", 400)
        doc = self.fake.create_webhook(delivery_url=data["delivery_url"], topic=data["topic"], secret=str(data.get("secret") or ""),
                                       name=str(data.get("name") or ""), status=str(data.get("status") or "active"))
        return Response(201, self.fake.plain_json(doc, "webhooks"))

    # --- subscriptions -----------------------------------------------------------------------------
    def subscriptions(self, *, query, data) -> Response:
        items = self._order_filter(self.fake.store.all("subscription"), query, SUBSCRIPTION_STATUSES)
        return self._page(items, query, "subscriptions", self.fake.subscription_json)

    def subscription(self, sub_id, *, query, data) -> Response:
        doc = self.fake.store.get("subscription", sub_id)
        if doc is None:
            raise invalid_id("shop_subscription")
        return Response(200, self.fake.subscription_json(doc))

    def subscription_update(self, sub_id, *, query, data) -> Response:
        if self.fake.store.get("subscription", sub_id) is None:
            raise invalid_id("shop_subscription")
        status = data.get("status")
        if status is not None and status not in SUBSCRIPTION_STATUSES:
            raise listing.invalid_param("status", f"status is not one of {', '.join(SUBSCRIPTION_STATUSES[:-1])}, and {SUBSCRIPTION_STATUSES[-1]}.", "rest_not_in_enum")
        doc = self.fake.update_subscription_status(int(sub_id), status) if status else self.fake.store.get("subscription", sub_id)
        return Response(200, self.fake.subscription_json(doc))


def _json_body(body: bytes) -> dict:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400, extra={"json_error_code": 4, "json_error_message": "Syntax error"}) from None
    if not isinstance(data, dict):
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400)
    return data


def _unauthorised(need: str) -> WooError:
    code, message = {
        "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
        "view_one": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
        "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
        "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    }[need]
    return WooError(code, message, 401)
