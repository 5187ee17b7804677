"""Authorise a payment on a customer's saved payment method, to be captured (or voided) later.

The gateway holds the money on the card (manual capture); nothing is collected until `capture`. The
amount counts against the member's limits like a refund does: it is money the agent decides to take.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import PaymentMethod
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money, MoneyError, normalise_currency
from chargeside.gateways.types import Capability
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import finished_count, get_row, parse_amount, target_for, text_param


class Authorize(Action):
    name = "authorize"
    label = "Authorise a payment"
    permission = Perm.CAPTURE
    capability = Capability.AUTHORIZE
    moves_money = True

    def resolve(self, workspace, params):
        method = get_row(PaymentMethod, workspace, params.get("payment_method"), _("Payment method"))
        if method.gateway_customer_id is None:
            raise ActionError(_("This payment method is not attached to a customer."), field="payment_method", code="no_customer")
        return target_for(method)

    def clean(self, target, params, adapter):
        try:
            currency = normalise_currency(str(params.get("currency") or ""))
        except MoneyError as exc:
            raise ActionError(str(exc), field="currency") from None
        amount = parse_amount(params, currency)
        description = text_param(params, "description", max_length=200)
        return {"amount": amount, "currency": currency, "description": description}

    def money(self, target, cleaned):
        return Money(cleaned["amount"], cleaned["currency"])

    def state_token(self, target):
        # A second, deliberate authorisation of the same amount after the first is over is a new attempt.
        return str(finished_count(target.connection.workspace_id, self.name, target.remote_id))

    def preview(self, target, cleaned, adapter, language):
        method: PaymentMethod = target.obj
        amount = fmt(cleaned["amount"], cleaned["currency"], language)
        card = f"{method.brand or method.type} •••• {method.last4}".strip()
        return Preview(
            summary=_("Authorise %(amount)s on %(card)s through %(gateway)s; capture it later.")
            % {"amount": amount, "card": card, "gateway": adapter.display_name},
            amount=Money(cleaned["amount"], cleaned["currency"]),
            lines=((_("Amount held"), amount), (_("Payment method"), card), (_("Description"), cleaned["description"] or "—")),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        method: PaymentMethod = target.obj
        charge = adapter.authorize(
            customer_remote_id=method.customer_remote_id, payment_method_remote_id=method.remote_id,
            amount=Money(cleaned["amount"], cleaned["currency"]), description=cleaned["description"],
            idempotency_key=idempotency_key,
        )
        return [charge]
