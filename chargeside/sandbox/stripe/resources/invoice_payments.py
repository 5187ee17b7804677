"""Invoice payments (``/v1/invoice_payments``, API 2025-03-31.basil): how each invoice was paid.

Since basil an invoice no longer names its charge or PaymentIntent; its payments do, and this
API finds them by invoice or by PaymentIntent (the SDK's ``client.v1.invoice_payments``). The fake
keeps each invoice's payments inside the invoice (``payments``, see ``billing._payments_list``);
an invoice payment's id is ``inpay_`` + its PaymentIntent id's suffix, so either leads to the
other. Lists are newest invoice first.
"""

from __future__ import annotations

from .. import errors, forms
from ..context import Ctx
from ..listing import limit_of
from ..router import route

STATUSES = ("canceled", "open", "paid")


def _invoice_of_intent(ctx: Ctx, pi_id: str) -> dict | None:
    pi = ctx.store.get(pi_id, "payment_intent")
    return ctx.store.get(pi["invoice"], "invoice") if pi and pi.get("invoice") else None


def _payments(inv: dict | None, status: str | None = None) -> list[dict]:
    entries = ((inv or {}).get("payments") or {}).get("data") or []
    return [p for p in entries if status is None or p["status"] == status]


def find(ctx: Ctx, invoice_payment: str) -> dict | None:
    if not invoice_payment.startswith("inpay_"):
        return None
    inv = _invoice_of_intent(ctx, "pi_" + invoice_payment[len("inpay_"):])
    return next((p for p in _payments(inv) if p["id"] == invoice_payment), None)


@route("GET", "/v1/invoice_payments/{invoice_payment}")
def retrieve(ctx: Ctx, invoice_payment: str) -> dict:
    found = find(ctx, invoice_payment)
    if found is None:
        raise errors.no_such("invoice_payment", invoice_payment)
    return found


def _cursor(ctx: Ctx, param: str):
    """The list position (of its invoice) of the invoice payment named by ``starting_after``/``ending_before``."""
    value = forms.get_str(ctx.params, param)
    if not value:
        return None
    found = find(ctx, value)
    key = ctx.store.key_of(found["invoice"], "invoice") if found else None
    if key is None:
        raise errors.no_such("invoice_payment", value, param)
    return key


@route("GET", "/v1/invoice_payments")
def list_(ctx: Ctx) -> dict:
    p = ctx.params
    status = forms.get_str(p, "status")
    if status is not None and status not in STATUSES:
        raise errors.invalid_param("status", f"Invalid status: must be one of {', '.join(STATUSES)}",
                                   code="parameter_invalid_string")
    limit = limit_of(p)
    invoice_id = forms.get_str(p, "invoice")
    payment = forms.get_dict(p, "payment")
    if payment is not None:
        if payment.get("type") != "payment_intent":  # payment records are not simulated
            return _listing([], False)
        if not payment.get("payment_intent"):
            raise errors.missing_param("payment[payment_intent]")
        inv = _invoice_of_intent(ctx, payment["payment_intent"])
        found = [x for x in _payments(inv, status) if x["payment"]["payment_intent"] == payment["payment_intent"]
                 and invoice_id in (None, x["invoice"])]
        return _listing(found[:limit], len(found) > limit)
    if invoice_id:
        found = _payments(ctx.load("invoice", invoice_id, "invoice"), status)
        return _listing(found[:limit], len(found) > limit)
    after, before = _cursor(ctx, "starting_after"), _cursor(ctx, "ending_before")
    page = ctx.store.page("invoice", after=after, before=None if after else before, limit=limit,
                          predicate=lambda inv: bool(_payments(inv, status)))
    return _listing([x for inv in page.items for x in _payments(inv, status)], page.has_more)


def _listing(data: list[dict], has_more: bool) -> dict:
    return {"object": "list", "data": data, "has_more": has_more, "url": "/v1/invoice_payments"}
