"""RecurlyAdapter: the GatewayAdapter for Recurly (recurly 4.79.0, API v2021-02-25).

Reads map plain JSON from client.Client (SDK resources turned back into dicts) through mapping.py. Quirks:
- Charges are purchase/capture/authorization transactions; `GET /transactions` also lists refunds and card
  checks, which a CHARGE page leaves out (a page may hold fewer items than asked). A transaction says only
  `refunded: true`, so for those the account's refund transactions are summed (one list per account per page).
- Refunds are `POST /invoices/{invoice}/refund` with `type=amount` on the charge's invoice, money back to
  the card first (`refund_method=transaction_first`). Recurly answers with the credit invoice; the refund
  is the refund transaction on it.
- No idempotency key: Recurly de-duplicates nothing we send. Each refund carries our key in
  `credit_customer_notes`, which Recurly copies to the credit invoice's `customer_notes`; `find_write`
  finds it there among the invoice's related credit invoices, so run_action can check before a retry.
  Cancel, terminate and coupon redemptions are checked by state (already canceled, already redeemed).
- Subscriptions: cancel at period end is `PUT /subscriptions/{id}/cancel` (`timeframe=term_end`), cancel now
  is terminate, `DELETE /subscriptions/{id}?refund=none` (refunds are a separate, audited action).
  A subscription names its plan but not the plan's interval, so plans are read once per adapter and cached.
- Payment methods are each account's billing info (embedded in the account list, so a page costs one call).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cached_property

from chargeside.core.money import Money
from chargeside.core.signing import webhook_tolerance
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import GatewayError, InvalidRequest, NotFound
from chargeside.gateways.types import (
    Capability,
    ChargeDTO,
    ConnectionCheck,
    CustomerDTO,
    InboundEvent,
    Page,
    RefundDTO,
    SettingField,
    SubscriptionDTO,
)
from chargeside.gateways.types import ResourceKind as K

from . import mapping, webhooks
from .client import DEFAULT_BASE_URL, Client, decimal_amount, path

KEY_PREFIX = "chargeside-key:"  # how our idempotency key is written into what a write creates
LIVE_STATES = frozenset({"active", "future", "paused"})


def key_note(idempotency_key: str, reason: str = "") -> str:
    return f"{reason.strip()} ({KEY_PREFIX}{idempotency_key})" if reason.strip() else f"{KEY_PREFIX}{idempotency_key}"


class RecurlyAdapter(GatewayAdapter):
    key = "recurly"
    display_name = "Recurly"
    capabilities = frozenset({
        Capability.REFUND, Capability.PARTIAL_REFUND, Capability.SUBSCRIPTION_CANCEL,
        Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END, Capability.SUBSCRIPTION_CREATE, Capability.COUPON_APPLY,
        Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS,
    })
    backfill_kinds = (K.PRODUCT, K.PRICE, K.COUPON, K.CUSTOMER, K.PAYMENT_METHOD, K.CHARGE, K.REFUND, K.SUBSCRIPTION, K.INVOICE)
    fetch_concurrency = 4  # one SDK connection per thread (client.Client)
    refetch_charge_after_refund = True  # a refund notification names only the refund transaction
    settings_spec = (
        SettingField("base_url", "API base URL", required=False, default=DEFAULT_BASE_URL, kind="url",
                     help="Leave as is (EU sites: https://v3.eu.recurly.com); change only to point at a test server."),
        SettingField("api_key", "Private API key", secret=True, help="Integrations → API Credentials → private key."),
        SettingField("webhook_secret", "Webhook signing secret", secret=True, help="The secret of this JSON webhook endpoint."),
    )

    def __init__(self, *, settings, credentials):
        super().__init__(settings=settings, credentials=credentials)
        self._plans: dict[str, dict] = {}
        self._plans_lock = threading.Lock()

    @cached_property
    def client(self) -> Client:
        return Client(api_key=self.credentials.get("api_key", ""), base_url=self.settings.get("base_url") or DEFAULT_BASE_URL)

    # --- health -------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        try:
            data, _ = self.client.page("/accounts", cursor=None, limit=1)
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        return ConnectionCheck(ok=True, message="Connected to Recurly." + ("" if data else " (No accounts yet.)"))

    # --- reads --------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        email = (email or "").strip()
        if not email:
            return []  # a blank filter matches every account without an email
        found: dict[str, CustomerDTO] = {}
        for candidate in dict.fromkeys([email, email.lower()]):  # Recurly matches exactly
            for obj in self.client.every("/accounts", params={"email": candidate}):
                found.setdefault(obj["id"], mapping.customer(obj))
        return list(found.values())

    def fetch(self, kind: K, remote_id: str):
        kind = K(kind)
        if not (remote_id or "").strip():  # the SDK refuses empty path parameters before sending anything
            raise NotFound(f"No Recurly {kind.value} id was given.", code="not_found")
        if kind == K.CUSTOMER:
            return mapping.customer(self.client.call("get_account", remote_id))
        if kind == K.PAYMENT_METHOD:
            return mapping.payment_method(self.client.call("get_billing_info", remote_id), remote_id)
        if kind in (K.CHARGE, K.REFUND):
            obj = self.client.call("get_transaction", remote_id)
            if kind == K.REFUND:
                return mapping.refund(obj)
            if not mapping.is_charge(obj):
                raise NotFound(f"Recurly transaction {remote_id} is a {obj.get('type')}, not a payment.", code="not_found")
            return mapping.charge(obj, self._refunded([obj]).get(obj["id"], 0))
        if kind == K.SUBSCRIPTION:
            obj = self.client.call("get_subscription", remote_id)
            return mapping.subscription(obj, self._plan((obj.get("plan") or {}).get("id", "")))
        if kind == K.INVOICE:
            return mapping.invoice(self.client.call("get_invoice", remote_id))
        if kind == K.PRODUCT:
            return mapping.product(self.client.call("get_plan", remote_id))
        if kind == K.PRICE:
            try:
                plan_id, currency = mapping.split_price_id(remote_id)
            except ValueError as exc:
                raise NotFound(str(exc), code="not_found") from None
            for price in mapping.prices(self.client.call("get_plan", plan_id)):
                if price.currency == currency:
                    return price
            raise NotFound(f"Recurly plan {plan_id} has no {currency} price.", code="not_found")
        if kind == K.COUPON:
            return mapping.coupon(self.client.call("get_coupon", remote_id))
        raise NotFound(f"Recurly has no {kind.value} objects.", code="not_supported")

    def list_page(self, kind: K, cursor: str | None, *, page_size: int = 100) -> Page:
        kind, limit = K(kind), max(1, min(page_size, 200))
        if kind in (K.PRODUCT, K.PRICE):
            data, nxt = self.client.page("/plans", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            self._remember_plans(data)
            items = [mapping.product(p) for p in data] if kind == K.PRODUCT else [pr for p in data for pr in mapping.prices(p)]
            return Page(items, nxt)
        if kind == K.COUPON:
            data, nxt = self.client.page("/coupons", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            return Page([mapping.coupon(c) for c in data], nxt)
        if kind in (K.CUSTOMER, K.PAYMENT_METHOD):
            data, nxt = self.client.page("/accounts", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            if kind == K.CUSTOMER:
                return Page([mapping.customer(a) for a in data], nxt)
            return Page([mapping.payment_method(a["billing_info"], a["id"]) for a in data
                         if isinstance(a.get("billing_info"), dict) and a["billing_info"].get("payment_method")], nxt)
        if kind == K.CHARGE:
            data, nxt = self.client.page("/transactions", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            charges = [t for t in data if mapping.is_charge(t)]
            refunded = self._refunded(charges)
            return Page([mapping.charge(t, refunded.get(t["id"], 0)) for t in charges], nxt)
        if kind == K.REFUND:
            data, nxt = self.client.page("/transactions", cursor=cursor, limit=limit, params={"type": "refund", "order": "asc", "sort": "created_at"})
            return Page([mapping.refund(t) for t in data if t.get("type") == "refund"], nxt)
        if kind == K.SUBSCRIPTION:
            data, nxt = self.client.page("/subscriptions", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            return Page([mapping.subscription(s, self._plan((s.get("plan") or {}).get("id", ""))) for s in data], nxt)
        if kind == K.INVOICE:
            data, nxt = self.client.page("/invoices", cursor=cursor, limit=limit, params={"order": "asc", "sort": "created_at"})
            return Page([mapping.invoice(i) for i in data], nxt)
        raise InvalidRequest(f"Recurly cannot list {kind.value} objects.", code="not_supported")

    def _refunded(self, charges: list[dict]) -> dict[str, int]:
        """Refunded minor units per charge id, for the charges Recurly marks `refunded` (one list per account)."""
        accounts = {mapping.ref(t, "account") for t in charges if t.get("refunded")} - {""}
        out: dict[str, int] = {}
        for account in sorted(accounts):
            refunds = list(self.client.every(path("/accounts/%s/transactions", account), params={"type": "refund"}))
            out.update(mapping.refunded_by_charge(refunds))
        return out

    def _remember_plans(self, plans: list[dict]) -> None:
        with self._plans_lock:
            self._plans.update({p["id"]: p for p in plans if p.get("id")})

    def _plan(self, plan_id: str) -> dict | None:
        if not plan_id:
            return None
        with self._plans_lock:
            cached = self._plans.get(plan_id)
        if cached is None:
            try:
                cached = self.client.call("get_plan", plan_id)
            except NotFound:
                return None  # a deleted plan: the subscription still maps, without its interval
            self._remember_plans([cached])
        return cached

    # --- writes -------------------------------------------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        if amount.currency != charge.currency:
            raise InvalidRequest(f"The amount is in {amount.currency} but the charge is in {charge.currency}.", code="currency_mismatch")
        if amount.amount <= 0:
            raise InvalidRequest("A refund must be more than zero.", code="invalid_amount", param="amount")
        invoice_id = charge.invoice_remote_id or (charge.raw.get("invoice") or {}).get("id", "")
        if not invoice_id:
            raise InvalidRequest("This Recurly payment has no invoice, so it cannot be refunded through the API.", code="no_invoice")
        body = {"type": "amount", "amount": decimal_amount(amount), "refund_method": "transaction_first",
                "credit_customer_notes": key_note(idempotency_key, reason if reason != "requested_by_customer" else "")}
        credit = self.client.call("refund_invoice", invoice_id, body)
        found = self._refund_on(credit, charge.remote_id)
        if found is None:
            # The whole amount went to account credit (no card money moved): nothing to show as a card refund.
            raise InvalidRequest("Recurly recorded the refund as account credit, not as money back to the card.", code="credit_only")
        return found

    def _refund_on(self, credit_invoice: dict, charge_id: str) -> RefundDTO | None:
        for t in credit_invoice.get("transactions") or []:
            if isinstance(t, dict) and t.get("type") == "refund" and t.get("original_transaction_id") in (charge_id, None, ""):
                return mapping.refund(t if t.get("original_transaction_id") else {**t, "original_transaction_id": charge_id})
        return None

    def subscription_cancel(self, *, subscription_remote_id: str, at_period_end: bool, idempotency_key: str) -> SubscriptionDTO:
        if at_period_end:
            obj = self.client.call("cancel_subscription", subscription_remote_id, body={"timeframe": "term_end"})
        else:
            obj = self.client.call("terminate_subscription", subscription_remote_id, params={"refund": "none"})
        return mapping.subscription(obj, self._plan((obj.get("plan") or {}).get("id", "")))

    def subscription_create(self, *, customer_remote_id: str, price_remote_id: str, idempotency_key: str, trial_days: int | None = None,
                            coupon_remote_id: str = "", payment_method_remote_id: str = "") -> SubscriptionDTO:
        try:
            plan_id, currency = mapping.split_price_id(price_remote_id)
        except ValueError as exc:
            raise InvalidRequest(str(exc), code="invalid_price", param="price") from None
        plan = self._plan(plan_id)
        if plan is None:
            raise NotFound(f"Recurly has no plan {plan_id}.", code="not_found", param="price")
        account = self.client.call("get_account", customer_remote_id)
        body: dict = {"plan_code": plan["code"], "currency": currency, "account": {"code": account["code"]},
                      "collection_method": "automatic"}
        if coupon_remote_id:
            body["coupon_codes"] = [self._coupon_code(coupon_remote_id)]
        if trial_days:
            import datetime as dt
            body["trial_ends_at"] = (dt.datetime.now(dt.UTC) + dt.timedelta(days=int(trial_days))).strftime("%Y-%m-%dT%H:%M:%SZ")
        obj = self.client.call("create_subscription", body)
        return mapping.subscription(obj, plan)

    def _coupon_code(self, coupon_remote_id: str) -> str:
        return self.client.call("get_coupon", coupon_remote_id)["code"]

    def coupon_apply(self, *, code: str, idempotency_key: str, customer_remote_id: str = "", subscription_remote_id: str = ""):
        if not (code or "").strip():
            raise InvalidRequest("No coupon code was given.", code="missing_code", param="code")
        account_id = customer_remote_id
        body: dict = {"coupon_id": self._coupon_ref(code)}
        if subscription_remote_id:
            sub = self.client.call("get_subscription", subscription_remote_id)
            account_id = mapping.ref(sub, "account")
            body["subscription_id"] = subscription_remote_id
        self.client.call("create_coupon_redemption", account_id, body)
        if subscription_remote_id:
            return self.fetch(K.SUBSCRIPTION, subscription_remote_id)
        return self.fetch(K.CUSTOMER, account_id)

    def _coupon_ref(self, code: str) -> str:
        # Recurly takes a coupon id, or a code as `code-<code>`; a local coupon row holds the id.
        code = code.strip()
        try:
            return self.client.call("get_coupon", code)["id"]
        except NotFound:
            return self.client.call("get_coupon", f"code-{code}")["id"]

    # --- providers that take no idempotency key ----------------------------------------------------------
    def find_write(self, *, action: str, target_remote_id: str, idempotency_key: str):
        """What an earlier call with this key did at Recurly. Refunds: the credit invoice carrying our key in
        its customer notes, among the charge invoice's related invoices. Others: None (state-checked)."""
        if action != "refund" or not target_remote_id:
            return None
        charge = self.client.call("get_transaction", target_remote_id)
        invoice_id = mapping.ref(charge, "invoice")
        if not invoice_id:
            return None
        marker = f"{KEY_PREFIX}{idempotency_key}"
        for related in self.client.every(path("/invoices/%s/related_invoices", invoice_id)):
            if related.get("type") == "credit" and marker in (related.get("customer_notes") or ""):
                full = self.client.call("get_invoice", related["id"])
                refund = self._refund_on(full, target_remote_id)
                return [refund] if refund else [mapping.invoice(full)]
        return None

    # --- inbound ------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        webhooks.verify(headers, body, self.credentials.get("webhook_secret", ""), tolerance=webhook_tolerance(), now=now)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return webhooks.parse(body)
