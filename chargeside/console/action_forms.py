"""What the confirmation step asks for each action, beyond the item it acts on, the reason and the ticket.

The item's id goes in the parameter named after its kind (`charge`, `subscription`, ...), which is what
every action's `resolve()` reads. Money is typed in major units ("12.50"); the action parses it with the
item's currency through core.money.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from .text import plain

ITEM_PARAM = {"charge": "charge", "subscription": "subscription", "invoice": "invoice", "payment_method": "payment_method"}


@dataclass(frozen=True)
class ActionField:
    name: str
    label: str
    kind: str = "text"  # text, money, choice, checkbox
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""


EXTRA_FIELDS: dict[str, tuple[ActionField, ...]] = {
    "refund": (ActionField("amount", gettext_lazy("Amount"), "money", gettext_lazy("Leave empty to refund everything still refundable.")),),
    "capture": (ActionField("amount", gettext_lazy("Amount"), "money", gettext_lazy("Leave empty to capture the full authorised amount.")),),
    "authorize": (
        ActionField("amount", gettext_lazy("Amount"), "money"),
        ActionField("currency", gettext_lazy("Currency"), "text", gettext_lazy("ISO code, e.g. EUR.")),
        ActionField("description", gettext_lazy("Description")),
    ),
    "subscription_change": (
        ActionField("price", gettext_lazy("New price"), "text", gettext_lazy("The gateway's price id of the new plan, e.g. price_…")),
    ),
    "subscription_cancel": (
        ActionField("when", gettext_lazy("When"), "choice", choices=(("period_end", gettext_lazy("At the end of the period")), ("now", gettext_lazy("Now"))),
                    default="period_end"),
        ActionField("refund_unused", gettext_lazy("Refund the unused part of this period"), "checkbox"),
    ),
}

ACTION_LABELS = {
    "refund": gettext_lazy("Refund"), "capture": gettext_lazy("Capture"), "void": gettext_lazy("Void"), "authorize": gettext_lazy("Authorise a payment"),
    "subscription_cancel": gettext_lazy("Cancel subscription"), "subscription_change": gettext_lazy("Change plan"),
    "invoice_send": gettext_lazy("Send invoice"), "coupon_apply": gettext_lazy("Apply coupon"), "tax_id_add": gettext_lazy("Add tax id"),
}


def fields_for(action_name: str) -> tuple[ActionField, ...]:
    return EXTRA_FIELDS.get(action_name, ())


def label_for(action) -> str:
    return str(ACTION_LABELS.get(action.name, action.label))


def params_from(post, action_name: str, item_kind: str, item_ref: str) -> dict:
    """The action's parameters from a submitted confirmation form (only the fields it declares)."""
    params = {ITEM_PARAM[item_kind]: item_ref}
    fields = fields_for(action_name)
    # The confirmation carries the exact amount the preview showed, so "empty = everything that remains" can
    # never turn into a different amount if the charge changed between preview and confirm.
    exact = plain(post.get("amount_minor"), 30)
    if exact and any(field.kind == "money" for field in fields):
        params["amount_minor"] = exact
        fields = tuple(field for field in fields if field.kind != "money")
    for field in fields:
        if field.kind == "checkbox":
            params[field.name] = "1" if post.get(field.name) else ""
        elif (value := plain(post.get(field.name), 200)):
            params[field.name] = value
    return params
