"""What each action asks a person for, declared once for every screen (the console and the panel).

An action module says what the action does; its `ActionInputs` here says how a person asks for it: the row
it is started from (`on`: a charge, a subscription, an invoice, or the customer's gateway `account`), the
fields beyond that row (amount, plan, when, ...), and the words on its buttons. Both screens render their
forms from these declarations and turn a submitted form into `ActionRequest.params` with `params_from()`;
checking the values stays the action's job (`clean()`), so both screens answer with the same messages.

Adding an action: its module, one line in `registry.py`, and its `ActionInputs` in `INPUTS` below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from chargeside.billing import models as bm
from chargeside.core.formatting import datetime as fmt_datetime
from chargeside.core.formatting import money as fmt_money
from chargeside.core.money import to_major

from .base import ActionError
from .catalogue import price_label
from .common import get_row
from .tax_ids import RULES

# The row each kind of form starts from, and the parameter that names it in ActionRequest.params.
SUBJECTS = {
    "charge": (bm.Charge, "charge", gettext_lazy("Charge")),
    "subscription": (bm.Subscription, "subscription", gettext_lazy("Subscription")),
    "invoice": (bm.Invoice, "invoice", gettext_lazy("Invoice")),
    "account": (bm.GatewayCustomer, "gateway_customer", gettext_lazy("Customer")),  # customer-level: one gateway account
}
# What a preview pins and its confirmation sends back unchanged (`Preview.confirm_params`).
PINNED = ("as_of", "proration_date", "state_seen")
MAX_CHOICES = 200  # a catalogue longer than this is cut; the plans people pick are the first ones

Choices = Callable[[object, str], list[tuple[str, str]]]  # (subject row, language) → [(value, label)]


@dataclass(frozen=True)
class Field:
    name: str  # the ActionRequest parameter
    label: str
    kind: str = "text"  # money | choice | checkbox | text
    help: str = ""
    required: bool = False
    choices: Choices | tuple[tuple[str, str], ...] = ()
    blank: str = ""  # a choice's empty first option ("The customer's default"); none when ""
    whole: Callable[[object], int] | None = None  # money: what "full" is (what remains refundable)
    initial: Callable[[object], str] | None = None  # a first value worked out from the subject row
    max_length: int = 200

    def options(self, subject, language: str = "en") -> list[tuple[str, str]]:
        found = list(self.choices(subject, language) if callable(self.choices) else self.choices)
        return [("", str(self.blank)), *found] if self.blank else found


@dataclass(frozen=True)
class ActionInputs:
    name: str
    on: str  # a key of SUBJECTS
    label: str  # the button that opens the form ("Refund")
    noun: str  # in sentences: "Confirm: Refund", "Refund failed: ..."
    confirm: str  # the last button ("Confirm refund")
    done: str  # the start of the success message ("Refund made")
    fields: tuple[Field, ...] = ()
    danger: bool = False
    shows_link: bool = False  # the answer is a link for the agent to send (the card update page)

    @property
    def subject_param(self) -> str:
        return SUBJECTS[self.on][1]

    @property
    def money_field(self) -> Field | None:
        return next((field for field in self.fields if field.kind == "money"), None)


# --- choices worked out from the subject row -----------------------------------------------------------

def _prices(connection_id: int, currencies) -> list[bm.Price]:
    qs = bm.Price.objects.filter(connection_id=connection_id, active=True).exclude(interval="").select_related("product")
    if currencies:
        qs = qs.filter(currency__in=list(currencies))
    return list(qs.order_by(F("product__name").asc(nulls_last=True), "currency", "unit_amount", "id")[:MAX_CHOICES])


def _price_option(price: bm.Price, language: str) -> tuple[str, str]:
    product = price.product.name if price.product_id else ""
    label = price_label(price, language)  # "Pro (€29.00 / month)"; a nickname replaces the product's name
    return str(price.pk), f"{product} – {label}" if price.nickname and product and product != price.nickname else label


def new_plan_choices(subscription: bm.Subscription, language: str) -> list[tuple[str, str]]:
    """Active recurring prices of the subscription's connection in its currency, other than its own."""
    prices = _prices(subscription.connection_id, [subscription.currency] if subscription.currency else ())
    return [_price_option(p, language) for p in prices if p.remote_id != subscription.price_remote_id]


def plan_choices(account: bm.GatewayCustomer, language: str) -> list[tuple[str, str]]:
    """Active recurring prices of the account's connection; once the account has subscriptions, only in
    their currencies (a gateway customer is billed in one currency)."""
    currencies = set(bm.Subscription.objects.filter(gateway_customer=account).exclude(currency="").values_list("currency", flat=True)[:5])
    return [_price_option(p, language) for p in _prices(account.connection_id, currencies)]


def card_label(method: bm.PaymentMethod, *, default: bool = False) -> str:
    text = f"{(method.brand or method.type).capitalize()} •••• {method.last4}" if method.last4 else (method.brand or method.type).capitalize()
    if method.exp_month and method.exp_year:
        text += f" · {method.exp_month:02d}/{method.exp_year % 100:02d}"
    return f"{text} ({_('default')})" if default else text


def payment_method_choices(account: bm.GatewayCustomer, language: str) -> list[tuple[str, str]]:
    """The account's saved payment methods, the default first."""
    methods = bm.PaymentMethod.objects.filter(gateway_customer=account).order_by("-id")[:MAX_CHOICES]
    default = account.default_payment_method_remote_id
    ordered = sorted(methods, key=lambda m: m.remote_id != default)
    return [(str(m.pk), card_label(m, default=bool(default) and m.remote_id == default)) for m in ordered]


def tax_id_type_choices(_account, language: str) -> list[tuple[str, str]]:
    """The tax id types `tax_ids.py` can check, by name."""
    return sorted(((key, str(rule.label)) for key, rule in RULES.items()), key=lambda option: option[1].casefold())


def last_charge_currency(account: bm.GatewayCustomer) -> str:
    return bm.Charge.objects.filter(gateway_customer=account).order_by("-remote_created_at", "-id").values_list("currency", flat=True).first() or ""


# --- the declarations ----------------------------------------------------------------------------------

_AMOUNT = gettext_lazy("Amount")

INPUTS: dict[str, ActionInputs] = {
    "refund": ActionInputs(
        "refund", "charge", gettext_lazy("Refund"), pgettext_lazy("action noun", "Refund"), gettext_lazy("Confirm refund"),
        gettext_lazy("Refund made"), danger=True,
        fields=(Field("amount", _AMOUNT, "money", whole=lambda charge: charge.refundable),),
    ),
    "capture": ActionInputs(
        "capture", "charge", gettext_lazy("Capture"), pgettext_lazy("action noun", "Capture"), gettext_lazy("Confirm capture"),
        gettext_lazy("Payment captured"),
        fields=(Field("amount", _AMOUNT, "money", whole=lambda charge: charge.amount),),
    ),
    "void": ActionInputs(
        "void", "charge", gettext_lazy("Release"), pgettext_lazy("action noun", "Release of the hold"), gettext_lazy("Confirm release"),
        gettext_lazy("Hold released"), danger=True,
    ),
    "subscription_cancel": ActionInputs(
        "subscription_cancel", "subscription", gettext_lazy("Cancel subscription"), pgettext_lazy("action noun", "Cancellation"),
        gettext_lazy("Confirm cancellation"), gettext_lazy("Subscription canceled"), danger=True,
        fields=(
            Field("when", gettext_lazy("When"), "choice", choices=(
                ("period_end", gettext_lazy("At the end of the period")), ("now", gettext_lazy("Now")))),
            Field("refund_unused", gettext_lazy("Refund the unused part of this period"), "checkbox",
                  help=gettext_lazy("Only when cancelling now.")),
        ),
    ),
    "subscription_change": ActionInputs(
        "subscription_change", "subscription", gettext_lazy("Change plan"), pgettext_lazy("action noun", "Plan change"),
        gettext_lazy("Confirm plan change"), gettext_lazy("Plan changed"),
        fields=(Field("price", gettext_lazy("New plan"), "choice", required=True, choices=new_plan_choices,
                      help=gettext_lazy("Plans in the subscription's currency, from the synced catalogue.")),),
    ),
    "subscription_create": ActionInputs(
        "subscription_create", "account", gettext_lazy("Start a subscription"), pgettext_lazy("action noun", "New subscription"),
        gettext_lazy("Confirm and start"), gettext_lazy("Subscription started"),
        fields=(
            Field("price", gettext_lazy("Plan"), "choice", required=True, choices=plan_choices),
            Field("trial_days", gettext_lazy("Trial days"), max_length=4, help=gettext_lazy("Optional, 1 to 730.")),
            Field("coupon", gettext_lazy("Coupon or promotion code"), help=gettext_lazy("Optional.")),
            Field("payment_method", gettext_lazy("Card"), "choice", choices=payment_method_choices,
                  blank=gettext_lazy("The customer's default")),
        ),
    ),
    "authorize": ActionInputs(
        "authorize", "account", gettext_lazy("Authorise a payment"), pgettext_lazy("action noun", "Authorisation"),
        gettext_lazy("Confirm authorisation"), gettext_lazy("Payment authorised"),
        fields=(
            Field("payment_method", gettext_lazy("Card"), "choice", required=True, choices=payment_method_choices),
            Field("amount", _AMOUNT, "money", required=True),
            Field("currency", gettext_lazy("Currency"), required=True, max_length=3, initial=last_charge_currency,
                  help=gettext_lazy("ISO code, e.g. EUR.")),
            Field("description", gettext_lazy("Description"), help=gettext_lazy("Shown on the customer's statement and receipt.")),
        ),
    ),
    "invoice_send": ActionInputs(
        "invoice_send", "invoice", gettext_lazy("Send invoice"), pgettext_lazy("action noun", "Invoice sending"),
        gettext_lazy("Confirm and send"), gettext_lazy("Invoice sent"),
    ),
    "coupon_apply": ActionInputs(
        "coupon_apply", "account", gettext_lazy("Apply a discount"), pgettext_lazy("action noun", "Discount"),
        gettext_lazy("Confirm discount"), gettext_lazy("Discount applied"),
        fields=(Field("code", gettext_lazy("Coupon or promotion code"), required=True),),
    ),
    "tax_id_add": ActionInputs(
        "tax_id_add", "account", gettext_lazy("Add a tax id"), pgettext_lazy("action noun", "Tax id"), gettext_lazy("Confirm and add"),
        gettext_lazy("Tax id added"),
        fields=(
            Field("type", gettext_lazy("Type"), "choice", required=True, choices=tax_id_type_choices),
            Field("value", gettext_lazy("Number"), required=True, max_length=64),
        ),
    ),
    "card_update_link": ActionInputs(
        "card_update_link", "account", gettext_lazy("Card update link"), pgettext_lazy("action noun", "Card update link"),
        gettext_lazy("Create the link"), gettext_lazy("Link created"), shows_link=True,
    ),
}


def inputs_for(name: str) -> ActionInputs | None:
    return INPUTS.get(name)


def label_of(name: str) -> str:
    """An action's name in words, for buttons and the audit trail ("refund" → "Refund")."""
    inputs = INPUTS.get(name)
    return str(inputs.label) if inputs else str(name or "").replace("_", " ").capitalize()


def noun_of(name: str) -> str:
    inputs = INPUTS.get(name)
    return str(inputs.noun) if inputs else str(name or "").replace("_", " ").capitalize()


# --- from a submitted form to ActionRequest.params -----------------------------------------------------

def _text(value, max_length: int) -> str:
    # PostgreSQL refuses NUL characters; a longer value is cut here and refused by the action if it matters.
    return str(value or "").replace("\x00", "").strip()[:max_length]


def _money(data) -> dict:
    """`amount_minor` (the exact amount a confirmation carries) wins; "full" sends nothing, so the action takes
    the whole; otherwise the typed amount, which a "partial" choice makes compulsory."""
    if exact := _text(data.get("amount_minor"), 30):
        return {"amount_minor": exact}
    if data.get("mode") == "full":
        return {}
    if amount := _text(data.get("amount"), 30):
        return {"amount": amount}
    if data.get("mode") == "partial":
        raise ActionError(_("Enter an amount."), field="amount")
    return {}


def params_from(inputs: ActionInputs, subject_id, data) -> dict:
    """ActionRequest.params from a submitted form (a QueryDict or a dict): the subject row, the declared
    fields and what the preview pinned. Nothing else a form carries reaches the action."""
    params: dict = {inputs.subject_param: str(subject_id)}
    for field in inputs.fields:
        if field.kind == "money":
            params.update(_money(data))
        elif field.kind == "checkbox":
            params[field.name] = "1" if _text(data.get(field.name), 10).lower() in {"1", "on", "true", "yes"} else ""
        elif value := _text(data.get(field.name), field.max_length):
            params[field.name] = value
    for key in PINNED:
        if value := _text(data.get(key), 100):
            params[key] = value
    return params


def confirmation(inputs: ActionInputs, params: dict, preview) -> dict[str, str]:
    """What a confirmation form carries back (hidden fields): the parameters as previewed, the exact amount
    when the action asks for one, and what the preview pinned."""
    carried = {key: str(value) for key, value in params.items() if key not in (inputs.subject_param, "amount")}
    if inputs.money_field is not None and preview.amount is not None:
        carried["amount_minor"] = str(preview.amount.amount)
    carried.update({key: str(value) for key, value in (preview.confirm_params or {}).items() if key in PINNED})
    return carried


def load_subject(workspace, inputs: ActionInputs, subject_id):
    """The row the form is about, from this workspace only (another workspace's id is "not found")."""
    model, _param, what = SUBJECTS[inputs.on]
    return get_row(model, workspace, str(subject_id), str(what))


def check_choices(inputs: ActionInputs, subject, params: dict, language: str = "en") -> None:
    """A select's value must be one the form offered for this subject: a plan of the same connection and
    currency, a card of this customer. Anything else (a forged or out-of-date value, another workspace's id)
    is refused with the field's name before the action sees it."""
    for field in inputs.fields:
        if field.kind != "choice" or params.get(field.name, "") == "":
            continue
        if params[field.name] not in {value for value, _label in field.options(subject, language)}:
            raise ActionError(_("Choose one of the offered options for “%(field)s”.") % {"field": field.label}, field=field.name,
                              code="not_offered")


@dataclass(frozen=True)
class BoundField:
    """A field ready to render: its options worked out and its value (typed, or a first guess)."""

    field: Field
    value: str
    options: tuple[tuple[str, str], ...] = ()
    currency: str = ""  # money: the subject's currency, when it has one
    whole_display: str = ""  # money: "full" as the agent reads it ("TRY 300.00"); "" when there is no "full"
    whole_text: str = ""  # money: "full" as a person types it ("300.00")

    def __getattr__(self, name):  # templates read bound.label, bound.kind, ...
        return getattr(self.__dict__["field"], name)


def bound_fields(inputs: ActionInputs, subject, values, language: str = "en") -> list[BoundField]:
    bound = []
    for field in inputs.fields:
        value = str(values.get(field.name) or "")
        if not value and field.initial is not None:
            value = field.initial(subject)
        extra = {}
        if field.kind == "choice":
            extra["options"] = tuple(field.options(subject, language))
        elif field.kind == "money" and (currency := getattr(subject, "currency", "") or ""):
            extra["currency"] = currency
            if field.whole is not None:
                whole = field.whole(subject)
                extra.update(whole_display=fmt_money(whole, currency, language), whole_text=str(to_major(whole, currency)))
        bound.append(BoundField(field, value, **extra))
    return bound


def link_result(result: dict, language: str = "en") -> dict:
    """A hosted page an action made (the card update link): the address, only when it is a web address
    (never a `javascript:` one), and until when it works."""
    url = str((result or {}).get("url") or "")
    expires = (result or {}).get("expires_at")
    when = ""
    if expires:
        try:
            when = fmt_datetime(dt.datetime.fromisoformat(str(expires)), language)
        except ValueError:
            when = ""
    return {"url": url if url.lower().startswith(("https://", "http://")) else "", "expires_display": when}
