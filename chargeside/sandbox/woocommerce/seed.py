"""Realistic store contents for demos and tests: `seed(fake, n)` creates n registered customers and about n/3
guest buyers, with paid, failed (decline note from the payment plugin), pending and on-hold orders in EUR, USD
and TRY, full and partial refunds, products, coupons and (with the extension) subscriptions in every status.
Deterministic for a given n. Returns what it made.
"""

from __future__ import annotations

import datetime as dt
import random

from . import shapes

FIRST = ["Ada", "Grace", "Alan", "Elif", "Mehmet", "Zeynep", "Hedy", "Linus", "Margaret", "Katherine", "Barbara", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Yılmaz", "Demir", "Kaya", "Lamarr", "Torvalds", "Hamilton", "Johnson", "Liskov", "Lee"]
DECLINES = ["Payment failed: Your card has insufficient funds.", "Payment failed: Your card was declined.",
            "Payment failed: Your card has expired.", "Payment failed: Your card's security code is incorrect."]
CURRENCIES = ["EUR", "EUR", "USD", "TRY"]


def seed(fake, n: int = 10) -> dict:
    rng = random.Random(n)
    made = {"customers": [], "guests": [], "orders": [], "refunds": [], "subscriptions": [], "products": [], "coupons": []}
    plan = fake.create_product("Coffee club", "19.00", subscription=True)
    beans = fake.create_product("Single origin beans", "14.50")
    made["products"] += [plan, beans]
    made["coupons"] += [fake.create_coupon("welcome10", "percent", "10"), fake.create_coupon("five-off", "fixed_cart", "5")]
    sub_statuses = ["active", "active", "on-hold", "pending-cancel", "cancelled", "expired", "pending"]
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        email = f"{first.lower()}.{last.lower()}{i}@example.com".replace("ı", "i")
        created = shapes.now() - dt.timedelta(days=rng.randint(20, 400))
        customer = fake.create_customer(email, first, last, f"+90 555 {i:03d} {rng.randint(1000, 9999)}", created=created)
        made["customers"].append(customer)
        currency = CURRENCIES[i % len(CURRENCIES)]
        paid = fake.create_order(customer_id=customer["id"], total=f"{rng.randint(10, 300)}.{rng.randint(0, 99):02d}", currency=currency,
                                 status=rng.choice(["processing", "completed"]), product=beans,
                                 created=created + dt.timedelta(days=1))
        made["orders"].append(paid)
        if i % 3 == 0:  # a partial refund
            made["refunds"].append(fake.create_refund(paid["id"], amount="5.00", reason="Damaged in transit"))
        if i % 5 == 1:  # a full refund
            made["refunds"].append(fake.create_refund(paid["id"], amount=fake.remaining(fake.get_order(paid["id"])), reason="Returned"))
        if i % 4 == 2:
            made["orders"].append(fake.create_order(customer_id=customer["id"], total="39.90", currency=currency, status="failed",
                                                    note=DECLINES[i % len(DECLINES)]))
        if i % 6 == 3:
            made["orders"].append(fake.create_order(customer_id=customer["id"], total="25.00", currency=currency, status="on-hold",
                                                    payment_method="bacs"))
        if fake.subscriptions_enabled and i % 2 == 0:
            made["subscriptions"].append(fake.create_subscription(customer_id=customer["id"], product=plan, currency=currency,
                                                                  status=sub_statuses[(i // 2) % len(sub_statuses)],
                                                                  parent_id=paid["id"]))
    for j in range(max(1, n // 3)):
        email = f"guest{j}@example.org"
        order = fake.create_order(email=email, first_name="Guest", last_name=f"Buyer {j}", total="12.00",
                                  currency=CURRENCIES[j % len(CURRENCIES)], status="completed", payment_method="ppcp-gateway")
        made["guests"].append(email)
        made["orders"].append(order)
    return made
