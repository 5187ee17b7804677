"""Capture an authorised payment, in full or in part (never more than was authorised).

A partial capture releases the rest of the hold at the gateway; it needs the gateway's PARTIAL_CAPTURE.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Charge
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability, ChargeStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import active_language, charge_dto, get_row, parse_amount, status_words, target_for


def require_authorized(charge: Charge, verb: str) -> None:
    if charge.status != ChargeStatus.AUTHORIZED:
        message = _("Only an authorised payment can be captured; this one is %(status)s.") if verb == "captured" else \
            _("Only an authorised payment can be voided; this one is %(status)s.")
        raise ActionError(message % {"status": status_words(charge.status)}, code="not_authorized")


class Capture(Action):
    name = "capture"
    label = "Capture a payment"
    permission = Perm.CAPTURE
    capability = Capability.CAPTURE
    moves_money = True

    def resolve(self, workspace, params):
        return target_for(get_row(Charge, workspace, params.get("charge"), _("Charge")))

    def clean(self, target, params, adapter):
        charge: Charge = target.obj
        require_authorized(charge, "captured")
        amount = parse_amount(params, charge.currency, default=charge.amount)
        if amount > charge.amount:
            raise ActionError(_("Only %(amount)s was authorised.") % {"amount": fmt(charge.amount, charge.currency, active_language())},
                              field="amount", code="over_capture")
        if amount < charge.amount and not adapter.supports(Capability.PARTIAL_CAPTURE):
            raise ActionError(_("%(gateway)s only captures the full amount.") % {"gateway": adapter.display_name}, field="amount",
                              code="not_supported")
        return {"amount": amount, "currency": charge.currency}

    def money(self, target, cleaned):
        return Money(cleaned["amount"], cleaned["currency"])

    def state_token(self, target):
        return target.obj.status

    def preview(self, target, cleaned, adapter, language):
        charge: Charge = target.obj
        amount, currency = cleaned["amount"], cleaned["currency"]
        summary = _("Capture %(amount)s (full) of payment %(charge)s through %(gateway)s.") if amount == charge.amount else \
            _("Capture %(amount)s (partial) of payment %(charge)s through %(gateway)s.")
        return Preview(
            summary=summary % {"amount": fmt(amount, currency, language), "charge": charge.remote_id, "gateway": adapter.display_name},
            amount=Money(amount, currency),
            lines=(
                (_("Authorised"), fmt(charge.amount, currency, language)),
                (_("Captured now"), fmt(amount, currency, language)),
                (_("Released"), fmt(charge.amount - amount, currency, language)),
            ),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        charge: Charge = target.obj
        partial = cleaned["amount"] < charge.amount
        captured = adapter.capture(
            charge=charge_dto(charge), amount=Money(cleaned["amount"], cleaned["currency"]) if partial else None,
            idempotency_key=idempotency_key,
        )
        return [captured]
