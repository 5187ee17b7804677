"""What happens inside the fake store: customers, orders, refunds, subscriptions, webhooks, each change
announced to the registered webhooks under WooCommerce's topic names.

Refunds follow `wc_create_refund`: the amount must be between 0 and what remains ("Invalid refund
amount."); with `api_refund` the order's payment gateway plugin refunds the payment first (the fake's
plugins for "stripe", "woocommerce_payments" and "ppcp-gateway" accept, unless a test scripted a refusal;
"bacs", "cheque" and "cod" do not support refunds); meta_data is saved after the refund; a refund that
leaves nothing turns the order "refunded". Setting an order to "refunded" by hand records an automatic
refund of what remains, without the gateway (`wc_order_fully_refunded`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from . import shapes
from .errors import WooError, invalid_id

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft")
SUBSCRIPTION_STATUSES = ("pending", "active", "on-hold", "cancelled", "switched", "expired", "pending-cancel")
REFUNDING_GATEWAYS = {"stripe": "Credit Card (Stripe)", "woocommerce_payments": "Card", "ppcp-gateway": "PayPal"}
MANUAL_GATEWAYS = {"bacs": "Direct bank transfer", "cheque": "Check payments", "cod": "Cash on delivery"}


class Shop:
    """Mixed into WooFake: needs `store`, `home`, `dispatcher`, `subscriptions_enabled`, `gateway_refusals`."""

    # --- rendering ---------------------------------------------------------------------------------
    def order_json(self, doc: dict) -> dict:
        out = shapes.public(doc)
        out["refunds"] = [{"id": r["id"], "reason": r["reason"], "total": "-" + r["amount"]} for r in self.refunds_of(doc["id"])]
        out["_links"] = shapes.links(self.home, ("self", f"orders/{doc['id']}"), ("collection", "orders"))
        if doc["customer_id"]:
            out["_links"]["customer"] = [{"href": f"{self.home}{shapes.NAMESPACE}/customers/{doc['customer_id']}"}]
        return out

    def refund_json(self, doc: dict, *, with_parent: bool = False) -> dict:
        out = shapes.public(doc)
        if with_parent:  # GET /refunds (WC 9.0+) names the order
            out = {"id": out.pop("id"), "parent_id": doc["__parent_id"], **out}
        base = f"orders/{doc['__parent_id']}/refunds"
        out["_links"] = shapes.links(self.home, ("self", f"{base}/{doc['id']}"), ("collection", base), ("up", f"orders/{doc['__parent_id']}"))
        return out

    def plain_json(self, doc: dict, collection: str) -> dict:
        return {**shapes.public(doc), "_links": shapes.links(self.home, ("self", f"{collection}/{doc['id']}"), ("collection", collection))}

    def subscription_json(self, doc: dict) -> dict:
        out = self.plain_json(doc, "subscriptions")
        if doc.get("parent_id"):
            out["_links"]["up"] = [{"href": f"{self.home}{shapes.NAMESPACE}/orders/{doc['parent_id']}"}]
        return out

    def refunds_of(self, order_id: int) -> list[dict]:
        return sorted((r for r in self.store.all("refund") if r["__parent_id"] == int(order_id)), key=lambda r: -r["id"])

    # --- customers ---------------------------------------------------------------------------------
    def create_customer(self, email: str, first_name: str = "", last_name: str = "", phone: str = "", country: str = "DE",
                        created: dt.datetime | None = None) -> dict:
        with self.store.lock:
            if any(c["email"].lower() == email.lower() for c in self.store.all("customer")):
                raise WooError("registration-error-email-exists", "An account is already registered with your email address. "
                               "Please log in.", 400)
            doc = shapes.customer(id_=self.store.next_id("customer"), email=email, first=first_name, last=last_name,
                                  phone=phone, created=created or shapes.now(), country=country)
            self.store.put("customer", doc)
        self.dispatcher.emit("customer.created", self.plain_json(doc, "customers"))
        return doc

    def update_customer(self, customer_id: int, **fields) -> dict:
        with self.store.lock:
            doc = self.store.get("customer", customer_id)
            if doc is None:
                raise WooError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
            for key in ("email", "first_name", "last_name"):
                if key in fields:
                    doc[key] = fields[key]
            if "billing" in fields:
                doc["billing"].update(fields["billing"])
            doc.update(shapes.date_pair("date_modified", shapes.now()))
            self.store.put("customer", doc)
        self.dispatcher.emit("customer.updated", self.plain_json(doc, "customers"))
        return doc

    # --- catalogue ---------------------------------------------------------------------------------
    def create_product(self, name: str, price, *, subscription: bool = False, period: str = "month") -> dict:
        doc = shapes.product(id_=self.store.next_id("product"), name=name, price=Decimal(str(price)), currency=self.currency,
                             created=shapes.now(), subscription=subscription, period=period)
        self.store.put("product", doc)
        self.dispatcher.emit("product.created", self.plain_json(doc, "products"))
        return doc

    def create_coupon(self, code: str, discount_type: str = "percent", amount="10") -> dict:
        doc = shapes.coupon(id_=self.store.next_id("coupon"), code=code.lower(), discount_type=discount_type,
                            amount=Decimal(str(amount)), currency=self.currency, created=shapes.now())
        self.store.put("coupon", doc)
        self.dispatcher.emit("coupon.created", self.plain_json(doc, "coupons"))
        return doc

    # --- orders ------------------------------------------------------------------------------------
    def create_order(self, *, customer_id: int = 0, email: str = "", first_name: str = "", last_name: str = "", phone: str = "",
                     total="50.00", currency: str | None = None, status: str = "processing", payment_method: str = "stripe",
                     transaction_id: str = "", product: dict | None = None, created: dt.datetime | None = None,
                     note: str = "") -> dict:
        currency = (currency or self.currency).upper()
        customer = self.store.get("customer", customer_id) if customer_id else None
        if customer_id and customer is None:
            raise WooError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
        billing = dict(customer["billing"]) if customer else shapes.address(first_name, last_name, email=email, phone=phone)
        if email:
            billing["email"] = email
        amount = Decimal(str(total))
        item = product or {"id": 0, "name": "Custom item", "price": str(amount), "sku": ""}
        when = created or shapes.now()
        with self.store.lock:
            order_id = self.store.next_id("order")
            items = [shapes.line_item(id_=order_id * 10 + 1, product=item, quantity=1, currency=currency)]
            items[0].update(total=shapes.money(amount, currency), subtotal=shapes.money(amount, currency))
            paid = when if status in ("processing", "completed") else None
            title = REFUNDING_GATEWAYS.get(payment_method) or MANUAL_GATEWAYS.get(payment_method) or payment_method
            doc = shapes.order(id_=order_id, status=status, currency=currency, total=amount, customer_id=customer_id,
                               billing=billing, items=items, payment_method=payment_method, payment_method_title=title,
                               transaction_id=transaction_id or (f"pi_{order_id:08d}" if paid and payment_method in REFUNDING_GATEWAYS else ""),
                               created=when, paid=paid)
            if status == "completed":
                doc.update(shapes.date_pair("date_completed", when))
            self.store.put("order", doc)
            if note:
                self._note(order_id, note)
        self.dispatcher.emit("order.created", self.order_json(doc))
        return doc

    def get_order(self, order_id) -> dict:
        doc = self.store.get("order", order_id)
        if doc is None:
            raise invalid_id("shop_order")
        return doc

    def set_order_status(self, order_id: int, status: str, note: str = "") -> dict:
        with self.store.lock:
            doc = self.get_order(order_id)
            previous = doc["status"]
            doc["status"] = status
            now = shapes.now()
            doc.update(shapes.date_pair("date_modified", now))
            if status in ("processing", "completed") and not doc["date_paid_gmt"]:
                doc.update(shapes.date_pair("date_paid", now))
            if status == "completed":
                doc.update(shapes.date_pair("date_completed", now))
            doc["needs_payment"] = status in ("pending", "failed")
            self.store.put("order", doc)
            if note:
                self._note(order_id, note)
            if status == "refunded" and previous != "refunded":
                remaining = self.remaining(doc)
                if remaining > 0:
                    self._store_refund(doc, remaining, "Order fully refunded.", [], refunded_payment=False)
        self.dispatcher.emit("order.updated", self.order_json(self.get_order(order_id)))
        return self.get_order(order_id)

    def remaining(self, order: dict) -> Decimal:
        refunded = sum((Decimal(r["amount"]) for r in self.refunds_of(order["id"])), Decimal(0))
        return Decimal(order["total"]) - refunded

    # --- refunds -----------------------------------------------------------------------------------
    def create_refund(self, order_id, *, amount, reason: str = "", api_refund: bool = True, meta: list[dict] | None = None) -> dict:
        with self.store.lock:
            order = self.store.get("order", order_id)
            if order is None:
                raise WooError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404, bare=True)
            try:
                value = Decimal(str(amount))
            except InvalidOperation:
                value = Decimal(-1)
            if value < 0 and str(amount).strip().startswith("-"):
                raise WooError("woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400, bare=True)
            if value < 0 or value > self.remaining(order):
                raise WooError("woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.", 500, bare=True)
            if api_refund:
                self._gateway_refund(order, value)
            refund = self._store_refund(order, value, reason, meta or [], refunded_payment=api_refund)
            order = self.store.get("order", order["id"])
            order.update(shapes.date_pair("date_modified", shapes.now()))
            if self.remaining(order) <= 0:
                order["status"] = "refunded"
            self.store.put("order", order)
        self.dispatcher.emit("order.updated", self.order_json(order))
        return refund

    def _gateway_refund(self, order: dict, amount: Decimal) -> None:
        def refused(message: str):
            return WooError("woocommerce_rest_cannot_create_order_refund", message, 500, bare=True)

        method = order["payment_method"]
        if method not in REFUNDING_GATEWAYS and method not in MANUAL_GATEWAYS:
            raise refused("The payment gateway for this order does not exist.")
        if method in MANUAL_GATEWAYS:
            raise refused("The payment gateway for this order does not support automatic refunds.")
        if amount <= 0:
            raise refused("Refund Error: You need to specify a refund amount.")
        if message := self.gateway_refusals.pop(order["id"], None):
            raise refused(message)

    def _store_refund(self, order: dict, amount: Decimal, reason: str, meta: list[dict], *, refunded_payment: bool) -> dict:
        refund_id = self.store.next_id("refund")
        meta = [{"id": refund_id * 10 + i, "key": m["key"], "value": m["value"]} for i, m in enumerate(meta)]
        doc = shapes.refund(id_=refund_id, amount=amount, currency=order["currency"], reason=reason or "",
                            refunded_payment=refunded_payment, created=shapes.now(), meta=meta, parent_id=order["id"])
        return self.store.put("refund", doc)

    # --- notes -------------------------------------------------------------------------------------
    def _note(self, order_id: int, text: str) -> dict:
        note_id = self.store.next_id("note")
        doc = {"id": note_id, "author": "WooCommerce", **shapes.date_pair("date_created", shapes.now()), "note": text,
               "customer_note": False, "__order": order_id}
        return self.store.put("note", doc)

    def notes_of(self, order_id: int) -> list[dict]:
        return sorted((n for n in self.store.all("note") if n["__order"] == int(order_id)), key=lambda n: -n["id"])

    # --- subscriptions (WooCommerce Subscriptions) ---------------------------------------------------
    def create_subscription(self, *, customer_id: int, product: dict, status: str = "active", currency: str | None = None,
                            period: str = "month", interval: int = 1, trial_days: int = 0, parent_id: int = 0,
                            start: dt.datetime | None = None) -> dict:
        currency = (currency or self.currency).upper()
        customer = self.store.get("customer", customer_id)
        if customer is None:
            raise WooError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
        start = start or shapes.now() - dt.timedelta(days=10)
        trial_end = start + dt.timedelta(days=trial_days) if trial_days else None
        span = {"day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1), "month": dt.timedelta(days=30), "year": dt.timedelta(days=365)}[period] * interval
        last = None if trial_end and trial_end > shapes.now() else start
        nxt = trial_end if last is None else start + span
        while nxt and nxt < shapes.now():
            last, nxt = nxt, nxt + span
        with self.store.lock:
            sub_id = self.store.next_id("subscription")
            price = Decimal(product["price"])
            items = [shapes.line_item(id_=sub_id * 10 + 1, product=product, quantity=1, currency=currency)]
            doc = shapes.subscription(id_=sub_id, status=status, currency=currency, total=price, customer_id=customer_id,
                                      billing=dict(customer["billing"]), items=items, period=period, interval=interval,
                                      created=start, start=start, next_payment=nxt if status in ("active", "on-hold") else None,
                                      last_payment=last, trial_end=trial_end, parent_id=parent_id)
            if status in ("cancelled", "expired"):
                doc.update(shapes.date_pair("end_date", shapes.now()), **shapes.date_pair("cancelled_date", shapes.now()))
            self.store.put("subscription", doc)
        self.dispatcher.emit("subscription.created", self.subscription_json(doc))
        return doc

    def update_subscription_status(self, sub_id, status: str) -> dict:
        with self.store.lock:
            doc = self.store.get("subscription", sub_id)
            if doc is None:
                raise invalid_id("shop_subscription")
            current = doc["status"]
            allowed = {"cancelled": ("active", "on-hold", "pending", "pending-cancel"), "pending-cancel": ("active",),
                       "on-hold": ("active", "pending"), "active": ("on-hold", "pending")}.get(status, ())
            if status != current and current not in allowed:
                # WCS throws from update_status; the REST controller answers with the exception's message.
                raise WooError("woocommerce_rest_invalid_shop_subscription_data",
                               f'Unable to change subscription status to "{status}".', 400)
            now = shapes.now()
            if status == "pending-cancel":
                doc.update(shapes.date_pair("end_date", shapes.parse_gmt(doc["next_payment_date_gmt"]) or now))
                doc.update(shapes.date_pair("cancelled_date", now), **shapes.date_pair("next_payment_date", None))
            elif status == "cancelled":
                doc.update(shapes.date_pair("end_date", now), **shapes.date_pair("next_payment_date", None))
                if not doc["cancelled_date_gmt"]:
                    doc.update(shapes.date_pair("cancelled_date", now))
            doc["status"] = status
            doc.update(shapes.date_pair("date_modified", now))
            self.store.put("subscription", doc)
        self.dispatcher.emit("subscription.updated", self.subscription_json(doc))
        return doc

    # --- webhooks ----------------------------------------------------------------------------------
    def create_webhook(self, *, delivery_url: str, topic: str, secret: str = "", name: str = "", status: str = "active") -> dict:
        hook_id = self.store.next_id("webhook")
        resource, _, event = topic.partition(".")
        now = shapes.now()
        doc = {"id": hook_id, "name": name or f"Webhook created on {now:%B %d, %Y @ %I:%M %p}", "status": status,
               "topic": topic, "resource": resource, "event": event, "hooks": [f"woocommerce_{topic.replace('.', '_')}"],
               "delivery_url": delivery_url, **shapes.date_pair("date_created", now), **shapes.date_pair("date_modified", now),
               "__secret": secret or "generated-secret", "__failures": 0}
        self.store.put("webhook", doc)
        if status == "active":
            self.dispatcher.ping(doc)
        return doc
