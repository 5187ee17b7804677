"""Currency facts the fake needs: minor-unit exponents and human formatting for messages."""

from __future__ import annotations

# Stripe's zero-decimal and three-decimal currencies (amounts are still integers).
ZERO_DECIMAL = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd",
    "vuv", "xaf", "xof", "xpf",
}
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "try": "₺", "cad": "CA$", "aud": "A$"}


def exponent(currency: str) -> int:
    c = currency.lower()
    if c in ZERO_DECIMAL:
        return 0
    if c in THREE_DECIMAL:
        return 3
    return 2


def format_amount(amount: int, currency: str) -> str:
    """``1050, "usd"`` → ``$10.50`` (the style Stripe uses in refund error messages)."""
    exp = exponent(currency)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    major = f"{amount // 10**exp:,}" if exp else f"{amount:,}"
    text = f"{major}.{amount % 10**exp:0{exp}d}" if exp else major
    symbol = _SYMBOLS.get(currency.lower())
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {currency.upper()}"


def validate_currency(currency: str) -> bool:
    return isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
