"""BraintreeAdapter: the GatewayAdapter for Braintree (braintree 4.48.0, the XML gateway API).

Reads page through Braintree's advanced search: `advanced_search_ids` returns every matching id, then the
objects are fetched by ids. A cursor is "<created_at upper bound>|<offset>": the bound is pinned on the first
page, so objects created during a backfill do not shift the pages (the next backfill or a webhook brings
them). Payment methods and subscriptions are read from customer pages (a customer lists its cards, each
card its subscriptions), which is also the only place a subscription's customer is named.

Writes: Braintree takes no idempotency key, so ours is stamped on what a write creates and looked up again:
a refund's and a sale's `order_id` is the key (find_write and refund/authorize themselves search for it
first, so a retry returns the first write instead of making another); a created subscription's id is derived
from the key (Braintree lets the merchant choose it, and refuses a taken id with 81902). Capture, void and
cancel change one object's state, so a retry finds that state instead. Braintree refunds only settled (or
settling) sales: an unsettled one is refused with its own error (91506), worded for the agent ("void it
instead"); nothing is silently turned into a void. Cancelling is immediate only (no cancel-at-period-end).
Discounts (coupons) are applied to subscriptions, the only thing Braintree discounts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import cached_property

import braintree

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
    SubscriptionStatus,
)
from chargeside.gateways.types import ResourceKind as K

from . import mapping, webhooks
from .client import DEFAULT_BASE_URL, build_gateway, result_of, translated_errors

SEARCH_BATCH = 50  # ids per advanced_search request (Braintree's page size)
LIVE = frozenset({"Active", "Past Due", "Pending"})
CAPTURED_STATES = frozenset({ChargeStatus.SUCCEEDED, ChargeStatus.PARTIALLY_REFUNDED, ChargeStatus.REFUNDED})


def _key_id(key: str) -> str:
    # Subscription ids: letters, digits, - and _; short enough for Braintree's limit.
    return "cs_" + hashlib.sha256(key.encode()).hexdigest()[:29]


class BraintreeAdapter(GatewayAdapter):
    key = "braintree"
    display_name = "Braintree"
    capabilities = frozenset({
        Capability.REFUND, Capability.PARTIAL_REFUND, Capability.AUTHORIZE, Capability.CAPTURE, Capability.PARTIAL_CAPTURE,
        Capability.VOID, Capability.SUBSCRIPTION_CANCEL, Capability.SUBSCRIPTION_CREATE, Capability.COUPON_APPLY,
        Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS,
    })
    backfill_kinds = (K.PRODUCT, K.PRICE, K.COUPON, K.CUSTOMER, K.PAYMENT_METHOD, K.CHARGE, K.REFUND, K.SUBSCRIPTION, K.DISPUTE)
    settings_spec = (
        SettingField("base_url", "API base URL", required=False, default=DEFAULT_BASE_URL, kind="url",
                     help="https://api.braintreegateway.com (production) or https://api.sandbox.braintreegateway.com (sandbox)."),
        SettingField("merchant_id", "Merchant ID"),
        SettingField("merchant_accounts", "Merchant account per currency", required=False,
                     help="e.g. EUR:acme_eur,USD:acme_usd. Payments in other currencies use the default merchant account."),
        SettingField("default_currency", "Default merchant account currency", required=False, default="USD"),
        SettingField("public_key", "Public key", secret=True),
        SettingField("private_key", "Private key", secret=True, help="Also verifies webhook signatures."),
    )

    # --- plumbing -----------------------------------------------------------------------------------
    @cached_property
    def gateway(self) -> braintree.BraintreeGateway:
        return build_gateway(base_url=self.settings.get("base_url") or DEFAULT_BASE_URL, merchant_id=self.settings.get("merchant_id", ""),
                             public_key=self.credentials.get("public_key", ""), private_key=self.credentials.get("private_key", ""))

    @cached_property
    def _plans(self) -> dict:
        with translated_errors():
            return {plan.id: plan for plan in self.gateway.plan.all()}

    def _accounts(self) -> dict[str, str]:
        pairs = (part.split(":", 1) for part in (self.settings.get("merchant_accounts") or "").split(",") if ":" in part)
        return {currency.strip().upper(): account.strip() for currency, account in pairs}

    def _default_currency(self) -> str:
        return (self.settings.get("default_currency") or "USD").upper()

    def _account_for(self, currency: str) -> str | None:
        account = self._accounts().get(currency)
        if account is None and currency != self._default_currency():
            raise InvalidRequest(f"No Braintree merchant account is configured for {currency} (settings: merchant accounts).",
                                 code="no_merchant_account")
        return account

    # --- health -------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        try:
            with translated_errors():
                self.gateway.plan.all()  # any authenticated read proves the keys, the merchant id and the URL
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        merchant = self.settings.get("merchant_id", "")
        return ConnectionCheck(ok=True, message=f"Connected to Braintree merchant {merchant}.", account_name=merchant)

    # --- reads --------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        if not email.strip():
            return []
        with translated_errors():
            found = self.gateway.customer.search(braintree.CustomerSearch.email == email.strip())
            return [mapping.customer(c) for c in found.items]

    def fetch(self, kind: K, remote_id: str):
        kind = K(kind)
        if not remote_id:
            raise NotFound(f"No Braintree {kind} id was given.", code="not_found")
        with translated_errors():
            if kind == K.CUSTOMER:
                return mapping.customer(self.gateway.customer.find(remote_id))
            if kind == K.PAYMENT_METHOD:
                return mapping.payment_method(self.gateway.payment_method.find(remote_id))
            if kind in (K.CHARGE, K.REFUND):
                tx = self.gateway.transaction.find(remote_id)
                if tx.type == "credit":
                    return mapping.refund(tx)
                return mapping.charge(tx, self._transactions(list(getattr(tx, "refund_ids", None) or [])))
            if kind == K.SUBSCRIPTION:
                sub = self.gateway.subscription.find(remote_id)
                owner = self.gateway.payment_method.find(sub.payment_method_token).customer_id
                return mapping.subscription(sub, owner, self._plans.get(sub.plan_id))
            if kind == K.DISPUTE:
                return mapping.dispute(self.gateway.dispute.find(remote_id))
            if kind in (K.PRODUCT, K.PRICE):
                plan = self.gateway.plan.find(remote_id)
                return mapping.product(plan) if kind == K.PRODUCT else mapping.price(plan)
            if kind == K.COUPON:
                discount = next((d for d in self.gateway.discount.all() if d.id == remote_id), None)
                if discount is None:
                    raise NotFound(f"Braintree has no discount '{remote_id}'.", code="not_found")
                return mapping.coupon(discount, self._default_currency())
        raise NotFound(f"Braintree has no {kind} objects.", code="not_supported")

    def _transactions(self, ids: list[str]) -> list:
        """Transactions by id, a search batch at a time (used for the refunds of a page of sales)."""
        found = []
        for start in range(0, len(ids), SEARCH_BATCH):
            found += list(self.gateway.transaction.search(braintree.TransactionSearch.ids.in_list(ids[start:start + SEARCH_BATCH])).items)
        return found

    def list_page(self, kind: K, cursor: str | None, *, page_size: int = 100) -> Page:
        kind = K(kind)
        with translated_errors():
            if kind in (K.PRODUCT, K.PRICE):
                mapper = mapping.product if kind == K.PRODUCT else mapping.price
                return Page([mapper(plan) for plan in self._plans.values()], None)
            if kind == K.COUPON:
                return Page([mapping.coupon(d, self._default_currency()) for d in self.gateway.discount.all()], None)
            if kind in (K.CUSTOMER, K.PAYMENT_METHOD, K.SUBSCRIPTION):
                customers, next_cursor = self._page(self.gateway.customer, braintree.CustomerSearch, [], cursor, page_size)
                return Page(self._from_customers(kind, customers), next_cursor)
            if kind in (K.CHARGE, K.REFUND):
                wanted = [braintree.TransactionSearch.type.in_list(["sale" if kind == K.CHARGE else "credit"])]
                txs, next_cursor = self._page(self.gateway.transaction, braintree.TransactionSearch, wanted, cursor, page_size)
                if kind == K.REFUND:
                    return Page([mapping.refund(tx) for tx in txs], next_cursor)
                refunds = {r.id: r for r in self._transactions([i for tx in txs for i in (getattr(tx, "refund_ids", None) or [])])}
                return Page([mapping.charge(tx, [refunds[i] for i in (tx.refund_ids or []) if i in refunds]) for tx in txs], next_cursor)
            if kind == K.DISPUTE:
                return self._disputes_page(cursor, page_size)
        raise InvalidRequest(f"Braintree has no {kind} objects to list.", code="not_supported")

    def _page(self, service, search, criteria: list, cursor: str | None, page_size: int) -> tuple[list, str | None]:
        bound, offset = self._cursor(cursor)
        ids = service.search(*criteria, search.created_at <= bound).ids
        chunk = ids[offset:offset + max(1, min(page_size, 100))]
        objects = []
        for start in range(0, len(chunk), SEARCH_BATCH):
            batch = chunk[start:start + SEARCH_BATCH]
            by_id = {o.id: o for o in service.search(search.ids.in_list(batch)).items}
            objects += [by_id[i] for i in batch if i in by_id]  # Braintree's order (newest first), not the fetch's
        end = offset + len(chunk)
        return objects, (f"{bound.strftime('%Y-%m-%dT%H:%M:%SZ')}|{end}" if end < len(ids) else None)

    @staticmethod
    def _cursor(cursor: str | None) -> tuple[dt.datetime, int]:
        if not cursor:
            return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None) + dt.timedelta(minutes=1), 0
        try:
            stamp, _, offset = cursor.partition("|")
            return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"), int(offset)
        except ValueError:
            raise InvalidRequest(f"'{cursor}' is not a Braintree backfill cursor.", code="bad_cursor") from None

    def _from_customers(self, kind: K, customers: list) -> list:
        if kind == K.CUSTOMER:
            return [mapping.customer(c) for c in customers]
        cards = [(c.id, card) for c in customers for card in (getattr(c, "credit_cards", None) or [])]
        if kind == K.PAYMENT_METHOD:
            return [mapping.payment_method(card, owner) for owner, card in cards]
        return [mapping.subscription(sub, owner, self._plans.get(sub.plan_id))
                for owner, card in cards for sub in (getattr(card, "subscriptions", None) or [])]

    def _disputes_page(self, cursor: str | None, page_size: int) -> Page:
        # Dispute search pages by page number only, and the SDK walks pages itself: skip to the offset.
        offset = int(cursor or 0)
        result = self.gateway.dispute.search(braintree.DisputeSearch.status.in_list(list(mapping.statuses.DISPUTE_STATUS)))
        items, seen = [], 0
        for dispute in result.disputes.items:
            seen += 1
            if seen <= offset:
                continue
            items.append(mapping.dispute(dispute))
            if len(items) >= page_size:
                return Page(items, str(seen))
        return Page(items, None)

    # --- writes -------------------------------------------------------------------------------------
    def _with_order_id(self, key: str, type_: str) -> list:
        search = braintree.TransactionSearch
        return list(self.gateway.transaction.search(search.order_id == key, search.type.in_list([type_])).items)

    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        if amount.currency != charge.currency:
            raise InvalidRequest(f"The amount is in {amount.currency} but the payment is in {charge.currency}.", code="currency_mismatch")
        with translated_errors():
            earlier = [r for r in self._with_order_id(idempotency_key, "credit") if r.refunded_transaction_id == charge.remote_id]
            if earlier:  # this key already refunded (an answer lost on the way): the same refund, not a second one
                return mapping.refund(earlier[0])
            params = {"amount": str(to_major(amount.amount, amount.currency)), "order_id": idempotency_key}
            return mapping.refund(result_of(self.gateway.transaction.refund(charge.remote_id, params), "transaction"))

    def authorize(self, *, customer_remote_id, payment_method_remote_id, amount: Money, description, idempotency_key) -> ChargeDTO:
        account = self._account_for(amount.currency)
        with translated_errors():
            earlier = self._with_order_id(idempotency_key, "sale")
            if earlier:
                return mapping.charge(earlier[0])
            params = {"amount": str(to_major(amount.amount, amount.currency)), "payment_method_token": payment_method_remote_id,
                      "customer_id": customer_remote_id, "order_id": idempotency_key, "options": {"submit_for_settlement": False}}
            if account:
                params["merchant_account_id"] = account
            tx = result_of(self.gateway.transaction.sale(params), "transaction")
        if tx.currency_iso_code != amount.currency:
            raise InvalidRequest(f"Braintree authorised in {tx.currency_iso_code}, not {amount.currency}: check the merchant accounts setting.",
                                 code="currency_mismatch")
        return mapping.charge(tx)

    def capture(self, *, charge: ChargeDTO, amount: Money | None, idempotency_key: str) -> ChargeDTO:
        value = None
        if amount is not None:
            if amount.currency != charge.currency:
                raise InvalidRequest(f"The amount is in {amount.currency} but the payment is in {charge.currency}.", code="currency_mismatch")
            value = str(to_major(amount.amount, amount.currency))
        return self._state_change(charge.remote_id, lambda: self.gateway.transaction.submit_for_settlement(charge.remote_id, value),
                                  done=mapping.CAPTURED, refused="91507")

    def void(self, *, charge: ChargeDTO, idempotency_key: str) -> ChargeDTO:
        return self._state_change(charge.remote_id, lambda: self.gateway.transaction.void(charge.remote_id),
                                  done={"voided"}, refused="91504")

    def _state_change(self, remote_id: str, call, *, done, refused: str) -> ChargeDTO:
        with translated_errors():
            try:
                result_of(call(), "transaction")
            except InvalidRequest as exc:
                # A retry after a lost answer: the first call already moved the transaction; report its state.
                if exc.code != refused or self.gateway.transaction.find(remote_id).status not in done:
                    raise
        return self.fetch(K.CHARGE, remote_id)

    def subscription_cancel(self, *, subscription_remote_id, at_period_end, idempotency_key) -> SubscriptionDTO:
        if at_period_end:
            raise InvalidRequest("Braintree cancels subscriptions immediately only.", code="not_supported")
        with translated_errors():
            try:
                result_of(self.gateway.subscription.cancel(subscription_remote_id), "subscription")
            except InvalidRequest as exc:
                if exc.code != "81905":  # already canceled: a retry of ours, or canceled elsewhere; either way done
                    raise
        return self.fetch(K.SUBSCRIPTION, subscription_remote_id)

    def subscription_create(self, *, customer_remote_id, price_remote_id, idempotency_key, trial_days=None, coupon_remote_id="",
                            payment_method_remote_id="") -> SubscriptionDTO:
        sid = _key_id(idempotency_key)
        with translated_errors():
            token = payment_method_remote_id or self._default_card(customer_remote_id)
            params = {"id": sid, "plan_id": price_remote_id, "payment_method_token": token}
            if trial_days:
                params.update(trial_period=True, trial_duration=int(trial_days), trial_duration_unit="day")
            if coupon_remote_id:
                params["discounts"] = {"add": [{"inherited_from_id": coupon_remote_id}]}
            try:
                result_of(self.gateway.subscription.create(params), "subscription")
            except InvalidRequest as exc:
                if exc.code != "81902":  # the id (our key) is taken: the first attempt created it
                    raise
        return self.fetch(K.SUBSCRIPTION, sid)

    def _default_card(self, customer_remote_id: str) -> str:
        cards = getattr(self.gateway.customer.find(customer_remote_id), "credit_cards", None) or []
        default = next((c.token for c in cards if getattr(c, "default", False)), None) or (cards[0].token if cards else None)
        if default is None:
            raise InvalidRequest("This customer has no saved card at Braintree to bill the subscription to.", code="no_payment_method")
        return default

    def coupon_apply(self, *, code: str, idempotency_key: str, customer_remote_id: str = "", subscription_remote_id: str = ""):
        code = code.strip()
        with translated_errors():
            target = subscription_remote_id or self._only_live_subscription(customer_remote_id)
            current = self.gateway.subscription.find(target)
            if any(d.id == code for d in (current.discounts or [])):
                return self.fetch(K.SUBSCRIPTION, target)  # already on it (a retry): nothing to do
            result_of(self.gateway.subscription.update(target, {"discounts": {"add": [{"inherited_from_id": code}]}}), "subscription")
        return self.fetch(K.SUBSCRIPTION, target)

    def _only_live_subscription(self, customer_remote_id: str) -> str:
        if not customer_remote_id:
            raise InvalidRequest("Choose a customer or a subscription to apply the discount to.", code="parameter_missing")
        cards = getattr(self.gateway.customer.find(customer_remote_id), "credit_cards", None) or []
        live = [s.id for c in cards for s in (getattr(c, "subscriptions", None) or []) if s.status in LIVE]
        if len(live) != 1:
            raise InvalidRequest("Braintree applies discounts to subscriptions. " + (
                "This customer has no active subscription." if not live else "This customer has several subscriptions; choose one."),
                code="subscription_required")
        return live[0]

    def find_write(self, *, action: str, target_remote_id: str, idempotency_key: str):
        with translated_errors():
            if action == "refund":
                found = [r for r in self._with_order_id(idempotency_key, "credit") if r.refunded_transaction_id == target_remote_id]
                return [mapping.refund(found[0]), self.fetch(K.CHARGE, target_remote_id)] if found else None
            if action == "authorize":
                found = self._with_order_id(idempotency_key, "sale")
                return [mapping.charge(found[0])] if found else None
            if action in ("capture", "void"):
                charge = self.fetch(K.CHARGE, target_remote_id)
                moved = {ChargeStatus.VOIDED} if action == "void" else CAPTURED_STATES
                return [charge] if charge.status in moved else None
            if action == "subscription_cancel":
                sub = self.fetch(K.SUBSCRIPTION, target_remote_id)
                return [sub] if sub.status == SubscriptionStatus.CANCELED else None
            if action == "subscription_create":
                try:
                    return [self.fetch(K.SUBSCRIPTION, _key_id(idempotency_key))]
                except NotFound:
                    return None
        return None  # coupon_apply leaves no mark of its key; coupon_apply itself skips a discount already applied

    # --- inbound ------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        webhooks.verify(self._webhook_gateway, body, now=now)

    @cached_property
    def _webhook_gateway(self) -> braintree.BraintreeGateway:
        # Verification needs only the keys; built apart so a bad base URL setting cannot stop webhooks.
        return build_gateway(base_url=DEFAULT_BASE_URL, merchant_id=self.settings.get("merchant_id") or "-",
                             public_key=self.credentials.get("public_key", ""), private_key=self.credentials.get("private_key", ""))

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return webhooks.parse(body)

    def event_needs_refetch(self, event: InboundEvent) -> bool:
        # Notifications are snapshots that Braintree retries for a day: the object as fetched now is the truth.
        return event.kind is not None and bool(event.remote_id)
