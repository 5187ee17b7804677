"""Change a subscription's plan, with the gateway's own proration preview before confirming.

The preview asks the gateway what the next invoice will be (Stripe: create_preview / upcoming invoice) at a
`proration_date` it then hands back in `confirm_params`; execution uses that same instant, so what was
previewed is what happens. The proration date is left out of the idempotency key: two confirmations of
the same change are one attempt.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Price, Subscription
from chargeside.core.formatting import date as fmt_date
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability, SubscriptionStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .catalogue import price_label, recurring_price
from .common import epoch, from_epoch, get_row, pinned_instant, status_words, subscription_dto, target_for

CHANGEABLE = {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE}


class SubscriptionChange(Action):
    name = "subscription_change"
    label = "Change plan"
    permission = Perm.SUBSCRIPTION_CREATE
    capability = Capability.SUBSCRIPTION_CHANGE

    def resolve(self, workspace, params):
        return target_for(get_row(Subscription, workspace, params.get("subscription"), _("Subscription")))

    def clean(self, target, params, adapter):
        subscription: Subscription = target.obj
        if subscription.status not in CHANGEABLE:
            raise ActionError(_("A subscription that is %(status)s cannot change plan.") % {"status": status_words(subscription.status)},
                              code="not_changeable")
        price = recurring_price(subscription.workspace, params.get("price"), connection=target.connection)
        if price.remote_id == subscription.price_remote_id:
            raise ActionError(_("The subscription is already on this price."), field="price", code="same_price")
        if subscription.currency and price.currency != subscription.currency:
            raise ActionError(
                _("This subscription is billed in %(currency)s; choose a %(currency)s price.") % {"currency": subscription.currency}, field="price",
                code="currency_mismatch",
            )
        proration_date = pinned_instant(params, "proration_date")
        start, end = subscription.current_period_start, subscription.current_period_end
        if start and end and not start <= proration_date <= end:
            raise ActionError(_("The current period has ended; sync the subscription and preview again."), code="stale_preview")
        return {"price": price.remote_id, "proration_date": epoch(proration_date)}

    def key_params(self, cleaned):
        return {"price": cleaned["price"]}

    def state_token(self, target):
        return target.obj.price_remote_id

    def preview(self, target, cleaned, adapter, language):
        subscription: Subscription = target.obj
        new = Price.objects.select_related("product").get(connection=target.connection, remote_id=cleaned["price"])
        current = Price.objects.select_related("product").filter(connection=target.connection, remote_id=subscription.price_remote_id).first()
        quote = adapter.subscription_change_preview(
            subscription=subscription_dto(subscription), price_remote_id=new.remote_id, proration_date=from_epoch(cleaned["proration_date"]),
        )
        due = fmt(quote.amount_due, quote.currency, language)
        when = fmt_date(quote.next_payment_at, language) if quote.next_payment_at else _("at the next renewal")
        return Preview(
            summary=_("Move to %(plan)s; the next invoice (%(when)s) will be %(due)s.") % {"plan": price_label(new, language), "when": when, "due": due},
            amount=Money(quote.amount_due, quote.currency),
            lines=(
                (_("Current plan"), price_label(current, language) if current else subscription.plan_name or subscription.price_remote_id),
                (_("New plan"), price_label(new, language)),
                (_("Proration"), fmt(quote.proration_amount, quote.currency, language)),
                (_("Next invoice"), f"{due} ({when})"),
            ),
            confirm_params={"price": new.remote_id, "proration_date": cleaned["proration_date"]},
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.subscription_change(
            subscription=subscription_dto(target.obj), price_remote_id=cleaned["price"],
            proration_date=from_epoch(cleaned["proration_date"]), idempotency_key=idempotency_key,
        )]
