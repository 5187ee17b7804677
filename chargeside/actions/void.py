"""Void an authorisation: release the held money without collecting any of it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Charge
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability
from chargeside.workspaces.roles import Perm

from .base import Action, Preview
from .capture import require_authorized
from .common import charge_dto, get_row, target_for


class Void(Action):
    name = "void"
    label = "Void an authorisation"
    permission = Perm.CAPTURE
    capability = Capability.VOID
    requires_reason = True  # no money moves, but a customer's payment is dropped: say why

    def resolve(self, workspace, params):
        return target_for(get_row(Charge, workspace, params.get("charge"), _("Charge")))

    def clean(self, target, params, adapter):
        require_authorized(target.obj, "voided")
        return {"currency": target.obj.currency}

    def state_token(self, target):
        return target.obj.status

    def preview(self, target, cleaned, adapter, language):
        charge: Charge = target.obj
        held = fmt(charge.amount, charge.currency, language)
        return Preview(
            summary=_("Release the %(amount)s held by payment %(charge)s; nothing is collected.") % {"amount": held, "charge": charge.remote_id},
            amount=Money(charge.amount, charge.currency),
            lines=((_("Held"), held), (_("Collected"), fmt(0, charge.currency, language))),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.void(charge=charge_dto(target.obj), idempotency_key=idempotency_key)]
