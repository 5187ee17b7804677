"""The payment engine: PaymentIntent + Charge shapes, authorising, capturing, releasing.

Used by the PaymentIntent endpoints, invoice payment and the test controls, so every path
that moves money keeps ``latest_charge``, ``amount_captured``, ``amount_refunded``,
``captured`` and ``refunded`` consistent and emits the same events.
"""

from __future__ import annotations

import random

from .. import errors, shapes
from ..context import Ctx
from ..ids import client_secret
from . import cards

BILLING_NULL = {
    "address": {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None},
    "email": None, "name": None, "phone": None, "tax_id": None,
}

_VISA = {"card": cards.card_details(cards.by_token("pm_card_visa"), 12, 2030)}
_OUTCOME_OK = {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
               "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
               "risk_score": 0, "seller_message": "Payment complete.", "type": "authorized"}

shapes.register(
    "charge",
    {
        "amount_refunded": 0, "application": None, "application_fee": None,
        "application_fee_amount": None, "balance_transaction": None, "billing_details": BILLING_NULL,
        "calculated_statement_descriptor": "CHARGESIDE SANDBOX", "customer": None,
        "description": None, "destination": None, "dispute": None, "disputed": False,
        "failure_balance_transaction": None, "failure_code": None, "failure_message": None,
        "fraud_details": {}, "invoice": None, "metadata": {}, "on_behalf_of": None,
        "payment_intent": None, "radar_options": {}, "receipt_email": None, "receipt_number": None,
        "refunded": False, "review": None, "shipping": None, "source": None,
        "source_transfer": None, "statement_descriptor": None, "statement_descriptor_suffix": None,
        "transfer_data": None, "transfer_group": None,
        # Typical values; each charge stores only its differences from these.
        "outcome": _OUTCOME_OK, "payment_method_details": None,
    },
    deep=("payment_method_details", "outcome"),
)

shapes.register(
    "payment_intent",
    {
        "amount_capturable": 0, "amount_details": {"tip": {}}, "amount_received": 0,
        "application": None, "application_fee_amount": None, "automatic_payment_methods": None,
        "canceled_at": None, "cancellation_reason": None, "capture_method": "automatic_async",
        "confirmation_method": "automatic", "customer": None, "customer_account": None,
        "description": None, "excluded_payment_method_types": None, "invoice": None,
        "last_payment_error": None, "latest_charge": None, "metadata": {}, "next_action": None,
        "on_behalf_of": None, "payment_method": None, "payment_method_configuration_details": None,
        "payment_method_options": {"card": {"installments": None, "mandate_options": None,
                                            "network": None, "request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"], "processing": None, "receipt_email": None, "review": None,
        "setup_future_usage": None, "shipping": None, "source": None, "statement_descriptor": None,
        "statement_descriptor_suffix": None, "transfer_data": None, "transfer_group": None,
    },
    nested=("last_payment_error",),
)


def new_payment_intent(object_id: str, created: int, amount: int, currency: str, **fields) -> dict:
    pi = shapes.defaults("payment_intent")
    pi.update(id=object_id, object="payment_intent", created=created, amount=amount,
              currency=currency.lower(), client_secret=client_secret(object_id),
              status="requires_payment_method")
    pi.update(fields)
    return pi


def charge_details(pm: dict, amount: int) -> dict:
    card = pm["card"]
    return {
        "card": {
            "amount_authorized": amount, "authorization_code": None, "brand": card["brand"],
            "checks": card["checks"], "country": card["country"], "exp_month": card["exp_month"],
            "exp_year": card["exp_year"], "extended_authorization": {"status": "disabled"},
            "fingerprint": card["fingerprint"], "funding": card["funding"],
            "incremental_authorization": {"status": "unavailable"}, "installments": None,
            "last4": card["last4"], "mandate": None, "multicapture": {"status": "unavailable"},
            "network": card["brand"], "network_token": {"used": False},
            "network_transaction_id": None,
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "regulated_status": "unregulated", "three_d_secure": None, "wallet": None,
        },
        "type": "card",
    }


# The card template lets each stored charge keep only the card fields that differ.
shapes.register("charge", {**shapes.defaults("charge"), "payment_method_details": charge_details(_VISA, 0)},
                deep=("payment_method_details", "outcome"))


def outcome(decline: str | None, rng=random) -> dict:
    if decline is None:
        return {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                "risk_score": rng.randint(5, 60), "seller_message": "Payment complete.", "type": "authorized"}
    if decline == "fraudulent":
        return {"advice_code": "do_not_try_again", "network_advice_code": None, "network_decline_code": None,
                "network_status": "not_sent_to_network", "reason": "highest_risk_level",
                "risk_level": "highest", "risk_score": rng.randint(80, 99),
                "seller_message": "Stripe blocked this payment as too risky.", "type": "blocked"}
    seller = ("The bank did not return any further details with this decline."
              if decline == "generic_decline" else f"The bank returned the decline code `{decline}`.")
    return {"advice_code": "try_again_later" if decline == "insufficient_funds" else "do_not_try_again",
            "network_advice_code": None, "network_decline_code": None,
            "network_status": "declined_by_network", "reason": decline, "risk_level": "normal",
            "risk_score": rng.randint(5, 60), "seller_message": seller, "type": "issuer_declined"}


def new_charge(object_id: str, created: int, *, amount: int, currency: str, pm: dict,
               customer: str | None, payment_intent: str | None, captured: bool,
               decline: str | None = None, rng=random, **fields) -> dict:
    ch = shapes.defaults("charge")
    failed = decline is not None
    ch.update(
        id=object_id, object="charge", created=created, amount=amount, currency=currency,
        amount_captured=amount if captured and not failed else 0, captured=captured and not failed,
        customer=customer, payment_intent=payment_intent, payment_method=pm["id"],
        payment_method_details=charge_details(pm, amount), billing_details=pm["billing_details"],
        outcome=outcome(decline, rng), paid=not failed, status="failed" if failed else "succeeded",
        receipt_url=f"https://pay.stripe.com/receipts/payment/sandbox_{object_id}",
        # Funds move (and a balance transaction exists) only once the charge is captured.
        balance_transaction=balance_transaction_id(object_id) if captured and not failed else None,
    )
    if failed:
        code, message = cards.DECLINES.get(decline, cards.DECLINES["generic_decline"])
        ch["failure_code"], ch["failure_message"] = code, message
    ch.update(fields)
    return ch


def balance_transaction_id(charge_id: str) -> str:
    return "txn_" + charge_id.split("_", 1)[1]


def card_error(decline: str, *, charge: dict, pi: dict | None, pm: dict) -> errors.StripeError:
    code, message = cards.DECLINES.get(decline, cards.DECLINES["generic_decline"])
    extra = {"charge": charge["id"], "payment_method": shapes.public(pm)}
    if pi is not None:
        extra["payment_intent"] = shapes.public(pi)
    if decline == "insufficient_funds":
        extra["advice_code"] = "try_again_later"
    return errors.StripeError(402, "card_error", message, code=code, decline_code=decline, extra=extra)


def authorize(ctx: Ctx, pi: dict, pm: dict, *, force_decline: str | None = None,
              **charge_fields) -> errors.StripeError | None:
    """Confirm ``pi`` with ``pm``: make the charge, move the intent, emit events.

    Returns the card error on a decline (the caller decides whether to raise it).
    """
    decline = force_decline or pm.get("_decline")
    manual = pi["capture_method"] == "manual"
    ch = new_charge(ctx.new_id("ch"), ctx.now, amount=pi["amount"], currency=pi["currency"], pm=pm,
                    customer=pi.get("customer"), payment_intent=pi["id"], captured=not manual,
                    decline=decline, description=pi.get("description"),
                    receipt_email=pi.get("receipt_email"), **charge_fields)
    ctx.save(ch)
    pi["latest_charge"], pi["payment_method"] = ch["id"], pm["id"]
    if decline:
        err = card_error(decline, charge=ch, pi=None, pm=pm)
        pi["status"] = "requires_payment_method"
        pi["last_payment_error"] = {  # absent fields are left out, as in the API error object
            "charge": ch["id"], "code": err.code, "decline_code": decline,
            "doc_url": errors.DOCS + err.code.replace("_", "-"), "message": err.message,
            "payment_method": shapes.public(pm), "payment_method_type": "card", "type": "card_error",
        }
        ctx.save(pi)
        ctx.emit("charge.failed", ch)
        ctx.emit("payment_intent.payment_failed", pi)
        return card_error(decline, charge=ch, pi=pi, pm=pm)
    pi["last_payment_error"] = None
    if manual:
        pi["status"], pi["amount_capturable"] = "requires_capture", pi["amount"]
        ctx.save(pi)
        ctx.emit("charge.succeeded", ch)
        ctx.emit("payment_intent.amount_capturable_updated", pi)
    else:
        pi["status"], pi["amount_received"] = "succeeded", pi["amount"]
        ctx.save(pi)
        ctx.emit("charge.succeeded", ch)
        ctx.emit("payment_intent.succeeded", pi)
    return None


def capture(ctx: Ctx, pi: dict, amount: int | None) -> dict:
    if pi["status"] != "requires_capture":
        raise errors.invalid_request(
            f"This PaymentIntent could not be captured because it has a status of {pi['status']}. "
            "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
            code="payment_intent_unexpected_state",
        )
    amount = pi["amount_capturable"] if amount is None else amount
    if amount < 1 or amount > pi["amount_capturable"]:
        raise errors.invalid_request(
            "The amount to capture must be a positive integer less than or equal to the amount "
            f"capturable ({pi['amount_capturable']}).",
            param="amount_to_capture", code="amount_too_large",
        )
    before_ch = ctx.load("charge", pi["latest_charge"])
    ctx.changed("charge.captured", before_ch, capture_charge(before_ch, amount))
    before_pi = dict(pi)
    pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
    ctx.save(pi)
    ctx.emit("payment_intent.succeeded", pi, {"status": before_pi["status"],
                                              "amount_received": before_pi["amount_received"],
                                              "amount_capturable": before_pi["amount_capturable"]})
    return pi


def capture_charge(charge: dict, amount: int) -> dict:
    """The charge after capturing ``amount`` of its authorisation.

    Since API 2025-03-31.basil the uncaptured remainder is simply released: no refund object,
    ``amount_refunded``/``refunded`` untouched, no ``charge.refunded`` event, and the balance
    transaction shows the captured amount (docs.stripe.com/changelog/basil/2025-03-31/
    remove-refund-from-partial-capture-and-payment-cancellation-flow; support.stripe.com
    "Changes to balance transaction behavior for partial capture and payment cancellation
    flows"). Before basil the remainder was counted in ``amount_refunded``.
    """
    return {**charge, "captured": True, "amount_captured": amount,
            "balance_transaction": balance_transaction_id(charge["id"])}


CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation",
              "requires_action", "processing")


def cancel(ctx: Ctx, pi: dict, reason: str | None) -> dict:
    if pi["status"] not in CANCELABLE:
        raise errors.invalid_request(
            f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
            "PaymentIntent with one of the following statuses may be canceled: " + ", ".join(CANCELABLE) + ".",
            code="payment_intent_unexpected_state",
        )
    # Releasing an authorisation leaves its charge as it was (captured false, amount_captured 0,
    # amount_refunded 0, refunded false) and emits no charge.refunded since basil (same sources
    # as capture_charge); only the PaymentIntent's status says the hold was voided.
    pi.update(status="canceled", canceled_at=ctx.now, cancellation_reason=reason, amount_capturable=0)
    ctx.save(pi)
    ctx.emit("payment_intent.canceled", pi)
    return pi


def charge_customer(ctx: Ctx, *, customer: str, amount: int, currency: str, pm: dict,
                    description: str | None = None, metadata: dict | None = None,
                    force_decline: str | None = None, invoice: str | None = None,
                    ) -> tuple[dict, errors.StripeError | None]:
    """Create and confirm an off-session PaymentIntent (invoices, controls)."""
    pi = new_payment_intent(ctx.new_id("pi"), ctx.now, amount, currency, customer=customer,
                            description=description, metadata=metadata or {},
                            capture_method="automatic", invoice=invoice)
    ctx.save(pi)
    ctx.emit("payment_intent.created", pi)
    err = authorize(ctx, pi, pm, force_decline=force_decline, invoice=invoice)
    return pi, err
