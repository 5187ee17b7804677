"""Helpers for the write-path tests: a merchant's view of the Stripe fake and syncing it into our DB.

The merchant client plays the Stripe dashboard (creating customers, cards, prices, charges); `sync_connection`
pulls everything into the local database the way backfill does (adapter.list_page + upsert_many), so actions
run against the same rows the panel shows.
"""

from __future__ import annotations

from dataclasses import replace

from chargeside.actions.runner import ActionRequest, action_preview
from chargeside.billing.upsert import upsert_many
from chargeside.gateways.registry import adapter_for

KEY = "sk_test_chargeside"


def sync_connection(connection) -> None:
    adapter = adapter_for(connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor)
            upsert_many(connection, page.items)
            if not (cursor := page.next_cursor):
                break


def customer_with_card(merchant, email="ada@example.com", card="pm_card_visa", name="Ada Lovelace") -> tuple[str, str]:
    customer = merchant.v1.customers.create({"email": email, "name": name})
    pm = merchant.v1.payment_methods.attach(card, {"customer": customer.id})
    merchant.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    return customer.id, pm.id


def paid_charge(merchant, customer: str, pm: str, amount: int = 5000, currency: str = "eur") -> str:
    pi = merchant.v1.payment_intents.create({"amount": amount, "currency": currency, "customer": customer, "payment_method": pm,
                                             "confirm": True, "off_session": True, "payment_method_types": ["card"]})
    return pi.latest_charge


def monthly_price(merchant, amount=2900, currency="eur", name="Pro") -> str:
    product = merchant.v1.products.create({"name": name})
    return merchant.v1.prices.create({"product": product.id, "unit_amount": amount, "currency": currency,
                                      "recurring": {"interval": "month"}}).id


def refunds_at_gateway(merchant, charge: str) -> list[int]:
    return [refund.amount for refund in merchant.v1.refunds.list({"charge": charge, "limit": 100}).data]


def ask(action: str, reason: str = "customer asked", **params) -> ActionRequest:
    return ActionRequest(action=action, params=params, reason=reason, ticket_url="https://desk.example.com/tickets/42")


def confirmed(member, request: ActionRequest) -> ActionRequest:
    """What the console and the panel send: the request plus the preview's confirm_params."""
    preview = action_preview(member=member, request=request)
    return replace(request, params={**request.params, **preview.confirm_params})


DAY = 86400


def subscribe(fake, merchant, customer: str, price: str, *, days_ago: int = 0, **params) -> str:
    """A subscription the customer took `days_ago` days ago (the fake's clock is moved back for the signup)."""
    fake.clock.offset -= days_ago * DAY
    try:
        return merchant.v1.subscriptions.create({"customer": customer, "items": [{"price": price}], **params}).id
    finally:
        fake.clock.offset += days_ago * DAY


def round_half_down(numerator: int, denominator: int) -> int:
    whole, rest = divmod(numerator, denominator)
    return whole + 1 if 2 * rest > denominator else whole
