"""The GatewayAdapter interface: what every payment provider offers Chargeside.

One adapter instance per connection, built from the connection's plain settings and decrypted
credentials. Adapters are pure translators around the provider's official SDK: they never touch the
database. Persistence, locking, audit and state rules live once in `ingest/` and `actions/`.

Reads return DTOs (`gateways.types`). Writes take an `idempotency_key` that `actions/` derives from the
attempt row, so a retry of the same attempt can never move money twice. Methods for capabilities the
adapter does not declare raise `NotSupported`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from chargeside.core.money import Money

from .errors import NotSupported
from .types import (
    Capability,
    CardUpdateSession,
    ChargeDTO,
    ConnectionCheck,
    CustomerDTO,
    DTO,
    InboundEvent,
    InvoiceDTO,
    Page,
    ProrationPreview,
    RefundDTO,
    ResourceKind,
    SettingField,
    SubscriptionDTO,
    TaxIdDTO,
)


class GatewayAdapter(ABC):
    key: ClassVar[str]  # registry key, e.g. "stripe"
    display_name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    settings_spec: ClassVar[tuple[SettingField, ...]]
    # Whether ingest must fetch a refund's charge with it: True for gateways that send no event for the charge
    # when it is refunded (its refunded amount and status change all the same).
    refetch_charge_after_refund: ClassVar[bool] = False
    # Kinds that backfill pages through, in dependency order.
    backfill_kinds: ClassVar[tuple[ResourceKind, ...]] = tuple(ResourceKind)

    def __init__(self, *, settings: Mapping[str, str], credentials: Mapping[str, str]):
        self.settings = dict(settings)
        self.credentials = dict(credentials)

    @classmethod
    def capabilities_for(cls, settings: Mapping[str, str]) -> frozenset[Capability]:
        """What a connection with these settings can do, without building an adapter (no credentials are
        decrypted): the panel asks for every gateway account it shows. Most providers: the class's list."""
        return cls.capabilities

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def _unsupported(self, capability: Capability):
        raise NotSupported(self.display_name, capability.value)

    # --- health -------------------------------------------------------------------------------------
    @abstractmethod
    def test_connection(self) -> ConnectionCheck: ...

    # --- reads --------------------------------------------------------------------------------------
    @abstractmethod
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]: ...

    @abstractmethod
    def fetch(self, kind: ResourceKind, remote_id: str) -> DTO:
        """One object, fresh from the provider (used to re-fetch after a possibly stale webhook)."""

    @abstractmethod
    def list_page(self, kind: ResourceKind, cursor: str | None, *, page_size: int = 100) -> Page:
        """One page of every object of a kind, newest first or oldest first as the provider pages."""

    # --- writes (each takes our idempotency key) -----------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata: Mapping[str, str] | None = None) -> RefundDTO:
        self._unsupported(Capability.REFUND)

    def authorize(self, *, customer_remote_id: str, payment_method_remote_id: str, amount: Money, description: str, idempotency_key: str) -> ChargeDTO:
        self._unsupported(Capability.AUTHORIZE)

    def capture(self, *, charge: ChargeDTO, amount: Money | None, idempotency_key: str) -> ChargeDTO:
        self._unsupported(Capability.CAPTURE)

    def void(self, *, charge: ChargeDTO, idempotency_key: str) -> ChargeDTO:
        self._unsupported(Capability.VOID)

    def subscription_cancel(self, *, subscription_remote_id: str, at_period_end: bool, idempotency_key: str) -> SubscriptionDTO:
        self._unsupported(Capability.SUBSCRIPTION_CANCEL)

    def subscription_create(self, *, customer_remote_id: str, price_remote_id: str, idempotency_key: str, trial_days: int | None = None, coupon_remote_id: str = "", payment_method_remote_id: str = "") -> SubscriptionDTO:
        self._unsupported(Capability.SUBSCRIPTION_CREATE)

    def subscription_change_preview(self, *, subscription: SubscriptionDTO, price_remote_id: str, proration_date: dt.datetime) -> ProrationPreview:
        self._unsupported(Capability.SUBSCRIPTION_CHANGE)

    def subscription_change(self, *, subscription: SubscriptionDTO, price_remote_id: str, proration_date: dt.datetime, idempotency_key: str) -> SubscriptionDTO:
        self._unsupported(Capability.SUBSCRIPTION_CHANGE)

    def invoice_send(self, *, invoice_remote_id: str, idempotency_key: str) -> InvoiceDTO:
        self._unsupported(Capability.INVOICE_SEND)

    def coupon_apply(self, *, code: str, idempotency_key: str, customer_remote_id: str = "", subscription_remote_id: str = "") -> CustomerDTO | SubscriptionDTO:
        """Apply a coupon id or a promotion code to a customer or one subscription."""
        self._unsupported(Capability.COUPON_APPLY)

    def tax_id_add(self, *, customer_remote_id: str, type: str, value: str, idempotency_key: str) -> TaxIdDTO:
        self._unsupported(Capability.TAX_ID_ADD)

    def card_update_session(self, *, customer_remote_id: str, return_url: str, idempotency_key: str) -> CardUpdateSession:
        self._unsupported(Capability.CARD_UPDATE_SESSION)

    # --- providers that take no idempotency key -------------------------------------------------------
    def find_write(self, *, action: str, target_remote_id: str, idempotency_key: str) -> list[DTO] | None:
        """What an earlier call with this key already did at the provider, or None if it did nothing.

        Only for adapters without `Capability.IDEMPOTENCY_KEYS`: they stamp our key on what each write creates
        (a refund's order id, metadata, a note…) and find it here. run_action asks before it retries an attempt
        whose outcome is unknown (a timeout, a crash mid-call), so a retry never makes a second refund."""
        return None

    # --- inbound ------------------------------------------------------------------------------------
    @abstractmethod
    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
        """Raise core.signing.SignatureError unless the raw body is signed by the provider (and fresh)."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        """Turn a verified body into events. Raises ValueError on a malformed body. `headers` are the
        delivery's stored headers, for providers that put part of the event there (WooCommerce's topic)."""

    def summarize_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[tuple[str, str, bool]]:
        """(event id, type, whether ingest acts on it) for each event of a verified body: what the webhook
        endpoint records before it answers. Raises ValueError like parse_webhook. The objects are mapped later
        by the drain; an adapter whose parse_webhook is costly answers this without mapping them."""
        return [(event.event_id, event.type, event.kind is not None) for event in self.parse_webhook(body, headers)]

    def event_needs_refetch(self, event: InboundEvent) -> bool:
        """Whether the payload may be stale or partial, so ingest must fetch the object fresh."""
        return event.obj is None
