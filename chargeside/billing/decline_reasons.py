"""Plain words for gateway decline codes and canonical statuses, as an agent would say them to a customer.

Codes are the issuer/gateway decline reasons adapters put in `Charge.failure_code` (Stripe's
`outcome.reason` / `decline_code`, Braintree's processor responses mapped to the same words, ...). Unknown
codes fall back to the gateway's own message, then to a generic sentence; the gateway's text is shown as
inert text only.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _

DECLINE_REASONS = {
    "insufficient_funds": _("The card has insufficient funds."),
    "card_declined": _("The bank declined the card."),
    "generic_decline": _("The bank declined the card without giving a reason."),
    "do_not_honor": _("The bank declined the card without giving a reason."),
    "expired_card": _("The card has expired."),
    "incorrect_cvc": _("The security code (CVC) was wrong."),
    "invalid_cvc": _("The security code (CVC) was wrong."),
    "incorrect_number": _("The card number was wrong."),
    "invalid_expiry_month": _("The expiry date was wrong."),
    "invalid_expiry_year": _("The expiry date was wrong."),
    "incorrect_zip": _("The postal code did not match the card."),
    "lost_card": _("The card was reported lost."),
    "stolen_card": _("The card was reported stolen."),
    "pickup_card": _("The bank asked to retain the card (it may be lost or stolen)."),
    "fraudulent": _("The payment was blocked as likely fraud."),
    "highest_risk_level": _("The payment was blocked as likely fraud."),
    "elevated_risk_level": _("The payment was blocked as risky."),
    "processing_error": _("The bank had a processing error; trying again may work."),
    "authentication_required": _("The bank required 3-D Secure authentication that was not completed."),
    "card_velocity_exceeded": _("The card's spending limit was reached."),
    "withdrawal_count_limit_exceeded": _("The card's spending limit was reached."),
    "currency_not_supported": _("The card does not support this currency."),
    "card_not_supported": _("The card does not support this kind of purchase."),
    "transaction_not_allowed": _("The card does not support this kind of purchase."),
    "try_again_later": _("The bank was unavailable; trying again may work."),
    "issuer_not_available": _("The bank was unavailable; trying again may work."),
}

STATUS_LABELS = {
    "pending": _("pending"),
    "authorized": _("authorized"),
    "succeeded": _("paid"),
    "failed": _("failed"),
    "voided": _("voided"),
    "refunded": _("refunded"),
    "partially_refunded": _("partially refunded"),
    "canceled": _("canceled"),
    "trialing": _("trial"),
    "active": _("active"),
    "past_due": _("past due"),
    "unpaid": _("unpaid"),
    "paused": _("paused"),
    "incomplete": _("incomplete"),
    "draft": _("draft"),
    "open": _("open"),
    "paid": _("paid"),
    "void": _("void"),
    "uncollectible": _("uncollectible"),
    "needs_response": _("needs response"),
    "under_review": _("under review"),
    "won": _("won"),
    "lost": _("lost"),
    "warning": _("inquiry"),
    "closed": _("closed"),
}


# Refund and dispute reason codes as gateways send them (Stripe's names; other adapters map to these).
REASON_LABELS = {
    "requested_by_customer": _("requested by customer"),
    "duplicate": _("duplicate payment"),
    "fraudulent": _("fraudulent"),
    "product_not_received": _("product not received"),
    "product_unacceptable": _("product unacceptable"),
    "subscription_canceled": _("subscription canceled"),
    "credit_not_processed": _("credit not processed"),
    "unrecognized": _("not recognised by the cardholder"),
    "general": _("general"),
}


def reason_label(code: str) -> str:
    label = REASON_LABELS.get((code or "").strip().lower())
    return str(label) if label else (code or "").replace("_", " ")


def decline_reason(code: str, gateway_message: str = "") -> str:
    known = DECLINE_REASONS.get((code or "").strip().lower())
    if known:
        return str(known)
    if gateway_message:
        return gateway_message
    return gettext("The payment failed (%(code)s).") % {"code": code} if code else gettext("The payment failed.")


# Tax id types as gateways name them (Stripe's list; other adapters map to these), as people say them.
TAX_ID_LABELS = {
    "eu_vat": _("EU VAT"), "gb_vat": _("UK VAT"), "tr_tin": _("Turkish tax number (VKN)"), "au_abn": _("Australian ABN"),
    "nz_gst": _("New Zealand GST"), "in_gst": _("Indian GSTIN"), "us_ein": _("US EIN"), "ca_bn": _("Canadian BN"),
    "ch_vat": _("Swiss VAT"), "no_vat": _("Norwegian VAT"),
}
VERIFICATION_LABELS = {
    "pending": _("verification pending"), "verified": _("verified"), "unverified": _("not verified"),
    "unavailable": _("verification unavailable"),
}


def tax_id_label(code: str) -> str:
    label = TAX_ID_LABELS.get((code or "").strip().lower())
    return str(label) if label else (code or "").replace("_", " ").upper()


def verification_label(status: str) -> str:
    label = VERIFICATION_LABELS.get((status or "").strip().lower())
    return str(label) if label else (status or "").replace("_", " ")
