"""WooCommerceAdapter: the GatewayAdapter for WooCommerce stores (REST API wc/v3, `woocommerce` SDK 3.0.0).

What maps to what: customers → customers (user id), guest buyers → "guest:<email>" customers, orders →
charges, order refunds → refunds, products → products, coupons → coupons, and with the WooCommerce
Subscriptions extension (a setting: the routes do not exist without it) subscriptions → subscriptions.
WooCommerce has no invoices, disputes, saved payment methods or tax ids in its core REST API.

Actions: refunds, full or partial (`api_refund: true`: the order's payment plugin refunds the money; a store
whose plugin cannot gets a clear refusal), and, with Subscriptions, cancel now (status "cancelled") or at the
end of the prepaid period ("pending-cancel"). Capture and void are plugin-specific (not in core REST), and a
coupon cannot be applied to an existing paid order, so those are not declared.

No idempotency keys: WooCommerce de-duplicates nothing. Each refund carries our key twice: in its meta_data
(`chargeside_idempotency_key`, full key) and as a short marker at the end of its reason ("[cs:<16 hex>]").
The reason is written before the payment plugin is called, meta_data only after it returns, so a call that
died in between is still found by its reason. `find_write` lists the order's refunds and finds ours.

Paging: page/per_page, ordered by id ascending so that new objects land on later pages while a backfill runs;
the cursor is the next page number. Guest customers have no list of their own: the charge pages carry the
guest identities of their orders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cached_property

from chargeside.core.money import Money, to_major
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import GatewayError, InvalidRequest, NotFound
from chargeside.gateways.types import (
    Capability,
    ChargeDTO,
    ChargeStatus,
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
from .client import Client

IDEMPOTENCY_META_KEY = "chargeside_idempotency_key"
CORE_CAPABILITIES = frozenset({Capability.REFUND, Capability.PARTIAL_REFUND, Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS})
SUBSCRIPTION_CAPABILITIES = frozenset({Capability.SUBSCRIPTION_CANCEL, Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END})
CORE_KINDS = (K.PRODUCT, K.COUPON, K.CUSTOMER, K.CHARGE, K.REFUND)
ENDPOINTS = {K.PRODUCT: "products", K.COUPON: "coupons", K.CUSTOMER: "customers", K.CHARGE: "orders",
             K.REFUND: "refunds", K.SUBSCRIPTION: "subscriptions"}
REASON_MAX = 200


def key_marker(idempotency_key: str) -> str:
    return f"[cs:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}]"


def _yes(value) -> bool:
    return str(value or "").strip().lower() in ("yes", "true", "1", "on")


class WooCommerceAdapter(GatewayAdapter):
    key = "woocommerce"
    display_name = "WooCommerce"
    capabilities = CORE_CAPABILITIES  # plus SUBSCRIPTION_CAPABILITIES on connections with the extension
    backfill_kinds = CORE_KINDS
    settings_spec = (
        SettingField("base_url", "Store URL", kind="url", help="The shop's address, e.g. https://shop.example.com "
                     "(the REST API is under /wp-json/wc/v3). Use https: over plain http requests are signed with OAuth 1.0a."),
        SettingField("consumer_key", "Consumer key", help="ck_… from WooCommerce → Settings → Advanced → REST API (Read/Write)."),
        SettingField("consumer_secret", "Consumer secret", secret=True, help="cs_… of the same key."),
        SettingField("webhook_secret", "Webhook secret", secret=True,
                     help="The secret you entered for the webhooks (order.*, customer.*, subscription.*) pointing here."),
        SettingField("subscriptions_extension", "WooCommerce Subscriptions installed", required=False, default="no", kind="choice",
                     choices=("no", "yes"), help="Only with the paid extension: syncs subscriptions and allows cancelling them."),
        SettingField("query_string_auth", "Send the key in the query string", required=False, default="no", kind="choice",
                     choices=("no", "yes"), help="Only for HTTPS hosts that strip the Authorization header."),
    )

    @classmethod
    def capabilities_for(cls, settings) -> frozenset[Capability]:
        return CORE_CAPABILITIES | SUBSCRIPTION_CAPABILITIES if _yes(settings.get("subscriptions_extension")) else CORE_CAPABILITIES

    def __init__(self, *, settings, credentials):
        super().__init__(settings=settings, credentials=credentials)
        self.subscriptions = _yes(self.settings.get("subscriptions_extension"))
        self.capabilities = self.capabilities_for(self.settings)
        if self.subscriptions:
            self.backfill_kinds = (*CORE_KINDS, K.SUBSCRIPTION)
        self._currencies: dict[str, str] = {}  # order id → currency (refunds carry none of their own)

    @cached_property
    def client(self) -> Client:
        return Client(url=self.settings.get("base_url") or "", consumer_key=self.settings.get("consumer_key") or self.credentials.get("consumer_key") or "",
                      consumer_secret=self.credentials.get("consumer_secret") or "", query_string_auth=_yes(self.settings.get("query_string_auth")))

    @cached_property
    def store_currency(self) -> str:
        body, _ = self.client.get("data/currencies/current")
        return str(body.get("code") or "") if isinstance(body, dict) else ""

    # --- health -------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        try:
            self.client.get("orders", {"per_page": 1})
            currency = self.store_currency
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        if self.subscriptions:
            try:
                self.client.get("subscriptions", {"per_page": 1})
            except NotFound:
                return ConnectionCheck(ok=False, message="The store has no WooCommerce Subscriptions API; turn that setting off or install the extension.")
            except GatewayError as exc:
                return ConnectionCheck(ok=False, message=exc.message)
        url = self.settings.get("base_url", "")
        return ConnectionCheck(ok=True, message=f"Connected to the WooCommerce store at {url} (currency {currency}).", account_name=url)

    # --- reads --------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        email = email.strip()
        if not email:
            return []
        found = {str(c["id"]): mapping.customer(c) for c in self.client.every("customers", {"email": email, "role": "all"})}
        # Guests: orders whose billing email matches and that belong to no account.
        for order in self.client.every("orders", {"search": email, "customer": 0}, max_pages=2):
            if (order.get("billing") or {}).get("email", "").strip().lower() == email.lower():
                guest = mapping.guest_customer(order)
                found.setdefault(guest.remote_id, guest)
                break
        return list(found.values())

    def fetch(self, kind: K, remote_id: str):
        kind = K(kind)
        if not remote_id:
            raise NotFound("No WooCommerce id was given.", code="missing_id")
        if kind == K.CUSTOMER and remote_id.startswith(mapping.GUEST_PREFIX):
            return self._guest(remote_id[len(mapping.GUEST_PREFIX):])
        if kind == K.REFUND:
            return self._refund(remote_id)
        if kind not in ENDPOINTS or (kind == K.SUBSCRIPTION and not self.subscriptions):
            raise NotFound(f"WooCommerce has no {kind} objects.", code="unsupported_kind")
        if not remote_id.isdigit():
            raise NotFound(f"'{remote_id}' is not a WooCommerce id.", code="bad_id")
        body, _ = self.client.get(f"{ENDPOINTS[kind]}/{remote_id}")
        return self._map(kind, body)

    def _map(self, kind: K, obj: dict):
        if kind == K.CHARGE:
            self._currencies[str(obj["id"])] = mapping.currency_of(obj)
            notes = self._decline_notes(obj)
            return mapping.charge(obj, failure_message=mapping.decline_message(notes))
        if kind == K.COUPON:
            return mapping.coupon(obj, store_currency=self.store_currency)
        return {K.CUSTOMER: mapping.customer, K.PRODUCT: mapping.product, K.SUBSCRIPTION: mapping.subscription}[kind](obj)

    def _decline_notes(self, order: dict) -> list[dict]:
        # The decline reason lives only in the payment plugin's order note: one extra read per failed order.
        if order.get("status") != "failed":
            return []
        notes, _ = self.client.get(f"orders/{order['id']}/notes")
        return notes if isinstance(notes, list) else []

    def _guest(self, email: str) -> CustomerDTO:
        for order in self.client.every("orders", {"search": email, "customer": 0}, max_pages=2):
            if (order.get("billing") or {}).get("email", "").strip().lower() == email.lower():
                return mapping.guest_customer(order)
        raise NotFound(f"No guest order of {email} was found.", code="guest_not_found")

    def _refund(self, remote_id: str) -> RefundDTO:
        if not remote_id.isdigit():
            raise NotFound(f"'{remote_id}' is not a WooCommerce id.", code="bad_id")
        items, _ = self.client.page("refunds", 1, 1, {"include": remote_id})
        if not items:
            raise NotFound(f"WooCommerce has no refund {remote_id}.", code="woocommerce_rest_shop_order_refund_invalid_id")
        return mapping.refund(items[0], order_id=items[0]["parent_id"], currency=self._currency_of(str(items[0]["parent_id"])))

    def _currency_of(self, order_id: str) -> str:
        if order_id not in self._currencies:
            body, _ = self.client.get(f"orders/{order_id}")
            self._currencies[order_id] = mapping.currency_of(body)
        return self._currencies[order_id]

    def list_page(self, kind: K, cursor: str | None, *, page_size: int = 100) -> Page:
        kind = K(kind)
        if kind not in self.backfill_kinds:
            return Page([], None)
        page = int(cursor) if cursor and cursor.isdigit() else 1
        params = {"orderby": "id", "order": "asc"}
        if kind == K.CUSTOMER:
            params["role"] = "all"  # customers with another role (a shop manager who buys) still buy
        items, pages = self.client.page(ENDPOINTS[kind], page, page_size, params)
        next_cursor = str(page + 1) if page < pages else None
        if kind == K.REFUND:
            self._remember_currencies({str(r["parent_id"]) for r in items})
            return Page([mapping.refund(r, order_id=r["parent_id"], currency=self._currencies[str(r["parent_id"])]) for r in items], next_cursor)
        dtos = []
        if kind == K.CHARGE:  # guest buyers first, so their orders link to them in the same write
            guests = {g.remote_id: g for g in (mapping.guest_customer(o) for o in items
                                                if not o.get("customer_id") and (o.get("billing") or {}).get("email"))}
            dtos.extend(guests.values())
        dtos.extend(self._map(kind, obj) for obj in items)
        return Page(dtos, next_cursor)

    def _remember_currencies(self, order_ids: set[str]) -> None:
        missing = sorted(order_ids - self._currencies.keys(), key=int)
        for start in range(0, len(missing), 100):
            chunk = missing[start:start + 100]
            orders, _ = self.client.page("orders", 1, 100, {"include": ",".join(chunk), "status": "any"})
            self._currencies.update({str(o["id"]): mapping.currency_of(o) for o in orders})
        for order_id in order_ids - self._currencies.keys():  # trashed or otherwise not listed: ask one by one
            self._currency_of(order_id)

    # --- writes -------------------------------------------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        if amount.currency != charge.currency:
            raise InvalidRequest(f"The amount is in {amount.currency} but the order is in {charge.currency}.", code="currency_mismatch")
        if amount.amount <= 0:
            raise InvalidRequest("The refund amount must be greater than zero.", code="invalid_amount")
        if not idempotency_key:
            raise InvalidRequest("A refund needs an idempotency key (WooCommerce de-duplicates nothing itself).", code="missing_key")
        # WooCommerce would make a second refund for a repeated call: look for the first one (one extra read).
        if earlier := self.find_write(action="refund", target_remote_id=charge.remote_id, idempotency_key=idempotency_key):
            return earlier[0]
        words = (reason or "").replace("_", " ").strip()
        text = f"{words[:REASON_MAX]} {key_marker(idempotency_key)}".strip()
        meta = [{"key": IDEMPOTENCY_META_KEY, "value": idempotency_key}]
        meta += [{"key": f"chargeside_{k}", "value": str(v)} for k, v in (metadata or {}).items() if k != "chargeside_attempt"]
        body = {"amount": f"{to_major(amount.amount, amount.currency)}", "reason": text, "api_refund": True, "meta_data": meta}
        created = self.client.post(f"orders/{charge.remote_id}/refunds", body)
        return mapping.refund(created, order_id=charge.remote_id, currency=charge.currency)

    def subscription_cancel(self, *, subscription_remote_id: str, at_period_end: bool, idempotency_key: str) -> SubscriptionDTO:
        if not self.subscriptions:
            self._unsupported(Capability.SUBSCRIPTION_CANCEL)
        # Idempotent by nature: setting the same status twice leaves the subscription as it is.
        current = self.fetch(K.SUBSCRIPTION, subscription_remote_id)
        wanted = "pending-cancel" if at_period_end else "cancelled"
        if current.raw.get("status") == wanted:
            return current
        body = self.client.put(f"subscriptions/{subscription_remote_id}", {"status": wanted})
        return mapping.subscription(body)

    def find_write(self, *, action: str, target_remote_id: str, idempotency_key: str):
        if action != "refund" and not action.endswith("refund"):
            return None
        marker = key_marker(idempotency_key)
        found = []
        for refund in self.client.every(f"orders/{target_remote_id}/refunds", {}):
            meta = {m.get("key"): m.get("value") for m in refund.get("meta_data") or []}
            if meta.get(IDEMPOTENCY_META_KEY) == idempotency_key or (refund.get("reason") or "").endswith(marker):
                found.append(mapping.refund(refund, order_id=target_remote_id, currency=self._currency_of(str(target_remote_id))))
        return found or None

    # --- inbound ------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        webhooks.verify(headers, body, self.credentials.get("webhook_secret", ""))

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return webhooks.parse(body, headers)

    def event_needs_refetch(self, event: InboundEvent) -> bool:
        # Deliveries are asynchronous and unordered: the store's current state is the truth.
        return event.kind is not None and bool(event.remote_id)


__all__ = ["ChargeStatus", "WooCommerceAdapter", "key_marker"]
