"""Looking up what a subscription can be made of: prices and discounts synced from the gateway."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chargeside.billing.models import Coupon, Price, PromotionCode
from chargeside.core.formatting import money as fmt

from .base import ActionError
from .common import get_row


def recurring_price(workspace, ref, *, connection) -> Price:
    """An active recurring price of the same connection as the customer or subscription it is for."""
    price = get_row(Price, workspace, ref, _("Price"))
    if price.connection_id != connection.pk:
        raise ActionError(_("Price %(price)s belongs to another connection.") % {"price": price.remote_id}, field="price")
    if not price.active:
        raise ActionError(_("Price %(price)s is archived and cannot be used for new subscriptions.") % {"price": price.remote_id}, field="price",
                          code="inactive_price")
    if not price.interval:
        raise ActionError(_("Price %(price)s is a one-time price, not a recurring one.") % {"price": price.remote_id}, field="price",
                          code="not_recurring")
    return price


def price_label(price: Price, language: str = "en") -> str:
    name = price.nickname or (price.product.name if price.product_id else "") or price.remote_id
    return f"{name} ({fmt(price.unit_amount, price.currency, language)} / {_every(price.interval, price.interval_count)})"


def _every(interval: str, count: int) -> str:
    if count == 1:
        return {"day": _("day"), "week": _("week"), "month": _("month"), "year": _("year")}.get(interval, interval)
    words = {
        "day": ngettext("%(count)d day", "%(count)d days", count), "week": ngettext("%(count)d week", "%(count)d weeks", count),
        "month": ngettext("%(count)d month", "%(count)d months", count), "year": ngettext("%(count)d year", "%(count)d years", count),
    }
    return words.get(interval, f"%(count)d {interval}") % {"count": count}


def discount_for(connection, code: str) -> tuple[str, str]:
    """(coupon id, the code as the gateway spells it) for a coupon id or a promotion code known locally;
    promotion codes match case-insensitively, as customers type them.

    Returns (code, code) when nothing local matches: the gateway is then asked and refuses an unknown code
    with its own message, which the attempt records.
    """
    coupon = Coupon.objects.filter(connection=connection, remote_id=code).first()
    if coupon is not None:
        if not coupon.valid:
            raise ActionError(_("Coupon %(code)s is no longer valid.") % {"code": code}, field="coupon", code="invalid_coupon")
        return coupon.remote_id, coupon.remote_id
    promotion = PromotionCode.objects.filter(connection=connection, code__iexact=code).first()
    if promotion is not None:
        if not promotion.active:
            raise ActionError(_("Promotion code %(code)s is no longer active.") % {"code": promotion.code}, field="coupon", code="invalid_coupon")
        coupon = Coupon.objects.filter(connection=connection, remote_id=promotion.coupon_remote_id).first()
        if coupon is not None and not coupon.valid:
            raise ActionError(_("The coupon behind promotion code %(code)s is no longer valid.") % {"code": promotion.code}, field="coupon",
                              code="invalid_coupon")
        return promotion.coupon_remote_id, promotion.code
    return code, code
