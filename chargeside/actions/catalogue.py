"""Looking up what a subscription can be made of: prices and discounts synced from the gateway."""

from __future__ import annotations

from chargeside.billing.models import Coupon, Price, PromotionCode
from chargeside.core.formatting import money as fmt

from .base import ActionError
from .common import get_row


def recurring_price(workspace, ref, *, connection) -> Price:
    """An active recurring price of the same connection as the customer or subscription it is for."""
    price = get_row(Price, workspace, ref, "Price")
    if price.connection_id != connection.pk:
        raise ActionError(f"Price {price.remote_id} belongs to another connection.", field="price")
    if not price.active:
        raise ActionError(f"Price {price.remote_id} is archived and cannot be used for new subscriptions.", field="price", code="inactive_price")
    if not price.interval:
        raise ActionError(f"Price {price.remote_id} is a one-time price, not a recurring one.", field="price", code="not_recurring")
    return price


def price_label(price: Price, language: str = "en") -> str:
    name = price.nickname or (price.product.name if price.product_id else "") or price.remote_id
    every = price.interval if price.interval_count == 1 else f"{price.interval_count} {price.interval}s"
    return f"{name} ({fmt(price.unit_amount, price.currency, language)} / {every})"


def discount_for(connection, code: str) -> tuple[str, str]:
    """(coupon id, the code as the gateway spells it) for a coupon id or a promotion code known locally;
    promotion codes match case-insensitively, as customers type them.

    Returns (code, code) when nothing local matches: the gateway is then asked and refuses an unknown code
    with its own message, which the attempt records.
    """
    coupon = Coupon.objects.filter(connection=connection, remote_id=code).first()
    if coupon is not None:
        if not coupon.valid:
            raise ActionError(f"Coupon {code} is no longer valid.", field="coupon", code="invalid_coupon")
        return coupon.remote_id, coupon.remote_id
    promotion = PromotionCode.objects.filter(connection=connection, code__iexact=code).first()
    if promotion is not None:
        if not promotion.active:
            raise ActionError(f"Promotion code {promotion.code} is no longer active.", field="coupon", code="invalid_coupon")
        coupon = Coupon.objects.filter(connection=connection, remote_id=promotion.coupon_remote_id).first()
        if coupon is not None and not coupon.valid:
            raise ActionError(f"The coupon behind promotion code {promotion.code} is no longer valid.", field="coupon", code="invalid_coupon")
        return promotion.coupon_remote_id, promotion.code
    return code, code
