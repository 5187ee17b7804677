"""Locale-aware money and date formatting with Babel (en: $1,234.56, tr: ₺1.234,56, 27.11.2026)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, get_currency_symbol

from .money import to_major

SUPPORTED = ("en", "tr")


@lru_cache(maxsize=16)
def babel_locale(language: str) -> Locale:
    language = (language or "en").split("-")[0].lower()
    return Locale.parse("tr_TR" if language == "tr" else "en_US")


def money(amount: int, currency: str, language: str = "en") -> str:
    # Babel knows each currency's digits and the locale's symbol placement (₺1.234,56 / $1,234.56).
    code = currency.upper()
    locale = babel_locale(language)
    pattern = None
    if get_currency_symbol(code, locale) == code:
        # No symbol in this locale: "TRY 1,200.00" reads better than Babel's "TRY1,200.00".
        pattern = locale.currency_formats["standard"].pattern.replace("¤", "¤\u00a0")
    return format_currency(to_major(amount, currency), code, format=pattern, locale=locale)


def date(value: dt.date | dt.datetime | None, language: str = "en") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="medium" if language.startswith("en") else "dd.MM.yyyy", locale=babel_locale(language))


def datetime(value: dt.datetime | None, language: str = "en") -> str:
    if value is None:
        return ""
    pattern = "d MMM yyyy HH:mm" if language.startswith("en") else "dd.MM.yyyy HH:mm"
    return format_datetime(value, pattern, locale=babel_locale(language), tzinfo=dt.UTC)
