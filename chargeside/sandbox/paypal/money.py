"""PayPal money objects ({"currency_code", "value": "12.50"}) ↔ integer minor units (no floats).

Decimals follow chargeside.core.money (ISO 4217). PayPal itself refuses decimals for HUF and TWD; the fake
does not model that (seeds use whole amounts there).
"""

from __future__ import annotations

from decimal import Decimal

from chargeside.core.money import exponent


def money(minor: int, currency: str) -> dict:
    value = Decimal(minor).scaleb(-exponent(currency))
    return {"currency_code": currency, "value": f"{value:.{exponent(currency)}f}"}


def minor(obj: dict) -> int:
    return int(Decimal(str(obj["value"])).scaleb(exponent(obj["currency_code"])))
