"""Paging 20,000 customers through the official SDK (``auto_paging_iter``): every one exactly once.

The rate is printed and recorded for whoever reads the run, but not asserted: a test that fails when the
machine is busy tests the machine. `bench/backfill.py` measures paging rates.
"""

from __future__ import annotations

import random
import time

from sandbox_stripe_client import make_client

from chargeside.sandbox.stripe import StripeFake
from chargeside.sandbox.stripe.resources.customers import new_customer
from chargeside.sandbox.stripe.store import rows_for

CUSTOMERS = 20_000


def test_auto_paging_20000_customers_returns_each_once(record_property):
    rng = random.Random(5)
    now = int(time.time())
    with StripeFake() as fake:  # no spec recording here: this measures the fake and the SDK only
        customers = [new_customer(f"cus_perf{i:010d}", now - rng.randint(0, 10**7), email=f"user{i}@example.com",
                                  name=f"Customer {i}", metadata={"i": str(i)}) for i in range(CUSTOMERS)]
        with fake.store.tx():
            fake.store.insert_rows(rows_for(customers))
        client = make_client(fake.start())
        started = time.perf_counter()
        seen = [c.id for c in client.v1.customers.list(params={"limit": 100}).auto_paging_iter()]
        elapsed = time.perf_counter() - started
    rate = CUSTOMERS / elapsed
    record_property("objects_per_second", round(rate))
    print(f"\nauto_paging_iter: {CUSTOMERS} customers in {elapsed:.2f}s = {rate:,.0f} objects/s")
    assert len(seen) == len(set(seen)) == CUSTOMERS
    created = {c["id"]: c["created"] for c in customers}
    assert all(created[a] >= created[b] for a, b in zip(seen, seen[1:]))  # newest first, as Stripe lists
