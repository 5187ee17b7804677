"""Refund a charge, fully or partly; several partial refunds up to what remains."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Charge
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability, ChargeStatus, ResourceKind
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import active_language, charge_dto, get_row, parse_amount, status_words, target_for

REFUNDABLE = {ChargeStatus.SUCCEEDED, ChargeStatus.PARTIALLY_REFUNDED}


class Refund(Action):
    name = "refund"
    label = "Refund"
    permission = Perm.REFUND
    capability = Capability.REFUND
    moves_money = True

    def resolve(self, workspace, params):
        return target_for(get_row(Charge, workspace, params.get("charge"), _("Charge")))

    def clean(self, target, params, adapter):
        charge: Charge = target.obj
        if charge.status not in REFUNDABLE or charge.refundable <= 0:
            raise ActionError(_("This charge cannot be refunded (it is %(status)s).") % {"status": status_words(charge.status)},
                              code="not_refundable")
        amount = parse_amount(params, charge.currency, default=charge.refundable)
        if amount > charge.refundable:
            raise ActionError(
                _("Only %(amount)s of this charge can still be refunded.") % {"amount": fmt(charge.refundable, charge.currency, active_language())},
                field="amount", code="over_refund",
            )
        if amount < charge.refundable and not adapter.supports(Capability.PARTIAL_REFUND):
            raise ActionError(_("%(gateway)s only refunds the full amount.") % {"gateway": adapter.display_name}, field="amount",
                              code="not_supported")
        return {"amount": amount, "currency": charge.currency}

    def money(self, target, cleaned):
        return Money(cleaned["amount"], cleaned["currency"])

    def state_token(self, target):
        return f"{target.obj.amount_refunded}"

    def preview(self, target, cleaned, adapter, language):
        charge: Charge = target.obj
        amount, currency = cleaned["amount"], cleaned["currency"]
        full = amount == charge.refundable and charge.amount_refunded == 0
        summary = _("Refund %(amount)s (full) of charge %(charge)s through %(gateway)s.") if full else \
            _("Refund %(amount)s (partial) of charge %(charge)s through %(gateway)s.")
        return Preview(
            summary=summary % {"amount": fmt(amount, currency, language), "charge": charge.remote_id, "gateway": adapter.display_name},
            amount=Money(amount, currency),
            lines=(
                (_("Charged"), fmt(charge.amount_captured, currency, language)),
                (_("Already refunded"), fmt(charge.amount_refunded, currency, language)),
                (_("This refund"), fmt(amount, currency, language)),
                (_("Remaining after"), fmt(charge.refundable - amount, currency, language)),
            ),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        charge: Charge = target.obj
        refund = adapter.refund(
            charge=charge_dto(charge), amount=Money(cleaned["amount"], cleaned["currency"]), reason="requested_by_customer",
            idempotency_key=idempotency_key, metadata={"chargeside_attempt": idempotency_key},
        )
        # The refund changes the charge; read it back so the panel shows the gateway's truth at once.
        return [refund, adapter.fetch(ResourceKind.CHARGE, charge.remote_id)]
