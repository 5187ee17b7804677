"""Provider-neutral data that adapters return: DTOs, statuses, capabilities, events.

Adapters translate provider JSON/XML into these and nothing else crosses the adapter boundary. Money is
always integer minor units plus an upper-case ISO 4217 code. Timestamps are aware UTC datetimes. Every DTO
keeps `raw`, the provider's payload as received, which the billing tables store verbatim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Capability(StrEnum):
    REFUND = "refund"
    PARTIAL_REFUND = "partial_refund"
    AUTHORIZE = "authorize"  # charge a saved method with manual capture
    CAPTURE = "capture"
    PARTIAL_CAPTURE = "partial_capture"
    VOID = "void"
    SUBSCRIPTION_CANCEL = "subscription_cancel"
    SUBSCRIPTION_CANCEL_AT_PERIOD_END = "subscription_cancel_at_period_end"
    SUBSCRIPTION_CREATE = "subscription_create"
    SUBSCRIPTION_CHANGE = "subscription_change"  # change plan with a proration preview
    INVOICE_SEND = "invoice_send"
    COUPON_APPLY = "coupon_apply"
    TAX_ID_ADD = "tax_id_add"
    CARD_UPDATE_SESSION = "card_update_session"
    CUSTOMER_SEARCH_EMAIL = "customer_search_email"
    WEBHOOKS = "webhooks"
    IDEMPOTENCY_KEYS = "idempotency_keys"  # the provider de-duplicates writes by a key we send


class ResourceKind(StrEnum):
    # Order matters: backfill walks kinds in this order so that parents exist before children.
    PRODUCT = "product"
    PRICE = "price"
    COUPON = "coupon"
    PROMOTION_CODE = "promotion_code"
    CUSTOMER = "customer"
    PAYMENT_METHOD = "payment_method"
    TAX_ID = "tax_id"
    CHARGE = "charge"
    REFUND = "refund"
    SUBSCRIPTION = "subscription"
    INVOICE = "invoice"
    DISPUTE = "dispute"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"  # held, not yet captured
    SUCCEEDED = "succeeded"  # captured (fully or partly)
    FAILED = "failed"
    VOIDED = "voided"  # authorisation released
    REFUNDED = "refunded"  # fully refunded
    PARTIALLY_REFUNDED = "partially_refunded"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class SubscriptionStatus(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    INCOMPLETE = "incomplete"
    CANCELED = "canceled"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class DisputeStatus(StrEnum):
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"
    WARNING = "warning"  # inquiries / early warnings that are not yet chargebacks
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class CustomerDTO:
    remote_id: str
    email: str = ""
    name: str = ""
    phone: str = ""
    locale: str = ""  # provider's preferred_locales[0] or similar, "" when unknown
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: dt.datetime | None = None
    deleted: bool = False
    default_payment_method_remote_id: str = ""
    coupon_remote_id: str = ""  # customer-level discount
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class PaymentMethodDTO:
    remote_id: str
    customer_remote_id: str
    type: str = "card"
    brand: str = ""
    last4: str = ""
    exp_month: int | None = None
    exp_year: int | None = None
    wallet: str = ""  # apple_pay, google_pay, paypal...
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ChargeDTO:
    remote_id: str
    customer_remote_id: str
    amount: int
    currency: str
    status: ChargeStatus
    amount_captured: int = 0
    amount_refunded: int = 0
    # The provider object that owns the charge and that captures/refunds target (Stripe PaymentIntent,
    # PayPal order/authorisation); "" when the charge is its own target.
    intent_remote_id: str = ""
    payment_method_remote_id: str = ""
    invoice_remote_id: str = ""
    description: str = ""
    failure_code: str = ""
    failure_message: str = ""
    receipt_url: str = ""
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class RefundDTO:
    remote_id: str
    charge_remote_id: str
    amount: int
    currency: str
    status: RefundStatus
    reason: str = ""
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class SubscriptionDTO:
    remote_id: str
    customer_remote_id: str
    status: SubscriptionStatus
    price_remote_id: str = ""
    plan_name: str = ""
    amount: int = 0  # per interval, before discounts, times quantity
    currency: str = ""
    interval: str = ""  # day, week, month, year
    interval_count: int = 1
    quantity: int = 1
    current_period_start: dt.datetime | None = None
    current_period_end: dt.datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: dt.datetime | None = None
    trial_end: dt.datetime | None = None
    coupon_remote_ids: tuple[str, ...] = ()
    item_remote_id: str = ""  # the line to change when switching plans (Stripe subscription item)
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class InvoiceLineDTO:
    description: str
    amount: int
    currency: str
    quantity: int = 1
    price_remote_id: str = ""
    proration: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceDTO:
    remote_id: str
    customer_remote_id: str
    status: InvoiceStatus
    currency: str
    total: int
    amount_due: int = 0
    amount_paid: int = 0
    amount_remaining: int = 0
    tax: int = 0
    number: str = ""
    subscription_remote_id: str = ""
    charge_remote_id: str = ""
    intent_remote_id: str = ""  # the PaymentIntent that paid it, when the gateway names no charge (Stripe basil)
    hosted_url: str = ""
    pdf_url: str = ""
    due_at: dt.datetime | None = None
    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    created_at: dt.datetime | None = None
    lines: tuple[InvoiceLineDTO, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class DisputeDTO:
    remote_id: str
    charge_remote_id: str
    amount: int
    currency: str
    status: DisputeStatus
    reason: str = ""
    evidence_due_by: dt.datetime | None = None
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class CouponDTO:
    remote_id: str
    name: str = ""
    percent_off_bp: int | None = None  # basis points: 12.5 % → 1250
    amount_off: int | None = None
    currency: str = ""
    duration: str = ""  # once, repeating, forever
    duration_in_months: int | None = None
    valid: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class PromotionCodeDTO:
    remote_id: str
    code: str
    coupon_remote_id: str
    active: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class TaxIdDTO:
    remote_id: str
    customer_remote_id: str
    type: str  # provider's type key, e.g. eu_vat, tr_tin, gb_vat
    value: str
    country: str = ""
    verification_status: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ProductDTO:
    remote_id: str
    name: str
    active: bool = True
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class PriceDTO:
    remote_id: str
    product_remote_id: str
    currency: str
    unit_amount: int
    interval: str = ""  # "" for one-time prices
    interval_count: int = 1
    nickname: str = ""
    active: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


DTO = (
    CustomerDTO | PaymentMethodDTO | ChargeDTO | RefundDTO | SubscriptionDTO | InvoiceDTO | DisputeDTO
    | CouponDTO | PromotionCodeDTO | TaxIdDTO | ProductDTO | PriceDTO
)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[DTO]
    next_cursor: str | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One provider event, as parsed from a verified webhook body."""

    event_id: str
    type: str  # the provider's own name, e.g. "charge.refunded"
    kind: ResourceKind | None  # None: an event type we store but do not act on
    remote_id: str = ""
    occurred_at: dt.datetime | None = None
    deleted: bool = False
    # The object as the event carried it. Ingest may trust it or re-fetch (adapter.event_needs_refetch).
    obj: DTO | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ProrationPreview:
    currency: str
    amount_due: int  # what the next invoice will charge, after proration
    proration_amount: int  # the part of it that is the proration (negative = credit)
    next_payment_at: dt.datetime | None
    lines: tuple[InvoiceLineDTO, ...] = ()


@dataclass(frozen=True, slots=True)
class CardUpdateSession:
    url: str
    expires_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    message: str
    account_name: str = ""


@dataclass(frozen=True, slots=True)
class SettingField:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    default: str = ""
    help: str = ""
    kind: str = "text"  # text, url, choice
    choices: tuple[str, ...] = ()
