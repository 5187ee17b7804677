"""StripeAdapter: the GatewayAdapter for Stripe (stripe 16.1.0, API version 2026-10-28.endive).

Reads return DTOs from mapping.py, mapped from the plain JSON of client.get/page/every; writes go through client.Client.call with the caller's idempotency key
(derived sub-keys where one action needs two POSTs). Quirks handled here:
- Payment methods: `GET /v1/payment_methods` without `customer` lists only Treasury payment methods (Stripe
  API reference), so list_page(PAYMENT_METHOD) walks one page of customers and lists each customer's payment
  methods (1 + page_size requests per page; cursor = last customer id). Nothing on a customer tells whether
  it has any (a card may be attached without being the default), so every customer is asked, a few at a time
  on keep-alive connections (PAYMENT_METHOD_FETCHERS threads; a 429 is waited out and retried, as Stripe's
  test mode allows only 25 reads/s). Webhooks keep them fresh after that.
- Tax ids: `GET /v1/tax_ids` lists the *account's* ids unless given one customer, so list_page(TAX_ID) walks
  customers with `expand[]=data.tax_ids` (one request per page; more only for a customer with > 10 ids).
- Subscriptions list with `status=all` (the default hides canceled ones). Product names cannot be expanded
  on a subscription list (`data.items.data.price.product` is past Stripe's 4-level expand limit), so they
  come from one `GET /v1/products?ids[]=...` per page, cached per adapter.
- Coupons: since 2025-03-31 customers cannot carry a coupon through the API; only subscriptions (and
  invoices) take `discounts`. coupon_apply on a customer applies to its single live subscription, and asks
  the agent to choose when there are none or several.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from chargeside.core.money import Money
from chargeside.core.signing import webhook_tolerance
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import (
    AuthenticationFailed,
    GatewayError,
    InvalidRequest,
    NotFound,
    RateLimited,
)
from chargeside.gateways.types import (
    Capability,
    CardUpdateSession,
    ChargeDTO,
    ConnectionCheck,
    CustomerDTO,
    InboundEvent,
    InvoiceDTO,
    Page,
    ProrationPreview,
    RefundDTO,
    SettingField,
    SubscriptionDTO,
    TaxIdDTO,
)
from chargeside.gateways.types import (
    ResourceKind as K,
)

from . import mapping, webhooks
from .client import DEFAULT_BASE_URL, Client, next_cursor, path

SUB_EXPAND = ["discounts", "items.data.price.product"]
# kind → (v1 service, extra list params, retrieve expand, mapper)
SIMPLE = {
    K.PRODUCT: ("products", {}, [], mapping.product),
    K.PRICE: ("prices", {"expand": ["data.product"]}, ["product"], mapping.price),
    K.COUPON: ("coupons", {}, [], mapping.coupon),
    K.PROMOTION_CODE: ("promotion_codes", {}, [], mapping.promotion_code),
    K.CUSTOMER: ("customers", {}, [], mapping.customer),
    K.PAYMENT_METHOD: ("payment_methods", None, [], mapping.payment_method),
    K.TAX_ID: ("tax_ids", None, [], mapping.tax_id),
    K.CHARGE: ("charges", {"expand": ["data.payment_intent"]}, ["payment_intent"], mapping.charge),
    K.REFUND: ("refunds", {}, [], mapping.refund),
    K.SUBSCRIPTION: ("subscriptions", None, SUB_EXPAND, mapping.subscription),
    K.INVOICE: ("invoices", {"expand": ["data.payments"]}, ["payments"], mapping.invoice),
    K.DISPUTE: ("disputes", {}, [], mapping.dispute),
}
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})  # Stripe's enum; others → metadata
LIVE_SUBSCRIPTION = frozenset({"trialing", "active", "past_due", "unpaid", "paused", "incomplete"})
PAYMENT_METHOD_FETCHERS = 4  # concurrent per-customer payment method lists (measured: see list_page)
RATE_LIMIT_WAITS = (0.5, 1.0, 2.0, 4.0)  # seconds before each retry of a rate-limited read in a fan-out


def _sub_key(key: str, step: str) -> str:
    # One action, two POSTs: Stripe ties a key to one endpoint and one parameter set, so each step gets its own.
    return f"{key}:{step}"


def _same_currency(amount: Money, charge: ChargeDTO) -> None:
    if amount.currency != charge.currency:
        raise InvalidRequest(f"The amount is in {amount.currency} but the charge is in {charge.currency}.", code="currency_mismatch")


class StripeAdapter(GatewayAdapter):
    key = "stripe"
    display_name = "Stripe"
    capabilities = frozenset(Capability)  # Stripe offers every capability in our enum
    # ingest/resolve.py re-fetches this many objects at once: the SDK's HTTP sessions are per thread, and four
    # in flight keep a 150 ms round trip to Stripe under test mode's 25 reads/s.
    fetch_concurrency = 4
    settings_spec = (
        SettingField("base_url", "API base URL", required=False, default=DEFAULT_BASE_URL, kind="url",
                     help="Leave as is; change only to point at a Stripe-compatible test server."),
        SettingField("publishable_key", "Publishable key", required=False, help="pk_live_… or pk_test_… (optional)."),
        SettingField("secret_key", "Secret key", secret=True, help="sk_live_… or a restricted key rk_live_…"),
        SettingField("webhook_secret", "Webhook signing secret", secret=True, help="whsec_… of this endpoint."),
    )

    def __init__(self, *, settings, credentials):
        super().__init__(settings=settings, credentials=credentials)
        self._product_name_cache: dict[str, str] = {}
        self._pool_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    @cached_property
    def client(self) -> Client:
        return Client(api_key=self.credentials.get("secret_key", ""), base_url=self.settings.get("base_url") or DEFAULT_BASE_URL)

    @property
    def v1(self):
        return self.client.v1

    # --- health -------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        mode = "live" if "_live_" in self.credentials.get("secret_key", "") else "test"
        try:
            try:
                account = self.client.get(path("account"))
            except (AuthenticationFailed, NotFound) as exc:
                if isinstance(exc, AuthenticationFailed) and exc.http_status != 403:
                    raise
                # A restricted key may not read the account (403), a Stripe-compatible test server may not serve
                # /v1/account (404); reading one customer still proves the key and the URL work.
                self.client.get(path("customers"), {"limit": 1})
                return ConnectionCheck(ok=True, message=f"Connected to Stripe ({mode} mode).")
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        name = (mapping.dig(account, "settings", "dashboard", "display_name") or mapping.dig(account, "business_profile", "name")
                or account.get("email") or account.get("id") or "")
        return ConnectionCheck(ok=True, message=f"Connected to Stripe account {name} ({mode} mode).", account_name=name)

    # --- reads --------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        # `email=` is an exact, case-sensitive match; desks often lower-case addresses, so try both spellings.
        found: dict[str, CustomerDTO] = {}
        if not email.strip():
            return []  # an empty filter would be dropped and list every customer
        for candidate in dict.fromkeys([email.strip(), email.strip().lower()]):
            for obj in self.client.every(path("customers"), {"email": candidate}):
                found.setdefault(obj["id"], mapping.customer(obj))
        return list(found.values())

    def fetch(self, kind: K, remote_id: str):
        service, _, expand, mapper = SIMPLE[K(kind)]
        return mapper(self._retrieve(service, remote_id, expand))

    def _retrieve(self, service: str, remote_id: str, expand: list[str] | None = None) -> dict:
        if not remote_id:  # GET /v1/<service>/ would list instead of retrieving
            raise NotFound(f"No {service} id was given.", code="resource_missing")
        return self.client.get(path(service, remote_id), {"expand": expand or None})

    def list_page(self, kind: K, cursor: str | None, *, page_size: int = 100) -> Page:
        kind, limit = K(kind), max(1, min(page_size, 100))
        if kind == K.PAYMENT_METHOD:
            return self._payment_methods_page(cursor, limit)
        if kind == K.TAX_ID:
            return self._tax_ids_page(cursor, limit)
        if kind == K.SUBSCRIPTION:
            res = self.client.page(path("subscriptions"), cursor, limit, {"status": "all", "expand": ["data.discounts"]})
            names = self._product_names(res["data"])
            return Page([mapping.subscription(o, product_names=names) for o in res["data"]], next_cursor(res))
        service, params, _, mapper = SIMPLE[kind]
        res = self.client.page(path(service), cursor, limit, params)
        return Page([mapper(o) for o in res["data"]], next_cursor(res))

    def _payment_methods_page(self, cursor: str | None, limit: int) -> Page:
        customers = self.client.page(path("customers"), cursor, limit, {})
        # In customer order (pool.map keeps it), so a page reads the same whichever list answers first.
        lists = self._fetchers().map(self._customer_payment_methods, [c["id"] for c in customers["data"]])
        return Page([mapping.payment_method(pm) for found in lists for pm in found], next_cursor(customers))

    def _customer_payment_methods(self, customer_id: str) -> list[dict]:
        for wait in (*RATE_LIMIT_WAITS, None):
            try:
                return list(self.client.every(path("customers", customer_id, "payment_methods"), {}))
            except RateLimited:
                if wait is None:
                    raise
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _fetchers(self) -> ThreadPoolExecutor:
        # One pool per adapter, created on first use: its threads keep their keep-alive connections (the
        # SDK's requests session is per thread) from page to page. Idle threads exit when the adapter goes.
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PAYMENT_METHOD_FETCHERS, thread_name_prefix="stripe-payment-methods")
            return self._pool

    def _tax_ids_page(self, cursor: str | None, limit: int) -> Page:
        customers = self.client.page(path("customers"), cursor, limit, {"expand": ["data.tax_ids"]})
        items = []
        for c in customers["data"]:
            embedded = c.get("tax_ids") or {}
            objs = embedded.get("data") or []
            if embedded.get("has_more"):
                objs = list(self.client.every(path("customers", c["id"], "tax_ids"), {}))
            items += [mapping.tax_id({"customer": c["id"], **t}) for t in objs]
        return Page(items, next_cursor(customers))

    def _product_names(self, subscriptions: list[dict]) -> dict[str, str]:
        cache = self._product_name_cache
        wanted = {p for s in subscriptions for item in mapping.dig(s, "items", "data") or []
                  if isinstance(p := mapping.dig(item, "price", "product"), str) and p not in cache}
        if wanted:
            res = self.client.get(path("products"), {"ids": sorted(wanted), "limit": 100})
            cache.update({p["id"]: p.get("name") or "" for p in res["data"]})
        return cache

    # --- writes -------------------------------------------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        _same_currency(amount, charge)
        meta = dict(metadata or {})
        if reason and reason not in REFUND_REASONS:
            meta["chargeside_reason"] = reason[:500]  # Stripe's metadata value limit
        target = {"payment_intent": charge.intent_remote_id} if charge.intent_remote_id else {"charge": charge.remote_id}
        params = {**target, "amount": amount.amount, "reason": reason if reason in REFUND_REASONS else None, "metadata": meta or None}
        return mapping.refund(self.client.call(self.v1.refunds.create, params=params, idempotency_key=idempotency_key))

    def authorize(self, *, customer_remote_id, payment_method_remote_id, amount: Money, description, idempotency_key) -> ChargeDTO:
        params = {"amount": amount.amount, "currency": amount.currency.lower(), "customer": customer_remote_id,
                  "payment_method": payment_method_remote_id, "capture_method": "manual", "confirm": True,
                  "off_session": True, "description": description, "expand": ["latest_charge"],
                  # Off-session, nobody can follow a redirect; without this Stripe asks for a return_url.
                  "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}}
        return self._charge_of(self.client.call(self.v1.payment_intents.create, params=params, idempotency_key=idempotency_key))

    def capture(self, *, charge: ChargeDTO, amount: Money | None, idempotency_key: str) -> ChargeDTO:
        if amount is not None:
            _same_currency(amount, charge)
        value = amount.amount if amount is not None else None
        if not charge.intent_remote_id:  # a legacy charge created without a PaymentIntent
            obj = self.client.call(self.v1.charges.capture, charge.remote_id, params={"amount": value}, idempotency_key=idempotency_key)
            return mapping.charge(obj)
        params = {"amount_to_capture": value, "expand": ["latest_charge"]}
        return self._charge_of(self.client.call(self.v1.payment_intents.capture, charge.intent_remote_id, params=params, idempotency_key=idempotency_key))

    def void(self, *, charge: ChargeDTO, idempotency_key: str) -> ChargeDTO:
        if not charge.intent_remote_id:  # legacy: refunding an uncaptured charge releases it
            self.client.call(self.v1.refunds.create, params={"charge": charge.remote_id}, idempotency_key=idempotency_key)
            return self.fetch(K.CHARGE, charge.remote_id)
        pi = self.client.call(self.v1.payment_intents.cancel, charge.intent_remote_id, params={"expand": ["latest_charge"]}, idempotency_key=idempotency_key)
        return self._charge_of(pi)

    def _charge_of(self, intent: dict) -> ChargeDTO:
        latest = intent.get("latest_charge")
        if isinstance(latest, str):
            latest = self._retrieve("charges", latest)
        if not latest:
            raise InvalidRequest(f"Stripe did not create a charge (payment is '{intent.get('status')}').", code=intent.get("status") or "")
        return mapping.charge(latest, intent=intent)

    def subscription_cancel(self, *, subscription_remote_id, at_period_end, idempotency_key) -> SubscriptionDTO:
        if at_period_end:
            obj = self.client.call(self.v1.subscriptions.update, subscription_remote_id,
                                   params={"cancel_at_period_end": True, "expand": SUB_EXPAND}, idempotency_key=idempotency_key)
        else:  # DELETE /v1/subscriptions/{id}; the SDK adds no key to DELETEs, we still send ours
            obj = self.client.call(self.v1.subscriptions.cancel, subscription_remote_id, params={"expand": SUB_EXPAND}, idempotency_key=idempotency_key)
        return mapping.subscription(obj)

    def subscription_create(self, *, customer_remote_id, price_remote_id, idempotency_key, trial_days=None, coupon_remote_id="", payment_method_remote_id="") -> SubscriptionDTO:
        params = {"customer": customer_remote_id, "items": [{"price": price_remote_id}], "trial_period_days": trial_days,
                  "discounts": [{"coupon": coupon_remote_id}] if coupon_remote_id else None,
                  "default_payment_method": payment_method_remote_id, "expand": SUB_EXPAND}
        return mapping.subscription(self.client.call(self.v1.subscriptions.create, params=params, idempotency_key=idempotency_key))

    def _change_items(self, subscription: SubscriptionDTO, price_remote_id: str) -> list[dict]:
        item = subscription.item_remote_id or self.fetch(K.SUBSCRIPTION, subscription.remote_id).item_remote_id
        return [{"id": item, "price": price_remote_id, "quantity": subscription.quantity}]

    def subscription_change_preview(self, *, subscription: SubscriptionDTO, price_remote_id: str, proration_date: dt.datetime) -> ProrationPreview:
        details = {"items": self._change_items(subscription, price_remote_id), "proration_behavior": "create_prorations",
                   "proration_date": int(proration_date.timestamp())}
        params = {"customer": subscription.customer_remote_id, "subscription": subscription.remote_id, "subscription_details": details}
        # A preview changes nothing, so it gets a fresh key of ours: a reused one would replay a cached preview.
        inv = self.client.call(self.v1.invoices.create_preview, params=params, idempotency_key=f"preview-{uuid.uuid4()}")
        currency = mapping.upper_currency(inv.get("currency"))
        lines = tuple(mapping.invoice_line(x, currency) for x in mapping.dig(inv, "lines", "data") or [])
        return ProrationPreview(currency=currency, amount_due=inv.get("amount_due") or 0,
                                proration_amount=sum(x.amount for x in lines if x.proration),
                                next_payment_at=mapping.ts(inv.get("next_payment_attempt")) or subscription.current_period_end, lines=lines)

    def subscription_change(self, *, subscription: SubscriptionDTO, price_remote_id: str, proration_date: dt.datetime, idempotency_key: str) -> SubscriptionDTO:
        params = {"items": self._change_items(subscription, price_remote_id), "proration_behavior": "create_prorations",
                  "proration_date": int(proration_date.timestamp()), "expand": SUB_EXPAND}
        return mapping.subscription(self.client.call(self.v1.subscriptions.update, subscription.remote_id, params=params, idempotency_key=idempotency_key))

    def invoice_send(self, *, invoice_remote_id: str, idempotency_key: str) -> InvoiceDTO:
        inv = self._retrieve("invoices", invoice_remote_id)
        if inv.get("status") == "draft":  # only finalized (open) invoices can be sent
            self.client.call(self.v1.invoices.finalize_invoice, invoice_remote_id, idempotency_key=_sub_key(idempotency_key, "finalize"))
        sent = self.client.call(self.v1.invoices.send_invoice, invoice_remote_id, idempotency_key=_sub_key(idempotency_key, "send"))
        return mapping.invoice(sent)

    def coupon_apply(self, *, code: str, idempotency_key: str, customer_remote_id: str = "", subscription_remote_id: str = ""):
        discount = self._discount_for(code.strip())
        target = subscription_remote_id or self._only_live_subscription(customer_remote_id)
        current = self._retrieve("subscriptions", target, SUB_EXPAND)
        existing = current.get("discounts") or []
        # Discount objects: the expanded list (current API) or the singular `discount` (older shape).
        readable = [d for d in [current.get("discount"), *existing] if isinstance(d, dict)]
        if any(mapping.ref(d.get("promotion_code")) == discount.get("promotion_code", "-")
               or mapping.coupon_of(d) == discount.get("coupon", "-") for d in readable):
            return mapping.subscription(current)  # already applied (e.g. a retry after a lost answer): nothing to do
        # `discounts` replaces the whole list, so the discounts already there are passed back to keep them.
        params = {"discounts": [{"discount": mapping.ref(d)} for d in existing] + [discount], "expand": SUB_EXPAND}
        return mapping.subscription(self.client.call(self.v1.subscriptions.update, target, params=params, idempotency_key=idempotency_key))

    def _discount_for(self, code: str) -> dict:
        if code.startswith("promo_"):
            return {"promotion_code": self._retrieve("promotion_codes", code)["id"]}
        promos = self.client.get(path("promotion_codes"), {"code": code, "active": True, "limit": 1})["data"]
        if promos:
            return {"promotion_code": promos[0]["id"]}
        try:
            return {"coupon": self._retrieve("coupons", code)["id"]}
        except NotFound as exc:
            raise NotFound(f"Stripe has no active promotion code or coupon '{code}'.", code="resource_missing", request_id=exc.request_id) from exc

    def _only_live_subscription(self, customer_remote_id: str) -> str:
        if not customer_remote_id:
            raise InvalidRequest("Choose a customer or a subscription to apply the coupon to.", code="parameter_missing")
        subs = self.client.get(path("subscriptions"), {"customer": customer_remote_id, "status": "all", "limit": 100})["data"]
        live = [s["id"] for s in subs if s.get("status") in LIVE_SUBSCRIPTION]
        if len(live) != 1:
            raise InvalidRequest("Stripe applies coupons to subscriptions, not customers. " + (
                "This customer has no active subscription." if not live else "This customer has several subscriptions; choose one."),
                code="subscription_required")
        return live[0]

    def tax_id_add(self, *, customer_remote_id: str, type: str, value: str, idempotency_key: str) -> TaxIdDTO:
        obj = self.client.call(self.v1.customers.tax_ids.create, customer_remote_id, params={"type": type, "value": value}, idempotency_key=idempotency_key)
        return mapping.tax_id(obj)

    def card_update_session(self, *, customer_remote_id: str, return_url: str, idempotency_key: str) -> CardUpdateSession:
        params = {"mode": "setup", "customer": customer_remote_id, "payment_method_types": ["card"],
                  "success_url": return_url, "cancel_url": return_url}
        session = self.client.call(self.v1.checkout.sessions.create, params=params, idempotency_key=idempotency_key)
        return CardUpdateSession(url=session["url"], expires_at=mapping.ts(session.get("expires_at")))

    # --- inbound ------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        webhooks.verify(headers, body, self.credentials.get("webhook_secret", ""), tolerance=webhook_tolerance(), now=now)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return webhooks.parse(body)

    def summarize_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[tuple[str, str, bool]]:
        return webhooks.summarize(body)

    def event_needs_refetch(self, event: InboundEvent) -> bool:
        # Stripe delivers out of order and retries for days, so a payload can be older than what we hold;
        # the object fetched now is the truth. Deletions are final (most deleted objects 404 on retrieve).
        return event.kind is not None and bool(event.remote_id) and not event.deleted
