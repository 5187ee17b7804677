"""How each item action is asked for in a form, and how the form's fields become an ActionRequest.

Shared by the panel and the console (templates in `templates/chargeside/actions/`). An action appears only
when `billing.selectors` lists it on an item (registered, allowed to the role, supported by the adapter,
possible in the item's state) and it has a form here.

Money actions offer "full" or "partial": "full" sends no amount (the action takes what remains), "partial"
sends the typed amount (major units, "12.50" or "12,50"). The confirmation step carries the exact amount the
preview showed (`amount_minor`), so the run does precisely what the agent confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chargeside.actions.base import ActionError
from chargeside.core.money import to_major


@dataclass(frozen=True)
class Choice:
    param: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label); the first is the default


@dataclass(frozen=True)
class ActionForm:
    name: str
    label: str  # the button ("Refund")
    noun: str  # the thing in sentences ("Refund failed: ...", "Confirm: Refund")
    confirm_label: str  # the last button ("Confirm refund")
    done: str  # the success message's start ("Refund made")
    item_kind: str
    item_param: str  # the parameter naming the row, e.g. {"charge": 42}
    money: bool = False  # full/partial amount, pre-filled with what remains
    remaining_field: str = ""  # the item's field holding what remains, in minor units
    choices: tuple[Choice, ...] = ()
    reason_required: bool = False
    danger: bool = False


# Parameters a preview may pin in `Preview.confirm_params` and the confirmation sends back unchanged.
CONFIRM_PARAMS = ("as_of", "proration_date", "price", "state_seen")

FORMS: dict[str, ActionForm] = {
    "refund": ActionForm(
        "refund", _("Refund"), pgettext_lazy("action noun", "Refund"), _("Confirm refund"), _("Refund made"), "charge", "charge",
        money=True, remaining_field="refundable", reason_required=True, danger=True,
    ),
    "capture": ActionForm(
        "capture", _("Capture"), pgettext_lazy("action noun", "Capture"), _("Confirm capture"), _("Payment captured"), "charge",
        "charge", money=True, remaining_field="amount", reason_required=True,
    ),
    "void": ActionForm(
        "void", _("Release"), pgettext_lazy("action noun", "Release of the hold"), _("Confirm release"), _("Hold released"),
        "charge", "charge", reason_required=True, danger=True,
    ),
    "subscription_cancel": ActionForm(
        "subscription_cancel", _("Cancel subscription"), pgettext_lazy("action noun", "Cancellation"), _("Confirm cancellation"),
        _("Subscription canceled"), "subscription", "subscription", reason_required=True, danger=True,
        choices=(
            Choice("when", _("When"), (("period_end", _("At the end of the period")), ("now", _("Now")))),
            Choice("refund_unused", _("Unused time"), (("false", _("No refund")), ("true", _("Refund unused time (only when cancelling now)")))),
        ),
    ),
    "invoice_send": ActionForm(
        "invoice_send", _("Send invoice"), pgettext_lazy("action noun", "Invoice sending"), _("Confirm and send"),
        _("Invoice sent"), "invoice", "invoice",
    ),
}


def form_for(name: str) -> ActionForm | None:
    return FORMS.get(name)


def major_text(amount: int, currency: str) -> str:
    """An amount as a person types it: no grouping, a dot, all of the currency's decimals ("1234.50")."""
    return str(to_major(amount, currency)) if currency else ""


def request_params(form: ActionForm, item_id: int, data) -> dict:
    """ActionRequest.params from submitted fields (a QueryDict or dict); validation is the action's job."""
    params: dict = {form.item_param: item_id}
    if form.money:
        if data.get("amount_minor", "").strip():
            params["amount_minor"] = data["amount_minor"].strip()
        elif data.get("mode") == "partial":
            # An empty partial amount must not fall back to the action's default (the full remainder).
            if not (amount := (data.get("amount") or "").strip()):
                raise ActionError(str(_("Enter the amount to refund.")) if form.name == "refund" else str(_("Enter an amount.")), field="amount")
            params["amount"] = amount
    for choice in form.choices:
        values = [value for value, _label in choice.options]
        value = data.get(choice.param, values[0])
        params[choice.param] = value if value in values else values[0]
    for key in CONFIRM_PARAMS:  # what the preview pinned (e.g. the instant unused time was computed at)
        if data.get(key, "").strip():
            params[key] = data[key].strip()
    return params
