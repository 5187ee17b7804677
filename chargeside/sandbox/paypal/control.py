"""The merchant's and the buyers' side of the fake, for tests, seeding and the demo (not part of PayPal's API).

A buyer approving a checkout happens in PayPal's pages, which the SDK never sees; `payment()` creates the
approved, captured (or authorised) order directly and sends the webhooks PayPal would send for it.
Every change goes through the same functions the API uses, under the store's lock.
"""

from __future__ import annotations

from . import billing, payments
from .money import money


class Control:
    def __init__(self, fake):
        self.fake = fake
        self.store = fake.store

    def _emit(self, event_type: str, resource_type: str, resource: dict) -> None:
        self.fake.webhooks.emit(event_type, resource_type, resource)

    def payer(self, email: str, name: str, country: str = "US", payer_id: str = "") -> dict:
        return payments.payer_of(email, name, payer_id, country)

    def payment(self, payer: dict, amount: int, currency: str = "USD", *, authorize: bool = False, decline: str = "",
                description: str = "", invoice_id: str = "", days_ago: float = 0) -> dict:
        """An approved order paid by `payer`; returns the order (its capture or authorisation inside)."""
        with self.store.lock:
            self.store.clock.offset -= days_ago * 86400
            try:
                order = payments.create_order(self.store, payer=payer, amount=amount, currency=currency,
                                              intent="AUTHORIZE" if authorize else "CAPTURE", decline=decline,
                                              description=description, invoice_id=invoice_id)
            finally:
                self.store.clock.offset += days_ago * 86400
            made = self.store.payments(order)
            self._emit("CHECKOUT.ORDER.COMPLETED", "checkout-order", order)
            if authorize:
                auth = made["authorizations"][0]
                self._emit("PAYMENT.AUTHORIZATION.CREATED", "authorization", auth)  # a denied one says so in its status
            else:
                capture = made["captures"][0]
                self._emit("PAYMENT.CAPTURE.DENIED" if capture["status"] == "DECLINED" else "PAYMENT.CAPTURE.COMPLETED", "capture", capture)
            return order

    def capture_id(self, order: dict) -> str:
        return self.store.payments(order)["captures"][0]["id"]

    def authorization_id(self, order: dict) -> str:
        return self.store.payments(order)["authorizations"][0]["id"]

    def refund(self, capture_id: str, amount: int | None = None, days_ago: float = 0) -> dict:
        with self.store.lock:
            found = self.store.payment(capture_id, "captures")
            body = {} if amount is None or found is None else {"amount": money(amount, found[1]["amount"]["currency_code"])}
            self.store.clock.offset -= days_ago * 86400
            try:
                refund = payments.refund_capture(self.store, capture_id, body)
            finally:
                self.store.clock.offset += days_ago * 86400
            self._emit("PAYMENT.CAPTURE.REFUNDED", "refund", refund)
            return refund

    def product(self, name: str, description: str = "") -> dict:
        with self.store.lock:
            product = billing.create_product(self.store, name=name, description=description)
            self._emit("CATALOG.PRODUCT.CREATED", "product", product)
            return product

    def plan(self, product_id: str, name: str, amount: int, currency: str = "USD", interval: str = "month", interval_count: int = 1) -> dict:
        with self.store.lock:
            plan = billing.create_plan(self.store, product_id=product_id, name=name, amount=amount, currency=currency,
                                       interval=interval, interval_count=interval_count)
            self._emit("BILLING.PLAN.CREATED", "plan", plan)
            return plan

    def subscription(self, plan_id: str, payer: dict, *, status: str = "ACTIVE", started_days_ago: int = 0, failed_payments: int = 0) -> dict:
        with self.store.lock:
            sub = billing.create_subscription(self.store, plan_id=plan_id, subscriber=payer, status=status,
                                              started_days_ago=started_days_ago, failed_payments=failed_payments)
            self._emit("BILLING.SUBSCRIPTION.CREATED", "subscription", sub)
            if status in ("ACTIVE", "SUSPENDED", "CANCELLED", "EXPIRED"):
                self._emit(f"BILLING.SUBSCRIPTION.{ {'ACTIVE': 'ACTIVATED'}.get(status, status) }", "subscription", sub)
            return sub

    def invoice(self, email: str, name: str, amount: int, currency: str = "USD", *, status: str = "DRAFT", description: str = "Services") -> dict:
        with self.store.lock:
            invoice = billing.create_invoice(self.store, email=email, name=name, amount=amount, currency=currency,
                                             status=status, description=description)
            self._emit("INVOICING.INVOICE.CREATED", "invoices", invoice)
            if status == "PAID":
                self._emit("INVOICING.INVOICE.PAID", "invoices", invoice)
            return invoice

    def signed_event(self, webhook_id: str, event_type: str, resource_type: str, resource: dict,
                     transmission_time: str | None = None) -> tuple[dict[str, str], bytes]:
        """A new event (recorded like any other) and the headers/body of its delivery to `webhook_id`."""
        with self.store.lock:
            hooks, self.store.webhooks = self.store.webhooks, {}  # recorded, not delivered to the listeners
            try:
                event = self.fake.webhooks.emit(event_type, resource_type, resource)
            finally:
                self.store.webhooks = hooks
        return self.fake.webhooks.signed(webhook_id, event, transmission_time=transmission_time)

    def dispute(self, capture_id: str, **options) -> dict:
        with self.store.lock:
            dispute = billing.create_dispute(self.store, capture_id=capture_id, **options)
            self._emit("CUSTOMER.DISPUTE.RESOLVED" if options.get("outcome") else "CUSTOMER.DISPUTE.CREATED", "dispute", dispute)
            return dispute

    def webhook(self, url: str, event_types: tuple[str, ...] = ("*",)) -> dict:
        """Register a webhook listener (what the merchant does in PayPal's developer dashboard). `url=""` makes
        a webhook id to sign with (`fake.webhooks.signed`) that nothing is delivered to."""
        import secrets

        with self.store.lock:
            webhook_id = secrets.token_hex(8).upper()
            hook = {"id": webhook_id, "url": url, "event_types": [{"name": name} for name in event_types]}
            self.store.webhooks[webhook_id] = hook
            return hook
