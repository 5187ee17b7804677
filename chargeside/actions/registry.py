"""Every action, by name. Adding one: a module in this package and one line here."""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from django.utils.translation import gettext as _

from .base import Action, ActionError

ACTIONS = {
    "refund": "chargeside.actions.refund:Refund",
    "authorize": "chargeside.actions.authorize:Authorize",
    "capture": "chargeside.actions.capture:Capture",
    "void": "chargeside.actions.void:Void",
    "subscription_cancel": "chargeside.actions.subscription_cancel:SubscriptionCancel",
    "subscription_create": "chargeside.actions.subscription_create:SubscriptionCreate",
    "subscription_change": "chargeside.actions.subscription_change:SubscriptionChange",
    "invoice_send": "chargeside.actions.invoice_send:InvoiceSend",
    "coupon_apply": "chargeside.actions.coupon_apply:CouponApply",
    "tax_id_add": "chargeside.actions.tax_id_add:TaxIdAdd",
    "card_update_link": "chargeside.actions.card_update_link:CardUpdateLink",
}


@lru_cache(maxsize=None)
def get_action(name: str) -> Action:
    path = ACTIONS.get(name)
    if path is None:
        raise ActionError(_("Unknown action '%(name)s'.") % {"name": name}, code="unknown_action")
    module, _sep, cls = path.partition(":")
    return getattr(import_module(module), cls)()


def all_actions() -> list[Action]:
    return [get_action(name) for name in ACTIONS]
