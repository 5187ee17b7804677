"""`seed(fake, n)`: realistic Recurly data for demos and tests, deterministic for a given `rng_seed`.

Per customer (EUR, USD or TRY): an account with a card (Visa, MasterCard or Amex), a paid one-off purchase,
every fifth a declined one (insufficient funds, expired card, generic decline), every third a partial refund,
and a subscription whose state cycles through active, in trial, canceled (at term end), expired, future and
paused. Plans (monthly and yearly, priced in the three currencies) and coupons (percent, fixed) come first.
Recurly has no disputes endpoint in this API version, so none are seeded. Returns what was made, by kind.
"""

from __future__ import annotations

import random

NAMES = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Edsger", "Dijkstra"), ("Barbara", "Liskov"),
         ("Donald", "Knuth"), ("Margaret", "Hamilton"), ("Ken", "Thompson"), ("Frances", "Allen"), ("John", "Backus"),
         ("Radia", "Perlman"), ("Niklaus", "Wirth"), ("Cahit", "Arf"), ("Ayşe", "Yılmaz"), ("Mehmet", "Demir")]
CURRENCIES = ("EUR", "USD", "TRY")
TOKENS = ("tok_visa", "tok_mastercard", "tok_amex")
DECLINES = ("insufficient_funds", "expired_card", "declined")
SUB_STATES = ("active", "trial", "canceled", "expired", "future", "paused")
AMOUNTS = {"EUR": ("19.00", "49.90", "120.00"), "USD": ("25.00", "59.99", "99.00"), "TRY": ("450.00", "1299.90", "2500.00")}


def seed(fake, n: int, *, rng_seed: int = 42) -> dict[str, list[str]]:
    rng = random.Random(rng_seed)
    control = fake.control
    made: dict[str, list[str]] = {"plans": [], "coupons": [], "accounts": [], "transactions": [], "subscriptions": []}
    if not fake.store.find_one("plan", code="basic-monthly"):
        for code, name, unit, prices in (("basic-monthly", "Basic", "months", {"EUR": "9.99", "USD": "10.99", "TRY": "299.00"}),
                                          ("pro-yearly", "Pro (yearly)", "months", {"EUR": "199.00", "USD": "219.00", "TRY": "5999.00"})):
            made["plans"].append(control.create_plan(code, name, prices, interval_unit=unit, interval_length=12 if "yearly" in code else 1)["id"])
        made["coupons"].append(control.create_coupon("WELCOME10", "Welcome 10%", percent=10)["id"])
        made["coupons"].append(control.create_coupon("FIVEOFF", "5 off", amounts={"EUR": "5.00", "USD": "5.00"}, duration="single_use")["id"])
    start = len(fake.store.all("account"))
    for i in range(start, start + n):
        first, last = NAMES[i % len(NAMES)]
        currency = CURRENCIES[i % len(CURRENCIES)]
        email = f"{first.lower()}.{last.lower()}{i}@example.com".encode("ascii", "ignore").decode()
        account = control.create_account(f"cust-{i:05d}", email, first, last, token=TOKENS[i % len(TOKENS)])
        made["accounts"].append(account["id"])
        tx = control.purchase(account["id"], rng.choice(AMOUNTS[currency]), currency, description="Order")
        made["transactions"].append(tx["id"])
        if i % 3 == 0:
            control.refund(tx["id"], "5.00", notes="Partial refund: damaged item")
        if i % 5 == 4:
            made["transactions"].append(control.purchase(account["id"], AMOUNTS[currency][0], currency, decline=DECLINES[i % 3])["id"])
        state = SUB_STATES[i % len(SUB_STATES)]
        sub = control.subscribe(account["id"], "basic-monthly" if i % 4 else "pro-yearly", currency,
                                trial_days=14 if state == "trial" else 0, starts_in_days=10 if state == "future" else 0)
        if state in ("canceled", "expired", "paused"):
            control.set_subscription_state(sub["id"], state)
        made["subscriptions"].append(sub["id"])
    return made
