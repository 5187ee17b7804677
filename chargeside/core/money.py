"""Money as integer minor units plus an ISO 4217 code. No floats anywhere.

Exponents follow ISO 4217 as payment gateways use them: most currencies have 2 decimals, a few have 0
(JPY, KRW, ...) or 3 (KWD, BHD, ...). Parsing user input goes through Decimal and refuses anything that
does not fit the currency exactly ("10.005 EUR" is an error, not a rounding).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DECIMAL = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


class MoneyError(ValueError):
    """Input that cannot be an amount of money in the given currency."""


def normalise_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise MoneyError(f"'{code}' is not an ISO 4217 currency code.")
    return code


def exponent(currency: str) -> int:
    currency = normalise_currency(currency)
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_minor(value: str | int | Decimal, currency: str) -> int:
    """Parse a major-unit amount typed by a person ("12.50") into minor units (1250)."""
    if isinstance(value, float):  # refuse loudly: a float here is a bug upstream
        raise MoneyError("Amounts must not be floats.")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise MoneyError(f"'{value}' is not a number.") from None
    if not amount.is_finite():
        raise MoneyError(f"'{value}' is not a number.")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency} amounts have at most {exponent(currency)} decimal places.")
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str  # upper-case ISO 4217

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise MoneyError("Money.amount must be an integer number of minor units.")
        object.__setattr__(self, "currency", normalise_currency(self.currency))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} with {other.currency}.")

    @property
    def major(self) -> Decimal:
        return to_major(self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.major:.{exponent(self.currency)}f} {self.currency}"
