"""`{% load chargeside %}`: money and dates in the active language (Babel via core.formatting).

    {{ charge.amount|money:charge.currency }}   → $12.50 / ₺12,50
    {{ some_money_object|money }}               → a core.money.Money
    {{ charge.remote_created_at|date }}         → Nov 27, 2026 / 27.11.2026
    {{ event.at|datetime }}                     → 27 Nov 2026 14:05 / 27.11.2026 14:05

`date` with an argument (`|date:"Y-m-d"`) falls back to Django's own filter, so loading this library
never breaks a template that used the built-in one.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import translation

from chargeside.core import formatting
from chargeside.core.money import Money, MoneyError

register = template.Library()


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


@register.filter
def money(value, currency: str = ""):
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, Money):
            return formatting.money(value.amount, value.currency, _language())
        if not currency:
            return value
        return formatting.money(int(value), str(currency), _language())
    except (MoneyError, ValueError, TypeError):
        return value


@register.filter(name="date")
def date_filter(value, arg=None):
    if arg:
        return django_date(value, arg)
    return formatting.date(value, _language()) if value else ""


@register.filter(name="datetime")
def datetime_filter(value):
    return formatting.datetime(value, _language()) if value else ""


@register.filter
def status_text(value):
    """A billing status in words, translated ("partially_refunded" → "partially refunded")."""
    from chargeside.billing.selectors import status_label

    return status_label(str(value or ""))


@register.filter
def http_url(value):
    """The URL if it is http(s), else "": remote strings (ticket links) must never become javascript: links."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.filter
def get_item(mapping, key):
    """`{{ labels|get_item:name }}`: a mapping's value for a key held in a variable ("" when absent)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
