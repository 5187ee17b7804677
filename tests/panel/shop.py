"""A shop at the Stripe fake for the action tests of the panel and the console.

The merchant client plays the Stripe dashboard: a catalogue (Pro and Business in euros, Pro US in dollars,
an archived plan), a promotion code, and Ayşe with a saved Visa card who has been on Pro for ten days.
`sync()` loads it all the way backfill does (adapter.list_page + upsert_many); nothing of Chargeside's own
is mocked. Imported by tests/console too (`from panel.shop import ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import stripe

from chargeside.billing.models import GatewayCustomer, Price, Subscription
from chargeside.billing.upsert import upsert_many
from chargeside.gateways.registry import adapter_for

KEY = "sk_test_chargeside"
EMAIL = "ayse.yilmaz@example.com"
DAY = 86400


def sync(connection) -> None:
    adapter = adapter_for(connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)
            upsert_many(connection, page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the <select name=...> in a form."""
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, f"no select named {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


@dataclass
class Shop:
    merchant: stripe.StripeClient
    customer: str  # cus_...
    card: str  # pm_...
    subscription: str  # sub_... on Pro
    prices: dict  # pro, business, dollars, archived → price_...

    def account(self) -> GatewayCustomer:
        return GatewayCustomer.objects.get(remote_id=self.customer)

    def price(self, name: str) -> Price:
        return Price.objects.get(remote_id=self.prices[name])

    def subscription_row(self) -> Subscription:
        return Subscription.objects.get(remote_id=self.subscription)


def _price(merchant, name: str, amount: int, currency: str) -> str:
    product = merchant.v1.products.create({"name": name})
    return merchant.v1.prices.create({"product": product.id, "unit_amount": amount, "currency": currency,
                                      "recurring": {"interval": "month"}}).id


def foreign_price(workspace) -> Price:
    """A monthly euro plan of another workspace's Stripe connection (never called)."""
    from chargeside.connections.models import Connection
    from chargeside.gateways import types as t

    connection = Connection(workspace=workspace, provider="stripe", name="Theirs", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_theirs"})
    connection.save()
    upsert_many(connection, [t.PriceDTO(remote_id="price_theirs", product_remote_id="prod_theirs", currency="EUR", unit_amount=100,
                                        interval="month")])
    return Price.objects.get(connection=connection, remote_id="price_theirs")


def open_shop(fake, connection) -> Shop:
    merchant = stripe.StripeClient(KEY, base_addresses={"api": fake.base_url}, max_network_retries=0)
    prices = {"pro": _price(merchant, "Pro", 2900, "eur"), "business": _price(merchant, "Business", 4900, "eur"),
              "dollars": _price(merchant, "Pro US", 2900, "usd"), "archived": _price(merchant, "Legacy", 1900, "eur")}
    merchant.v1.prices.update(prices["archived"], {"active": False})
    merchant.v1.coupons.create({"id": "QUARTER", "percent_off": 25, "duration": "forever", "name": "25% off"})
    merchant.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": "QUARTER"}, "code": "SPRING25"})
    customer = merchant.v1.customers.create({"email": EMAIL, "name": "Ayşe Yılmaz"})
    card = merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    merchant.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": card.id}})
    fake.clock.offset -= 10 * DAY  # she signed up for Pro ten days ago
    try:
        subscription = merchant.v1.subscriptions.create({"customer": customer.id, "items": [{"price": prices["pro"]}]})
    finally:
        fake.clock.offset += 10 * DAY
    sync(connection)
    return Shop(merchant, customer.id, card.id, subscription.id, prices)
