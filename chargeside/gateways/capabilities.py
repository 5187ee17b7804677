"""Which provider can do what: the capability matrix, built from what each registered adapter declares.

The single source the CLI (`chargeside gateways`), the panel, the console and the API use: an action is
offered and accepted for a connection only if its adapter's `capabilities` hold the action's capability
(`billing/view_model.py` reads the same class attribute for the panel and console; `actions/runner.py`
asks `adapter.supports()`, which reads it too). Nothing here is configured separately.

Labels and descriptions are lazy translations: they are rendered in the language active where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .registry import adapters
from .types import Capability

# Short labels (column headers, checklists) and one-line meanings, for every capability in the enum.
LABELS: dict[Capability, str] = {
    Capability.REFUND: _("Refund"),
    Capability.PARTIAL_REFUND: _("Partial refund"),
    Capability.AUTHORIZE: _("Authorise (hold)"),
    Capability.CAPTURE: _("Capture"),
    Capability.PARTIAL_CAPTURE: _("Partial capture"),
    Capability.VOID: _("Void"),
    Capability.SUBSCRIPTION_CANCEL: _("Cancel subscription"),
    Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END: _("Cancel at period end"),
    Capability.SUBSCRIPTION_CREATE: _("Start subscription"),
    Capability.SUBSCRIPTION_CHANGE: _("Change plan"),
    Capability.INVOICE_SEND: _("Send invoice"),
    Capability.COUPON_APPLY: _("Apply coupon"),
    Capability.TAX_ID_ADD: _("Add tax id"),
    Capability.CARD_UPDATE_SESSION: _("Card update link"),
    Capability.CUSTOMER_SEARCH_EMAIL: _("Search by email"),
    Capability.WEBHOOKS: _("Signed webhooks"),
    Capability.IDEMPOTENCY_KEYS: _("Idempotency keys"),
}
DESCRIPTIONS: dict[Capability, str] = {
    Capability.REFUND: _("Refund a captured payment in full."),
    Capability.PARTIAL_REFUND: _("Refund part of a payment, several times up to what remains."),
    Capability.AUTHORIZE: _("Hold an amount on a customer's saved payment method, to capture later."),
    Capability.CAPTURE: _("Capture a held (authorised) payment."),
    Capability.PARTIAL_CAPTURE: _("Capture less than was held; the rest is released."),
    Capability.VOID: _("Release a held payment without capturing it."),
    Capability.SUBSCRIPTION_CANCEL: _("Cancel a subscription now."),
    Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END: _("Cancel a subscription when its paid period ends."),
    Capability.SUBSCRIPTION_CREATE: _("Start a subscription on a plan for a customer."),
    Capability.SUBSCRIPTION_CHANGE: _("Move a subscription to another plan, with a proration preview."),
    Capability.INVOICE_SEND: _("Email an open invoice to the customer."),
    Capability.COUPON_APPLY: _("Apply a coupon or promotion code to a customer or subscription."),
    Capability.TAX_ID_ADD: _("Add a tax id (VAT number…) to a customer."),
    Capability.CARD_UPDATE_SESSION: _("A link to the gateway's hosted page where the customer updates their card."),
    Capability.CUSTOMER_SEARCH_EMAIL: _("The gateway can look customers up by email."),
    Capability.WEBHOOKS: _("The gateway sends signed notifications that keep the local data fresh."),
    Capability.IDEMPOTENCY_KEYS: _("The gateway de-duplicates writes by a key we send; without it, a retry first "
                                   "looks for what an earlier try already did."),
}
ORDER: tuple[Capability, ...] = tuple(Capability)  # columns in the enum's order


@dataclass(frozen=True)
class ProviderRow:
    key: str  # registry key
    display_name: str
    capabilities: frozenset[Capability]

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True)
class Matrix:
    capabilities: tuple[Capability, ...]
    providers: tuple[ProviderRow, ...]

    def as_json(self) -> dict:
        """Plain data for `chargeside gateways --json` and other machines (labels in the active language)."""
        return {
            "capabilities": [{"key": str(c), "label": str(LABELS[c]), "description": str(DESCRIPTIONS[c])} for c in self.capabilities],
            "providers": [
                {"key": row.key, "display_name": row.display_name,
                 "capabilities": [str(c) for c in self.capabilities if row.supports(c)]}
                for row in self.providers
            ],
        }


def declared(provider: str) -> frozenset[Capability]:
    """What the adapter registered as `provider` declares. LookupError if none is registered."""
    from .registry import adapter_class

    return frozenset(adapter_class(provider).capabilities)


def label(capability: Capability | str) -> str:
    return str(LABELS[Capability(capability)])


def _known(values) -> frozenset[Capability]:
    # A third-party adapter may declare a capability this version does not know; it has no column to go in.
    known = {c.value for c in Capability}
    return frozenset(Capability(value) for value in values if str(value) in known)


def matrix() -> Matrix:
    """Every registered provider (built-ins first, in registry order, then entry points) × every capability."""
    rows = tuple(
        ProviderRow(key=key, display_name=getattr(cls, "display_name", key), capabilities=_known(getattr(cls, "capabilities", ())))
        for key, cls in adapters().items()
    )
    return Matrix(capabilities=ORDER, providers=rows)
