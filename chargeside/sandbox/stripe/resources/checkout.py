"""Checkout Sessions in ``mode=setup`` and the tiny hosted page behind their ``url``.

Submitting the page makes a new test card, attaches it to the customer through the
session's SetupIntent, completes the session (``checkout.session.completed``) and
redirects to ``success_url``. Only setup mode is offered: payment/subscription checkout is
not something the adapters drive.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from .. import errors, forms, shapes
from ..context import Ctx
from ..listing import list_objects
from ..router import route
from . import cards, payment_methods, setup_intents

if TYPE_CHECKING:
    from ..fake import StripeFake

shapes.register(
    "checkout.session",
    {
        "adaptive_pricing": None, "after_expiration": None, "allow_promotion_codes": None,
        "amount_subtotal": None, "amount_total": None,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None, "cancel_url": None, "client_reference_id": None,
        "client_secret": None, "collected_information": None, "consent": None, "consent_collection": None,
        "currency": None, "currency_conversion": None, "custom_fields": [],
        "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                        "terms_of_service_acceptance": None},
        "customer": None, "customer_creation": None, "customer_details": None, "customer_email": None,
        "discounts": [], "invoice": None, "invoice_creation": None, "locale": None, "metadata": {},
        "mode": "setup", "payment_intent": None, "payment_link": None, "payment_method_collection": "always",
        "payment_method_configuration_details": None, "payment_method_options": {},
        "payment_method_types": ["card"], "payment_status": "no_payment_required",
        "phone_number_collection": {"enabled": False}, "recovered_from": None,
        "saved_payment_method_options": None, "shipping_address_collection": None, "shipping_cost": None,
        "shipping_details": None, "shipping_options": [], "submit_type": None, "subscription": None,
        "total_details": None, "ui_mode": "hosted",
    },
)

PAGE_CARDS = [("visa", "Visa •••• 4242"), ("mastercard", "Mastercard •••• 4444"), ("amex", "Amex •••• 0005"),
              ("tr", "Visa (Türkiye) •••• 0007"), ("chargeDeclinedInsufficientFunds", "Visa •••• 9995 (insufficient funds)"),
              ("chargeCustomerFail", "Visa •••• 0341 (declines when charged)")]


@route("POST", "/v1/checkout/sessions")
def create(ctx: Ctx) -> dict:
    p = ctx.params
    mode = forms.get_str(p, "mode", required=True)
    if mode != "setup":
        raise errors.invalid_param("mode", f"The sandbox only supports Checkout in setup mode, not {mode!r}.",
                                   code="parameter_invalid_string")
    success_url = forms.get_str(p, "success_url", required=True)
    customer = forms.get_str(p, "customer")
    if customer:
        ctx.load("customer", customer, "customer")
    si_data = forms.get_dict(p, "setup_intent_data") or {}
    seti = setup_intents.new_setup_intent(ctx, customer, metadata=forms.merge_metadata({}, si_data),
                                          description=si_data.get("description") or None)
    object_id = ctx.new_id("cs")
    session = shapes.defaults("checkout.session")
    session.update(
        id=object_id, object="checkout.session", created=ctx.now, expires_at=ctx.now + 86400,
        customer=customer, customer_email=forms.get_str(p, "customer_email"), success_url=success_url,
        cancel_url=forms.get_str(p, "cancel_url"), currency=(forms.get_str(p, "currency") or "").lower() or None,
        client_reference_id=forms.get_str(p, "client_reference_id"), metadata=forms.merge_metadata({}, p),
        locale=forms.get_str(p, "locale"), setup_intent=seti["id"], status="open",
        url=f"{ctx.base_url}/checkout/{object_id}",
    )
    return ctx.save(session)


@route("GET", "/v1/checkout/sessions/{session}")
def retrieve(ctx: Ctx, session: str) -> dict:
    return ctx.load("checkout.session", session)


@route("POST", "/v1/checkout/sessions/{session}/expire")
def expire(ctx: Ctx, session: str) -> dict:
    obj = ctx.load("checkout.session", session)
    if obj["status"] != "open":
        raise errors.invalid_request(f"Only Checkout Sessions with a status in [\"open\"] can be expired. "
                                     f"This Checkout Session has a status of \"{obj['status']}\".")
    obj.update(status="expired", url=None)
    ctx.save(obj)
    ctx.emit("checkout.session.expired", obj)
    return obj


@route("GET", "/v1/checkout/sessions")
def list_(ctx: Ctx) -> dict:
    p = ctx.params
    where = {k: p[k] for k in ("customer", "status") if forms.get_str(p, k)}
    if forms.get_str(p, "setup_intent"):
        where["parent"] = p["setup_intent"]
    return list_objects(ctx, "checkout.session", "/v1/checkout/sessions", where=where)


# -- the hosted page ----------------------------------------------------------------------------


def complete(ctx: Ctx, session: dict, card_key: str, exp_month: int, exp_year: int) -> dict:
    card = cards.by_token("pm_card_" + card_key) or cards.by_token("pm_card_visa")
    pm = payment_methods.new_payment_method(ctx.new_id("pm"), ctx.now, card, exp_month, exp_year)
    ctx.save(pm)
    seti = ctx.load("setup_intent", session["setup_intent"])
    setup_intents.succeed(ctx, seti, pm)
    cust = ctx.store.get(session["customer"], "customer") if session.get("customer") else None
    session.update(status="complete", url=None, customer_details={
        "address": None, "business_name": None, "email": (cust or {}).get("email") or session.get("customer_email"),
        "individual_name": None, "name": (cust or {}).get("name"), "phone": None, "tax_exempt": "none",
        "tax_ids": [],
    })
    ctx.save(session)
    ctx.emit("checkout.session.completed", session)
    return session


def hosted_page(fake: StripeFake, method: str, path: str, body: bytes, base_url: str | None):
    from ..api import Response

    session_id = path.rstrip("/").rsplit("/", 1)[-1]
    session = fake.store.get(session_id, "checkout.session")
    if session is None:
        return _html(404, "<h1>Checkout session not found</h1>")
    if session["status"] != "open":
        return _html(410, f"<h1>This checkout session is {html.escape(session['status'])}.</h1>")
    if method == "POST":
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        if form.get("action") == "cancel":
            return Response(303, b"", {"Location": session.get("cancel_url") or session["success_url"]})
        ctx = Ctx(fake, method="POST", path=path, base_url=base_url)
        try:
            month = int(form.get("exp_month") or 12)
            year = int(form.get("exp_year") or 2030)
        except ValueError:
            return _html(400, "<h1>Invalid expiry date</h1>")
        with fake.store.tx():
            complete(ctx, session, form.get("card", "visa"), month, year)
        fake.dispatch(ctx.events)
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        return Response(303, b"", {"Location": target})
    cust = fake.store.get(session["customer"], "customer") if session.get("customer") else None
    who = html.escape(((cust or {}).get("name") or "") + " " + ((cust or {}).get("email") or session.get("customer_email") or ""))
    options = "".join(f'<option value="{html.escape(k)}">{html.escape(label)}</option>' for k, label in PAGE_CARDS)
    return _html(200, f"""<h1>Update your card</h1>
<p>Sandbox checkout for <strong>{who.strip() or "an unknown customer"}</strong>. No real card data is accepted.</p>
<form method="post">
  <label>Test card <select name="card">{options}</select></label><br>
  <label>Expiry <input name="exp_month" value="12" size="2"> / <input name="exp_year" value="2030" size="4"></label><br>
  <button name="action" value="submit" type="submit">Save card</button>
  <button name="action" value="cancel" type="submit">Cancel</button>
</form>""")


def _html(status: int, inner: str):
    from ..api import Response

    page = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox Checkout</title>"
            f"<style>body{{font-family:system-ui;max-width:32rem;margin:3rem auto}}</style></head>"
            f"<body>{inner}</body></html>")
    return Response(status, page.encode("utf-8"), {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action *",
    })
