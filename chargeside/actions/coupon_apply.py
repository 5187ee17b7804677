"""Apply a discount (a coupon id or a promotion code) to a customer, or to one of their subscriptions.

A code known locally is checked here (valid, active); an unknown one is passed to the gateway, which
refuses it with its own message, recorded on the attempt.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Subscription
from chargeside.gateways.types import Capability, SubscriptionStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .catalogue import discount_for
from .common import customer_target, gateway_customer_from, get_row, target_for, text_param


class CouponApply(Action):
    name = "coupon_apply"
    label = "Apply a discount"
    permission = Perm.COUPON_APPLY
    capability = Capability.COUPON_APPLY

    def resolve(self, workspace, params):
        if params.get("subscription") not in (None, ""):
            return target_for(get_row(Subscription, workspace, params["subscription"], _("Subscription")), level="subscription")
        return customer_target(gateway_customer_from(workspace, params), level="customer")

    def clean(self, target, params, adapter):
        code = text_param(params, "code", max_length=200, required=True, label=_("a coupon or promotion code"))
        if target.extra["level"] == "subscription" and target.obj.status == SubscriptionStatus.CANCELED:
            raise ActionError(_("This subscription is canceled; a discount would never apply."), code="canceled")
        if target.extra["level"] == "customer" and target.obj.deleted:
            raise ActionError(_("This customer was deleted at the gateway."), code="deleted_customer")
        coupon, code = discount_for(target.connection, code)  # the code as the gateway spells it
        current = target.obj.coupon_remote_ids if target.extra["level"] == "subscription" else [target.obj.coupon_remote_id]
        if coupon in current:
            raise ActionError(_("%(code)s is already applied.") % {"code": code}, field="code", code="already_applied")
        return {"code": code, "coupon": coupon, "label": code}

    def state_token(self, target):
        obj = target.obj
        return ",".join(obj.coupon_remote_ids) if target.extra["level"] == "subscription" else obj.coupon_remote_id

    def preview(self, target, cleaned, adapter, language):
        to = _("subscription %(id)s") % {"id": target.remote_id} if target.extra["level"] == "subscription" else (target.obj.email or target.remote_id)
        return Preview(
            summary=_("Apply %(code)s to %(to)s through %(gateway)s.") % {"code": cleaned["label"], "to": to, "gateway": adapter.display_name},
            lines=((_("Discount"), cleaned["label"]), (_("Applies to"), to)),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        where = {"subscription_remote_id" if target.extra["level"] == "subscription" else "customer_remote_id": target.remote_id}
        return [adapter.coupon_apply(code=cleaned["code"], idempotency_key=idempotency_key, **where)]
