"""`seed(fake, n)`: n realistic buyers with payments in EUR, USD and TRY, declines with their processor codes,
full and partial refunds, authorisations (held, captured, voided), subscriptions in several states, invoices
(draft, sent, paid, cancelled) and disputes (open, inquiry, won, lost). Deterministic for a given `seed_value`.

Webhooks are not delivered while seeding (nobody has subscribed yet); the events are still recorded.
"""

from __future__ import annotations

import random

from .fake import PayPalFake

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Barbara", "Edsger", "Margaret", "Donald", "Frances", "Ayşe", "Mehmet",
         "Zeynep", "Emre", "Elif", "Jean", "Hedy", "Dennis", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Liskov", "Dijkstra", "Hamilton", "Knuth", "Allen", "Yılmaz",
        "Kaya", "Demir", "Şahin", "Çelik", "Sammet", "Lamarr", "Ritchie", "Perlman", "Berners-Lee"]
CURRENCIES = [("EUR", "DE"), ("USD", "US"), ("TRY", "TR")]
DECLINES = ["insufficient_funds", "do_not_honor", "expired_card", "fraud"]
PLANS = [("Starter", 900), ("Pro", 2900), ("Team", 9900)]
SUB_STATES = ["ACTIVE", "ACTIVE", "SUSPENDED", "CANCELLED", "APPROVAL_PENDING", "EXPIRED"]


def seed(fake: PayPalFake, n: int, *, seed_value: int = 7) -> list[dict]:
    """Create n buyers and their history; returns the payer objects."""
    rng = random.Random(seed_value)
    c = fake.control
    hooks, fake.store.webhooks = fake.store.webhooks, {}
    try:
        plans = {}
        for currency, _ in CURRENCIES:
            product = c.product(f"Chargeside {currency}", "Support seats")
            plans[currency] = [c.plan(product["id"], f"{name} ({currency})", amount * (30 if currency == "TRY" else 1), currency)
                               for name, amount in PLANS]
        payers = []
        for i in range(n):
            currency, country = CURRENCIES[i % len(CURRENCIES)]
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
            email = f"{name.split()[0].lower()}.{i}@example.com".replace("ş", "s").replace("ç", "c").replace("ı", "i").replace("ğ", "g")
            payer = c.payer(email, name, country)
            payers.append(payer)
            scale = 30 if currency == "TRY" else 1
            for p in range(rng.randint(1, 3)):
                amount = rng.choice([1500, 2900, 4900, 12000, 25000]) * scale
                order = c.payment(payer, amount, currency, days_ago=rng.randint(1, 200), description=f"Order {i}-{p}")
                capture = c.capture_id(order)
                roll = rng.random()
                if roll < 0.2:
                    c.refund(capture, amount // 4)  # partial
                elif roll < 0.3:
                    c.refund(capture)  # full
                elif roll < 0.38:
                    c.dispute(capture, **rng.choice([{}, {"stage": "INQUIRY", "status": "WAITING_FOR_SELLER_RESPONSE"},
                                                     {"status": "RESOLVED", "outcome": "RESOLVED_SELLER_FAVOUR"},
                                                     {"status": "RESOLVED", "outcome": "RESOLVED_BUYER_FAVOUR"}]))
            if i % 4 == 1:
                c.payment(payer, rng.choice([2000, 5000]) * scale, currency, decline=rng.choice(DECLINES), days_ago=rng.randint(1, 60))
            if i % 5 == 2:
                order = c.payment(payer, 8000 * scale, currency, authorize=True, days_ago=rng.randint(0, 5))
                auth = c.authorization_id(order)
                if i % 3 == 0:
                    from .payments import void_authorization

                    with fake.store.lock:
                        void_authorization(fake.store, auth)
            if i % 2 == 0:
                plan = rng.choice(plans[currency])
                c.subscription(plan["id"], payer, status=SUB_STATES[(i // 2) % len(SUB_STATES)], started_days_ago=rng.randint(5, 400),
                               failed_payments=1 if i % 10 == 4 else 0)
            if i % 3 == 0:
                c.invoice(email, name, rng.choice([5000, 12000, 30000]) * scale, currency,
                          status=rng.choice(["DRAFT", "SENT", "PAID", "CANCELLED"]), description="Consulting")
        return payers
    finally:
        fake.store.webhooks = hooks


DEMO_EMAIL = "ayse.yilmaz@example.com"
DEMO_PAYER_ID = "AYSE2YLMZ3TR4"  # fixed, so the demo's links and tests name her PayPal account the same way every run


def seed_demo_customer(fake: PayPalFake) -> dict:
    """The demo's Ayşe Yılmaz as a PayPal buyer too (same email as at Stripe and Braintree), paying in USD: a recent
    order, an older one partly refunded, and a denied one. Returns her payer object."""
    c = fake.control
    hooks, fake.store.webhooks = fake.store.webhooks, {}
    try:
        payer = c.payer(DEMO_EMAIL, "Ayşe Yılmaz", "TR", payer_id=DEMO_PAYER_ID)
        c.payment(payer, 8900, "USD", days_ago=6, description="Annual templates licence")
        older = c.payment(payer, 14900, "USD", days_ago=45, description="Order #US-1042")
        c.refund(c.capture_id(older), 2500)
        c.payment(payer, 4900, "USD", decline="insufficient_funds", days_ago=2, description="Order #US-1077")
        return payer
    finally:
        fake.store.webhooks = hooks
