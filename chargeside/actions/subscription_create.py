"""Start a subscription for a customer's gateway account from the synced catalogue (active recurring
prices of the same connection), with an optional trial, discount and payment method."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from chargeside.billing.models import PaymentMethod, Price
from chargeside.core.formatting import date as fmt_date
from chargeside.gateways.types import Capability
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .catalogue import discount_for, price_label, recurring_price
from .common import customer_target, finished_count, gateway_customer_from, get_row, text_param

MAX_TRIAL_DAYS = 730  # Stripe's ceiling; longer trials are refused by the gateway anyway


class SubscriptionCreate(Action):
    name = "subscription_create"
    label = "Start a subscription"
    permission = Perm.SUBSCRIPTION_CREATE
    capability = Capability.SUBSCRIPTION_CREATE

    def resolve(self, workspace, params):
        price = get_row(Price, workspace, params.get("price"), _("Price"))
        return customer_target(gateway_customer_from(workspace, params, connection=price.connection))

    def clean(self, target, params, adapter):
        account = target.obj
        if account.deleted:
            raise ActionError(_("This customer was deleted at the gateway."), code="deleted_customer")
        price = recurring_price(account.workspace, params.get("price"), connection=target.connection)
        cleaned = {"price": price.remote_id, "trial_days": None, "coupon": "", "discount_label": "", "payment_method": ""}
        trial = str(params.get("trial_days") or "").strip()
        if trial:
            if not trial.isdigit() or not 1 <= int(trial) <= MAX_TRIAL_DAYS:
                raise ActionError(_("Trial days must be a whole number from 1 to %(max)d.") % {"max": MAX_TRIAL_DAYS}, field="trial_days")
            cleaned["trial_days"] = int(trial)
        if code := text_param(params, "coupon", max_length=200):
            cleaned["coupon"], cleaned["discount_label"] = discount_for(target.connection, code)
        if method_ref := params.get("payment_method"):
            method = get_row(PaymentMethod, account.workspace, method_ref, _("Payment method"))
            if method.gateway_customer_id != account.pk:
                raise ActionError(_("That payment method belongs to someone else."), field="payment_method")
            cleaned["payment_method"] = method.remote_id
        return cleaned

    def state_token(self, target):
        # The same click again is one subscription; a deliberate second one after the first is a new attempt.
        return str(finished_count(target.connection.workspace_id, self.name, target.remote_id))

    def preview(self, target, cleaned, adapter, language):
        price = Price.objects.select_related("product").get(connection=target.connection, remote_id=cleaned["price"])
        who = target.obj.email or target.obj.name or target.remote_id
        lines = [(_("Plan"), price_label(price, language))]
        if cleaned["trial_days"]:
            lines.append((_("Trial"), _("%(days)s days") % {"days": cleaned["trial_days"]}))
        if cleaned["coupon"]:
            lines.append((_("Discount"), cleaned["discount_label"]))
        if cleaned["payment_method"]:
            lines.append((_("Payment method"), cleaned["payment_method"]))
        values = {"plan": price_label(price, language), "who": who, "gateway": adapter.display_name}
        if cleaned["trial_days"]:
            summary = _("Start %(plan)s for %(who)s through %(gateway)s; first charge after the trial.") % values
        else:
            summary = _("Start %(plan)s for %(who)s through %(gateway)s; first charge today (%(date)s).") % {
                **values, "date": fmt_date(timezone.now(), language)}
        return Preview(
            summary=summary,
            lines=tuple(lines),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.subscription_create(
            customer_remote_id=target.remote_id, price_remote_id=cleaned["price"], idempotency_key=idempotency_key,
            trial_days=cleaned["trial_days"], coupon_remote_id=cleaned["coupon"], payment_method_remote_id=cleaned["payment_method"],
        )]

