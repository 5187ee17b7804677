"""The customer view model: frozen dataclasses the panel and the console render, and the context the
section builders share (which customers, which gateway identities, which connections, who is asking).

Built by `billing.selectors`; nothing here calls a gateway or reads a raw payload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import timezone

from chargeside.core import formatting as fmt
from chargeside.gateways.types import ChargeStatus as CS
from chargeside.gateways.types import DisputeStatus as DS
from chargeside.gateways.types import SubscriptionStatus as SS

PAID = (CS.SUCCEEDED, CS.PARTIALLY_REFUNDED, CS.REFUNDED)
REFUNDABLE = (CS.SUCCEEDED, CS.PARTIALLY_REFUNDED)
OPEN_DISPUTES = (DS.NEEDS_RESPONSE, DS.WARNING, DS.UNDER_REVIEW)
TROUBLED_SUBSCRIPTIONS = (SS.PAST_DUE, SS.UNPAID, SS.INCOMPLETE)
LIVE_SUBSCRIPTIONS = (SS.TRIALING, SS.ACTIVE, SS.PAST_DUE, SS.UNPAID, SS.PAUSED, SS.INCOMPLETE)
FAILED_RECENT_DAYS = 30  # a failed payment older than this is history, not an alert
DISPUTE_DUE_SOON_DAYS = 3
SECTIONS = ("charges", "refunds", "subscriptions", "invoices", "disputes", "payment_methods", "tax_ids", "recent_actions")


# --- the view model ------------------------------------------------------------------------------------

class _TemplateLookup:
    """`obj[name]` answers `obj.name`. Django templates try `obj[name]` before `obj.name`; without this the
    first try raises (and catches) a TypeError for every `{{ item.amount_display }}` of a panel page."""

    def __getitem__(self, name):
        if not isinstance(name, str):
            raise KeyError(name)
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True)
class Identity(_TemplateLookup):
    provider: str
    connection: str
    remote_id: str
    email: str
    name: str
    deleted: bool


@dataclass(frozen=True)
class Total(_TemplateLookup):
    currency: str
    paid: int
    refunded: int
    net: int
    paid_display: str
    refunded_display: str
    net_display: str
    count: int


@dataclass(frozen=True)
class Item(_TemplateLookup):
    """One row of a section. `actions` are the action names this member may run on it right now."""

    kind: str
    id: int
    provider: str
    remote_id: str
    status: str
    created_at: dt.datetime | None
    created_display: str
    actions: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)  # per kind, documented in each builder below

    def __getattr__(self, name):  # templates read item.amount_display rather than item.fields.amount_display
        fields = self.__dict__.get("fields") or {}
        if name in fields:
            return fields[name]
        raise AttributeError(name)


@dataclass(frozen=True)
class Section(_TemplateLookup):
    name: str
    items: tuple[Item, ...]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass(frozen=True)
class Alert(_TemplateLookup):
    kind: str  # dispute_due, dispute_open, failed_payment, past_due, open_invoice
    level: str  # danger, warning
    message: str


@dataclass(frozen=True)
class CustomerView(_TemplateLookup):
    customer_ids: tuple[int, ...]
    name: str
    names: tuple[str, ...]
    emails: tuple[str, ...]
    identities: tuple[Identity, ...]
    totals: tuple[Total, ...]
    alerts: tuple[Alert, ...]
    sections: dict  # name → Section; absent when the role may not see it
    language: str
    can_view_payment_methods: bool
    can_view_audit: bool

    def __getattr__(self, name):  # view.charges, view.payment_methods (None when hidden)
        if name in SECTIONS:
            return self.__dict__["sections"].get(name)
        raise AttributeError(name)


# --- context shared by the section builders ------------------------------------------------------------

@dataclass(frozen=True)
class ViewContext:
    workspace_id: int
    customer_ids: tuple[int, ...]
    gateway_customer_ids: tuple[int, ...]
    providers: dict  # connection id → (provider, capabilities, active)
    role: str | None
    member_id: int | None
    language: str
    now: dt.datetime
    only_id: int | None = None  # set by customer_item(): the one row wanted
    counts: dict | None = None  # section → rows it holds, when the view counted them up front
    identities: tuple = ()  # the identity rows the context was built from (view_queries.identity_rows)

    def scope(self, queryset):
        return queryset if self.only_id is None else queryset.filter(id=self.only_id)

    def money(self, amount: int, currency: str) -> str:
        return _money(amount or 0, currency, self.language) if currency else ""

    def date(self, value) -> str:
        if value is None:
            return ""
        return _date(value.date() if isinstance(value, dt.datetime) else value, self.language)


# Babel formatting costs more than the rest of an item; the same amounts and days come back all the time.
@lru_cache(maxsize=4096)
def _money(amount: int, currency: str, language: str) -> str:
    return fmt.money(amount, currency, language)


@lru_cache(maxsize=4096)
def _date(value: dt.date, language: str) -> str:
    return fmt.date(value, language)


def identity_rows(workspace_id: int, customer_ids) -> list[dict]:
    """The customers and each of their gateway identities with its connection (one LEFT JOIN), as
    dicts keyed like the ORM's values(): id, name, email, gateway_customers__id, ..."""
    from .view_queries import identity_rows as rows

    return rows(workspace_id, customer_ids)


@lru_cache(maxsize=64)
def provider_label(provider: str) -> str:
    """How a provider is named to people ("PayPal", "WooCommerce"), from its adapter; the key if none."""
    from chargeside.gateways.registry import adapter_class

    try:
        return adapter_class(provider).display_name
    except LookupError:
        return provider


def _capabilities(provider: str, settings: dict | None) -> frozenset:
    from chargeside.gateways.registry import adapter_class

    try:
        return frozenset(adapter_class(provider).capabilities_for(settings or {}))
    except LookupError:  # adapter uninstalled: show the data, offer no actions
        return frozenset()


def view_context(workspace_id, customer_ids, member, language, rows, only_id=None) -> ViewContext:
    from chargeside.connections.models import Connection

    providers = {}
    for row in rows:
        if (connection_id := row["gateway_customers__connection_id"]) and connection_id not in providers:
            provider = row["gateway_customers__connection__provider"]
            providers[connection_id] = (
                provider, _capabilities(provider, row.get("gateway_customers__connection__settings")),
                row["gateway_customers__connection__status"] == Connection.Status.ACTIVE,
            )
    active = member is not None and member.is_active and member.workspace_id == workspace_id
    return ViewContext(
        workspace_id=workspace_id,
        customer_ids=tuple(sorted({row["id"] for row in rows})),
        gateway_customer_ids=tuple(row["gateway_customers__id"] for row in rows if row["gateway_customers__id"]),
        providers=providers,
        role=member.role if active else None,
        member_id=member.pk if active else None,
        language=language,
        now=timezone.now(),
        only_id=only_id,
        identities=tuple(rows),
    )


