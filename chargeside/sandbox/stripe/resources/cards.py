"""Stripe's documented test cards and what happens when they are charged.

Only brand, last4, expiry, funding, country and a fingerprint are kept; a card number sent
to the fake is used to pick the behaviour and then forgotten. Attaching always succeeds;
declines happen when a charge is attempted (like ``pm_card_chargeCustomerFail``), which is
what renewal and retry tests need.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..ids import ALPHABET


@dataclass(frozen=True)
class SandboxCard:
    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    decline: str | None = None  # decline_code charged with this card


_CARDS = {
    "visa": SandboxCard("4242424242424242", "visa"),
    "visa_debit": SandboxCard("4000056655665556", "visa", "debit"),
    "mastercard": SandboxCard("5555555555554444", "mastercard"),
    "mastercard_debit": SandboxCard("5200828282828210", "mastercard", "debit"),
    "mastercard_prepaid": SandboxCard("5105105105105100", "mastercard", "prepaid"),
    "amex": SandboxCard("378282246310005", "amex"),
    "discover": SandboxCard("6011111111111117", "discover"),
    "diners": SandboxCard("3056930009020004", "diners"),
    "jcb": SandboxCard("3566002020360505", "jcb", country="JP"),
    "unionpay": SandboxCard("6200000000000005", "unionpay", country="CN"),
    "tr": SandboxCard("4000007920000007", "visa", country="TR"),
    "de": SandboxCard("4000002760000016", "visa", country="DE"),
    "fr": SandboxCard("4000002500000003", "visa", country="FR"),
    "gb": SandboxCard("4000008260000000", "visa", country="GB"),
    "jp": SandboxCard("4000003920000003", "visa", country="JP"),
    "chargeDeclined": SandboxCard("4000000000000002", "visa", decline="generic_decline"),
    "chargeCustomerFail": SandboxCard("4000000000000341", "visa", decline="generic_decline"),
    "chargeDeclinedInsufficientFunds": SandboxCard("4000000000009995", "visa", decline="insufficient_funds"),
    "chargeDeclinedLostCard": SandboxCard("4000000000009987", "visa", decline="lost_card"),
    "chargeDeclinedStolenCard": SandboxCard("4000000000009979", "visa", decline="stolen_card"),
    "chargeDeclinedExpiredCard": SandboxCard("4000000000000069", "visa", decline="expired_card"),
    "chargeDeclinedIncorrectCvc": SandboxCard("4000000000000127", "visa", decline="incorrect_cvc"),
    "chargeDeclinedProcessingError": SandboxCard("4000000000000119", "visa", decline="processing_error"),
    "chargeDeclinedFraudulent": SandboxCard("4100000000000019", "visa", decline="fraudulent"),
    "radarBlock": SandboxCard("4100000000000019", "visa", decline="fraudulent"),
}
_BY_NUMBER = {c.number: c for c in _CARDS.values()}

# decline_code → (error code, customer-facing message) as the live API words them.
DECLINES = {
    "generic_decline": ("card_declined", "Your card was declined."),
    "insufficient_funds": ("card_declined", "Your card has insufficient funds."),
    "lost_card": ("card_declined", "Your card was declined."),
    "stolen_card": ("card_declined", "Your card was declined."),
    "do_not_honor": ("card_declined", "Your card was declined."),
    "fraudulent": ("card_declined", "Your card was declined."),
    "expired_card": ("expired_card", "Your card has expired."),
    "incorrect_cvc": ("incorrect_cvc", "Your card's security code is incorrect."),
    "processing_error": (
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}

DISPLAY_BRANDS = {"amex": "american_express", "diners": "diners_club", "unionpay": "union_pay"}


def by_token(token: str) -> SandboxCard | None:
    """``pm_card_visa`` / ``tok_visa`` / ``tok_chargeDeclined`` → the test card."""
    for prefix in ("pm_card_", "tok_", "card_"):
        if token.startswith(prefix):
            return _CARDS.get(token[len(prefix):])
    return None


def by_number(number: str) -> SandboxCard:
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    known = _BY_NUMBER.get(digits)
    if known:
        return known
    brand = {"4": "visa", "5": "mastercard", "3": "amex", "6": "discover"}.get(digits[:1], "unknown")
    return SandboxCard(digits, brand)


def fingerprint(number: str) -> str:
    digest = hashlib.sha256(("fp:" + number).encode()).digest()
    return "".join(ALPHABET[b % 62] for b in digest[:16])


def card_details(card: SandboxCard, exp_month: int, exp_year: int) -> dict:
    return {
        "brand": card.brand,
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": card.country,
        "display_brand": DISPLAY_BRANDS.get(card.brand, card.brand),
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": fingerprint(card.number),
        "funding": card.funding,
        "generated_from": None,
        "last4": card.number[-4:],
        "networks": {"available": [card.brand], "preferred": None},
        "regulated_status": "unregulated",
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }
