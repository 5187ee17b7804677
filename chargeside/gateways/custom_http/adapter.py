"""CustomHttpAdapter: a merchant's own billing system, speaking the contract in docs/custom-gateways.md.

No SDK: the contract is ours, so the client is httpx (client.py) with every request HMAC-signed
(signing.py). The contract makes the server honour `Idempotency-Key` on every write, so the adapter
declares IDEMPOTENCY_KEYS and run_action's retries simply resend the same key. The contract covers
customers, payments, refunds, subscriptions and invoices; refunds (full or partial) and subscription
cancellation (now or at the period's end) are the writes. Other kinds list as empty and fetch as NotFound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Any

from chargeside.core.money import Money
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import (
    GatewayError,
    InvalidRequest,
    NotFound,
    Unavailable,
)
from chargeside.gateways.types import (
    Capability,
    ChargeDTO,
    ConnectionCheck,
    CustomerDTO,
    InboundEvent,
    Page,
    RefundDTO,
    ResourceKind,
    SettingField,
    SubscriptionDTO,
)

from . import mapping, signing, webhooks
from .client import Client, path

K = ResourceKind
# kind → (collection under /v1/, mapper)
RESOURCES: dict[ResourceKind, tuple[str, Callable[[Any], Any]]] = {
    K.CUSTOMER: ("customers", mapping.customer),
    K.CHARGE: ("payments", mapping.payment),
    K.REFUND: ("refunds", mapping.refund),
    K.SUBSCRIPTION: ("subscriptions", mapping.subscription),
    K.INVOICE: ("invoices", mapping.invoice),
}
MAX_PAGE_SIZE = 100  # the contract's largest `limit`
MAX_LOOKUP_PAGES = 20  # a lookup by email that pages on for ever is a server bug, not a customer


def mapped(mapper: Callable[[Any], Any], obj: Any):
    """Map one object; a contract violation becomes a typed, retryable error (the server can be fixed and
    a write retried with the same key replays its answer)."""
    try:
        return mapper(obj)
    except mapping.ContractError as exc:
        raise Unavailable(f"The billing server's answer does not follow the custom gateway contract: {exc}",
                          code="contract_violation") from None


def page_of(answer: dict) -> tuple[list, str | None]:
    data, cursor = answer.get("data"), answer.get("next_cursor")
    if not isinstance(data, list) or not (cursor is None or (isinstance(cursor, str) and cursor)):
        raise Unavailable("The billing server's list does not follow the contract ({\"data\": [...], \"next_cursor\": string or null}).",
                          code="contract_violation")
    return data, cursor


class CustomHttpAdapter(GatewayAdapter):
    key = "custom_http"
    display_name = "Custom billing system"
    capabilities = frozenset({
        Capability.REFUND, Capability.PARTIAL_REFUND, Capability.SUBSCRIPTION_CANCEL,
        Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END, Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS,
        Capability.IDEMPOTENCY_KEYS,
    })
    backfill_kinds = (K.CUSTOMER, K.CHARGE, K.REFUND, K.SUBSCRIPTION, K.INVOICE)
    fetch_concurrency = 4  # httpx.Client is thread-safe and pools its connections
    settings_spec = (
        SettingField("base_url", "Base URL", kind="url",
                     help="Where your server implements the contract, e.g. https://billing.example.com/chargeside (https; "
                          "plain http only to localhost)."),
        SettingField("secret", "Shared secret", secret=True,
                     help="Signs our requests to your server and your webhooks to us (HMAC-SHA256). At least 32 random characters."),
        SettingField("previous_secret", "Previous shared secret", secret=True, required=False,
                     help="Only while rotating: requests are signed with both, webhooks signed with either are accepted."),
    )

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.credentials.get("secret", ""), self.credentials.get("previous_secret", "")) if s]

    @cached_property
    def client(self) -> Client:
        return Client(base_url=self.settings.get("base_url", ""), secrets=self.secrets)

    # --- health -------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        try:
            account = self.client.get(path("account"))
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        name = account.get("name") if isinstance(account.get("name"), str) else ""
        return ConnectionCheck(ok=True, message=f"Connected to {name or 'the billing server'}.", account_name=name)

    # --- reads --------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        if not email.strip():
            return []  # an empty filter would list every customer
        return [mapped(mapping.customer, obj) for obj in self._every(path("customers"), {"email": email.strip()})]

    def _every(self, url: str, params: dict) -> Iterator[dict]:
        cursor = None
        for _ in range(MAX_LOOKUP_PAGES):
            data, cursor = page_of(self.client.get(url, {**params, "limit": MAX_PAGE_SIZE, "cursor": cursor}))
            yield from data
            if cursor is None:
                return

    def fetch(self, kind: ResourceKind, remote_id: str):
        collection, mapper = self._resource(kind)
        if not remote_id:
            raise NotFound(f"No {collection} id was given.", code="not_found")
        return mapped(mapper, self.client.get(path(collection, remote_id)))

    def list_page(self, kind: ResourceKind, cursor: str | None, *, page_size: int = 100) -> Page:
        if K(kind) not in RESOURCES:
            return Page([], None)  # not part of the contract: nothing to sync
        collection, mapper = RESOURCES[K(kind)]
        limit = max(1, min(page_size, MAX_PAGE_SIZE))
        data, next_cursor = page_of(self.client.get(path(collection), {"limit": limit, "cursor": cursor}))
        return Page([mapped(mapper, obj) for obj in data], next_cursor)

    def _resource(self, kind: ResourceKind) -> tuple[str, Callable[[Any], Any]]:
        try:
            return RESOURCES[K(kind)]
        except (KeyError, ValueError):
            raise NotFound(f"The custom gateway contract has no {kind} objects.", code="not_in_contract") from None

    # --- writes -------------------------------------------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        if amount.currency != charge.currency:
            raise InvalidRequest(f"The amount is in {amount.currency} but the payment is in {charge.currency}.", code="currency_mismatch")
        payload = {"amount": amount.amount, "currency": amount.currency, "reason": (reason or "")[:500],
                   "metadata": {str(k): str(v)[:500] for k, v in (metadata or {}).items()}}
        answer = self.client.post(path("payments", charge.remote_id, "refunds"), payload, idempotency_key=idempotency_key)
        return mapped(mapping.refund, answer)

    def subscription_cancel(self, *, subscription_remote_id: str, at_period_end: bool, idempotency_key: str) -> SubscriptionDTO:
        answer = self.client.post(path("subscriptions", subscription_remote_id, "cancel"), {"at_period_end": bool(at_period_end)},
                                  idempotency_key=idempotency_key)
        return mapped(mapping.subscription, answer)

    # --- inbound ------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        signing.verify_webhook(headers, body, self.secrets, now=now)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return webhooks.parse(body)
