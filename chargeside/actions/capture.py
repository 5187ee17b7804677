"""Capture an authorised payment, in full or in part (never more than was authorised).

A partial capture releases the rest of the hold at the gateway; it needs the gateway's PARTIAL_CAPTURE.
"""

from __future__ import annotations

from chargeside.billing.models import Charge
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability, ChargeStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import charge_dto, get_row, parse_amount, target_for


def require_authorized(charge: Charge, verb: str) -> None:
    if charge.status != ChargeStatus.AUTHORIZED:
        raise ActionError(
            f"Only an authorised payment can be {verb}; this one is {charge.get_status_display().replace('_', ' ')}.",
            code="not_authorized",
        )


class Capture(Action):
    name = "capture"
    label = "Capture a payment"
    permission = Perm.CAPTURE
    capability = Capability.CAPTURE
    moves_money = True

    def resolve(self, workspace, params):
        return target_for(get_row(Charge, workspace, params.get("charge"), "Charge"))

    def clean(self, target, params, adapter):
        charge: Charge = target.obj
        require_authorized(charge, "captured")
        amount = parse_amount(params, charge.currency, default=charge.amount)
        if amount > charge.amount:
            raise ActionError(f"Only {fmt(charge.amount, charge.currency)} was authorised.", field="amount", code="over_capture")
        if amount < charge.amount and not adapter.supports(Capability.PARTIAL_CAPTURE):
            raise ActionError(f"{adapter.display_name} only captures the full amount.", field="amount", code="not_supported")
        return {"amount": amount, "currency": charge.currency}

    def money(self, target, cleaned):
        return Money(cleaned["amount"], cleaned["currency"])

    def state_token(self, target):
        return target.obj.status

    def preview(self, target, cleaned, adapter, language):
        charge: Charge = target.obj
        amount, currency = cleaned["amount"], cleaned["currency"]
        kind = "full" if amount == charge.amount else "partial"
        return Preview(
            summary=f"Capture {fmt(amount, currency, language)} ({kind}) of payment {charge.remote_id} through {adapter.display_name}.",
            amount=Money(amount, currency),
            lines=(
                ("Authorised", fmt(charge.amount, currency, language)),
                ("Captured now", fmt(amount, currency, language)),
                ("Released", fmt(charge.amount - amount, currency, language)),
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
