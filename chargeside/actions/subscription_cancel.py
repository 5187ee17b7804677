"""Cancel a subscription now or at the end of its period; when cancelling now, optionally refund the unused
part of the current period.

The refund is the unused share of the charge that paid the latest paid invoice of the current period:

    refund = captured × (period_end − as_of) ÷ (period_end − period_start)

in whole seconds and integer minor units, rounded to the nearest minor unit with an exact half rounded
DOWN (the gateway can only move whole minor units; on a tie the merchant keeps the half unit, so a refund
never exceeds the exact pro-rata share by more than half a unit and never by a tie). It is capped at what
is still refundable on that charge. `as_of` is fixed by the preview and sent back on confirm
(`confirm_params`), so the amount the agent saw is the amount refunded.

Order at the gateway: refund first, then cancel, each with its own idempotency key derived from the
attempt. A refused refund leaves the subscription running (nothing half-done); a cancel that fails after
the refund is retried as the same attempt, and the gateway replays the refund instead of repeating it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from chargeside.billing.models import Charge, Invoice, Subscription
from chargeside.core.formatting import date as fmt_date
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.errors import GatewayError
from chargeside.gateways.types import Capability, InvoiceStatus, ResourceKind, SubscriptionStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import charge_dto, epoch, flag, from_epoch, get_row, pinned_instant, target_for

# A renewal invoice is created at the period boundary; allow for gateways that stamp it a little early.
_INVOICE_SLACK = dt.timedelta(hours=1)


def unused_share(amount: int, *, period_start: dt.datetime, period_end: dt.datetime, as_of: dt.datetime) -> int:
    """The part of `amount` (minor units) that pays for the time from `as_of` to the period's end."""
    period = int((period_end - period_start).total_seconds())
    if period <= 0:
        raise ActionError(_("The subscription's current period has no length; nothing to prorate."), code="no_period")
    unused = min(max(int((period_end - as_of).total_seconds()), 0), period)
    whole, rest = divmod(amount * unused, period)
    return whole + 1 if 2 * rest > period else whole  # nearest; an exact half rounds down


def paid_charge_for_period(subscription: Subscription) -> tuple[Invoice, Charge]:
    invoice = (
        Invoice.objects.filter(
            connection=subscription.connection, subscription_remote_id=subscription.remote_id, status=InvoiceStatus.PAID,
            remote_created_at__gte=subscription.current_period_start - _INVOICE_SLACK,
        )
        .exclude(charge_remote_id="", intent_remote_id="")
        .order_by("-remote_created_at", "-id")
        .first()
    )
    if invoice is None:
        raise ActionError(
            _("No paid invoice was found for the current period, so there is no unused time to refund."), code="nothing_to_refund",
            field="refund_unused",
        )
    # The invoice names its charge, or (Stripe since basil) only the PaymentIntent whose charge paid it.
    paid_by = Q(remote_id=invoice.charge_remote_id) if invoice.charge_remote_id else Q(intent_remote_id=invoice.intent_remote_id)
    charge = Charge.objects.filter(paid_by, connection=subscription.connection).order_by("-remote_created_at", "-id").first()
    if charge is None:
        raise ActionError(
            _("The payment of invoice %(invoice)s has not been synced yet; try again shortly.") % {"invoice": invoice.number or invoice.remote_id},
            code="not_synced", field="refund_unused",
        )
    return invoice, charge


def _days(span: dt.timedelta) -> str:
    tenths = (int(span.total_seconds()) * 10 + 43200) // 86400  # whole tenths of a day, rounded
    return f"{tenths // 10}.{tenths % 10}"


class SubscriptionCancel(Action):
    name = "subscription_cancel"
    label = "Cancel subscription"
    permission = Perm.SUBSCRIPTION_CANCEL
    capability = Capability.SUBSCRIPTION_CANCEL
    moves_money = True  # only when refunding unused time (money() is None otherwise)
    requires_reason = True

    def resolve(self, workspace, params):
        return target_for(get_row(Subscription, workspace, params.get("subscription"), _("Subscription")))

    def clean(self, target, params, adapter):
        subscription: Subscription = target.obj
        if subscription.status == SubscriptionStatus.CANCELED:
            raise ActionError(_("This subscription is already canceled."), code="already_canceled")
        when = str(params.get("when") or "").strip().lower()
        if when not in {"now", "period_end"}:
            raise ActionError(_("Choose when to cancel: now or at the end of the period."), field="when")
        refund_unused = flag(params, "refund_unused")
        if when == "period_end":
            if refund_unused:
                raise ActionError(_("Unused time can only be refunded when cancelling now."), field="refund_unused")
            if not adapter.supports(Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END):
                raise ActionError(_("%(gateway)s cannot cancel at the end of the period.") % {"gateway": adapter.display_name}, field="when",
                                  code="not_supported")
            if subscription.cancel_at_period_end:
                raise ActionError(_("This subscription is already set to cancel at the end of its period."), code="already_canceling")
            return {"at_period_end": True, "refund": None}
        return {"at_period_end": False, "refund": self._refund(subscription, params, adapter) if refund_unused else None}

    def _refund(self, subscription: Subscription, params: dict, adapter) -> dict:
        if not adapter.supports(Capability.PARTIAL_REFUND):
            raise ActionError(_("%(gateway)s cannot refund part of a payment.") % {"gateway": adapter.display_name}, field="refund_unused",
                              code="not_supported")
        if subscription.current_period_start is None or subscription.current_period_end is None:
            raise ActionError(_("The subscription's current period is unknown, so unused time cannot be computed."), code="no_period")
        as_of = pinned_instant(params, "as_of")
        if not subscription.current_period_start <= as_of <= subscription.current_period_end:
            raise ActionError(_("The current period has ended; sync the subscription and preview again."), code="stale_preview")
        invoice, charge = paid_charge_for_period(subscription)
        share = unused_share(charge.amount_captured, period_start=subscription.current_period_start,
                             period_end=subscription.current_period_end, as_of=as_of)
        amount = min(share, charge.refundable)
        if amount <= 0:
            raise ActionError(_("Nothing of the period's payment is left to refund."), code="nothing_to_refund", field="refund_unused")
        return {"charge": charge.remote_id, "invoice": invoice.remote_id, "amount": amount, "currency": charge.currency,
                "as_of": epoch(as_of), "share": share}

    def key_params(self, cleaned):
        # The same click seconds later is the same cancellation even though the unused time shrank.
        refund = cleaned["refund"]
        return {"at_period_end": cleaned["at_period_end"], "refund_charge": refund["charge"] if refund else None}

    def money(self, target, cleaned):
        refund = cleaned["refund"]
        return Money(refund["amount"], refund["currency"]) if refund else None

    def state_token(self, target):
        return f"{target.obj.status}:{target.obj.cancel_at_period_end}"

    def preview(self, target, cleaned, adapter, language):
        subscription: Subscription = target.obj
        plan = subscription.plan_name or subscription.price_remote_id
        if cleaned["at_period_end"]:
            end = fmt_date(subscription.current_period_end, language)
            return Preview(
                summary=_("Cancel %(plan)s at the end of the current period (%(end)s); no refund.") % {"plan": plan, "end": end},
                lines=((_("Access until"), end), (_("Refund"), "—")),
            )
        refund = cleaned["refund"]
        if refund is None:
            return Preview(summary=_("Cancel %(plan)s now; no refund.") % {"plan": plan}, lines=((_("Access until"), _("now")), (_("Refund"), "—")))
        amount, currency = refund["amount"], refund["currency"]
        as_of = from_epoch(refund["as_of"])
        return Preview(
            summary=_("Cancel %(plan)s now and refund %(amount)s of unused time to charge %(charge)s.")
            % {"plan": plan, "amount": fmt(amount, currency, language), "charge": refund["charge"]},
            amount=Money(amount, currency),
            lines=(
                (_("Period"), f"{fmt_date(subscription.current_period_start, language)} – {fmt_date(subscription.current_period_end, language)}"),
                (_("Unused"), _("%(days)s days") % {"days": _days(subscription.current_period_end - as_of)}),
                (_("Refund"), fmt(amount, currency, language)),
            ),
            confirm_params={"as_of": refund["as_of"]},
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        subscription: Subscription = target.obj
        answers = []
        refund = cleaned["refund"]
        if refund:
            charge = Charge.objects.get(connection=target.connection, remote_id=refund["charge"])
            answers.append(adapter.refund(
                charge=charge_dto(charge), amount=Money(refund["amount"], refund["currency"]), reason="requested_by_customer",
                idempotency_key=f"{idempotency_key}-refund", metadata={"chargeside_attempt": idempotency_key},
            ))
        try:
            answers.append(adapter.subscription_cancel(
                subscription_remote_id=subscription.remote_id, at_period_end=cleaned["at_period_end"],
                idempotency_key=f"{idempotency_key}-cancel",
            ))
        except GatewayError as exc:
            if refund:
                exc.message = _("The refund went through but cancelling failed: %(error)s") % {"error": exc.message}
                exc.args = (exc.message,)
            raise
        if refund:
            answers.append(adapter.fetch(ResourceKind.CHARGE, refund["charge"]))
        return answers
