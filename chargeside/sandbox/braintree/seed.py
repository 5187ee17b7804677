"""`seed(fake, n)`: realistic merchant data at the fake, deterministic for a given n.

Each customer gets a vaulted test card and a few payments in their merchant account's currency (USD, EUR,
TRY): settled ones, some partly refunded, a declined one (test amount 2xxx → processor_declined with a
decline reason), an authorisation waiting for capture; every third customer subscribes to a plan (Active,
Past Due, Canceled or in a trial), every seventh payment is disputed.
"""

from __future__ import annotations

from decimal import Decimal

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra", "Perlman"]
CURRENCIES = ["USD", "EUR", "TRY"]
NONCES = ["fake-valid-visa-nonce", "fake-valid-mastercard-nonce", "fake-valid-amex-nonce", "fake-valid-nonce"]


def catalogue(fake) -> None:
    store = fake.store
    if store.state.plans:
        return
    store.plan_add("basic_usd", "Basic", "9.00", "USD")
    store.plan_add("pro_eur", "Pro", "29.00", "EUR")
    store.plan_add("team_try", "Team", "499.00", "TRY", trial_days=14)
    store.plan_add("annual_usd", "Annual", "99.00", "USD", frequency=12)
    store.modification_add("discount", "welcome10", "Welcome 10 off", "10.00", never_expires=False, cycles=3)
    store.modification_add("discount", "loyal5", "Loyalty 5 off", "5.00")
    store.modification_add("add_on", "extra_seat", "Extra seat", "4.00")


def seed(fake, n: int = 20) -> list[str]:
    """Create n customers and their history; returns the customer ids."""
    catalogue(fake)
    store = fake.store
    account = {c: a for a, c in store.state.merchant_accounts.items()}
    ids = []
    for i in range(n):
        currency = CURRENCIES[i % len(CURRENCIES)]
        first, last = FIRST[i % len(FIRST)], LAST[(i * 5) % len(LAST)]
        customer = store.customer_create({"first_name": first, "last_name": last, "email": f"{first}.{last}{i}@example.com".lower(),
                                          "phone": f"+1555{i:07d}", "payment_method_nonce": NONCES[i % len(NONCES)]})
        token = next(t for t, c in store.state.cards.items() if c["customer_id"] == customer["id"])
        ids.append(customer["id"])

        def sale(amount: str, settle: bool = True):
            return store.sale({"amount": amount, "payment_method_token": token, "merchant_account_id": account[currency],
                               "options": {"submit_for_settlement": settle}})

        paid = sale(f"{40 + i % 7 * 5}.00")
        store.settle(paid["id"])
        if i % 2 == 0:
            store.refund(paid["id"], {"amount": str((paid["amount"] / 4).quantize(Decimal("0.01")))})
        if i % 4 == 1:
            sale(f"{2000 + i % 50}.00")  # processor_declined with that response code
        if i % 5 == 2:
            sale("15.00", settle=False)  # an authorisation to capture or void
        if i % 7 == 3:
            store.dispute_open(paid["id"], reason=["fraud", "product_not_received", "duplicate"][i % 3])
        if i % 3 == 0:
            plan = {"USD": "basic_usd", "EUR": "pro_eur", "TRY": "team_try"}[currency]
            sub = store.subscription_create({"plan_id": plan, "payment_method_token": token})
            state = (i // 3) % 4
            if state == 1:
                store.subscription_set_status(sub["id"], "Past Due")
            elif state == 2:
                store.subscription_cancel(sub["id"])
    return ids


DEMO_EMAIL = "ayse.yilmaz@example.com"
DEMO_CUSTOMER_ID = "ayse_yilmaz"  # Braintree lets the merchant choose customer ids; fixed so the demo names her the same way every run


def seed_demo_customer(fake) -> str:
    """The demo's Ayşe Yılmaz at Braintree too (same email as at Stripe and PayPal), paying in TRY from a vaulted
    Mastercard: two settled payments (a partial refund on the older one) and one waiting for capture. Returns her id."""
    catalogue(fake)
    store = fake.store
    account = next(a for a, c in store.state.merchant_accounts.items() if c == "TRY")
    customer = store.customer_create({"id": DEMO_CUSTOMER_ID, "first_name": "Ayşe", "last_name": "Yılmaz", "email": DEMO_EMAIL,
                                      "phone": "+905551234567", "payment_method_nonce": "fake-valid-mastercard-nonce"})
    token = next(t for t, c in store.state.cards.items() if c["customer_id"] == customer["id"])
    offset = fake.clock_offset
    try:
        for days_ago, amount, settle, refund in ((30, "1450.00", True, "250.00"), (4, "749.90", True, None), (0, "320.00", False, None)):
            fake.clock_offset = offset - days_ago * 86400  # made on that day
            tx = store.sale({"amount": amount, "payment_method_token": token, "merchant_account_id": account,
                             "options": {"submit_for_settlement": settle}})
            if settle:
                store.settle(tx["id"])
            if refund:
                store.refund(tx["id"], {"amount": refund})
    finally:
        fake.clock_offset = offset
    return customer["id"]
