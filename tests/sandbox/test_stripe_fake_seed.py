"""Seeding, the demo customer, persistence across processes, controls and shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from sandbox_stripe_client import make_client

from chargeside.sandbox.stripe import StripeFake, shapes
from chargeside.sandbox.stripe.resources import payments
from chargeside.sandbox.stripe.seed import DEMO_CUSTOMER, DEMO_EMAIL, Seeder, seed
from chargeside.sandbox.stripe.store import Store

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_small_seed_is_fast_and_counts_what_it_wrote(fake):
    started = time.process_time()
    summary = seed(fake, 50)
    assert time.process_time() - started < 1.0
    assert summary["customer"] == 51 and summary["customers_seeded"] == 50
    assert summary["charge"] >= 50 and summary["subscription"] >= 5 and summary["dispute"] >= 1
    assert fake.store.count("customer") == 51


def test_demo_customer_has_a_bit_of_everything(fake, client):
    seed(fake, 0)
    found = client.v1.customers.list(params={"email": DEMO_EMAIL}).data
    assert [(c.id, c.name) for c in found] == [(DEMO_CUSTOMER, "Ayşe Yılmaz")]
    charges = client.v1.charges.list(params={"customer": DEMO_CUSTOMER, "limit": 100}).data
    assert {c.currency for c in charges} >= {"try", "eur"}
    assert any(c.status == "failed" and c.failure_code == "card_declined" for c in charges)
    assert any(0 < c.amount_refunded < c.amount for c in charges)
    disputes = [d for d in client.v1.disputes.list().data if d.charge in {c.id for c in charges}]
    assert disputes and disputes[0].evidence_details.due_by > time.time()
    subs = client.v1.subscriptions.list(params={"customer": DEMO_CUSTOMER}).data
    assert [s.status for s in subs] == ["active"]
    open_invoices = client.v1.invoices.list(params={"customer": DEMO_CUSTOMER, "status": "open"}).data
    assert [i.collection_method for i in open_invoices] == ["send_invoice"]
    assert client.v1.customers.tax_ids.list(DEMO_CUSTOMER).data[0].type == "tr_tin"


def test_seeded_data_of_every_kind_conforms_to_the_spec(fake, client):
    seed(fake, 150)  # the fake fixture validates every response below at teardown
    for resource in (client.v1.customers, client.v1.charges, client.v1.payment_intents, client.v1.refunds,
                     client.v1.invoices, client.v1.disputes, client.v1.prices, client.v1.products,
                     client.v1.coupons, client.v1.promotion_codes):
        assert resource.list(params={"limit": 100}).data
    assert client.v1.subscriptions.list(params={"status": "all", "limit": 100, "expand": ["data.latest_invoice"]}).data
    statuses = {s.status for s in client.v1.subscriptions.list(params={"status": "all", "limit": 100}).auto_paging_iter()}
    assert statuses >= {"active", "trialing", "past_due", "canceled"}
    assert client.v1.payment_methods.list(params={"customer": DEMO_CUSTOMER}).data


def test_seeded_discounts_expand_on_subscriptions_and_their_invoices(fake, client):
    seed(fake, 150)
    subs = client.v1.subscriptions.list(params={"status": "all", "limit": 100, "expand": ["data.discounts"]})
    discounted = [s for s in subs.auto_paging_iter() if s.discounts]
    assert discounted and all(d.object == "discount" and d.subscription == s.id and d.coupon.id == d.source.coupon
                              for s in discounted for d in s.discounts)
    sub = next(s for s in discounted if s.status in ("active", "past_due"))
    invoices = client.v1.invoices.list(params={"subscription": sub.id, "expand": ["data.discounts"]}).data
    assert [d.id for d in invoices[-1].discounts] == [sub.discounts[0].id]
    assert invoices[-1].total_discount_amounts[0].discount == sub.discounts[0].id


def test_hostile_strings_survive_and_are_escaped_on_the_hosted_page(fake, client):
    seed(fake, 1000)
    hostile = client.v1.customers.search(params={"query": "name~'<script>'"}).data
    assert hostile and hostile[0].name == "<script>alert(1)</script>"
    session = client.v1.checkout.sessions.create(params={"mode": "setup", "customer": hostile[0].id,
                                                         "currency": "usd", "success_url": "https://example.com/ok"})
    page = urllib.request.urlopen(session.url).read().decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_same_rng_seed_gives_the_same_data_and_reseeding_is_refused(tmp_path):
    now = 1_790_000_000
    a, b = Store(str(tmp_path / "a.db")), Store(str(tmp_path / "b.db"))
    seed(a, 40, rng_seed=7, now=now)
    seed(b, 40, rng_seed=7, now=now, bulk=True, workers=2, batch=15)  # other code path, same data
    ids = lambda s: [(c["id"], c["email"]) for c in s.find("customer", limit=100)]
    assert ids(a) == ids(b) and len(ids(a)) == 41
    assert a.count() == b.count()
    with pytest.raises(ValueError):
        seed(a, 10, rng_seed=7)
    seed(a, 10, rng_seed=8)
    assert a.count("customer") == 51
    a.close(), b.close()


def test_state_persists_across_processes(tmp_path):
    path = str(tmp_path / "state.sqlite3")
    env = {**os.environ, "PYTHONPATH": REPO}
    result = subprocess.run([sys.executable, "-m", "chargeside.sandbox.stripe", "--state", path,
                             "--seed-customers", "25", "--no-serve"], capture_output=True, text=True, env=env,
                            cwd=REPO, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "customer=26" in result.stderr
    with StripeFake(path) as fake:
        client = make_client(fake.start())
        assert client.v1.customers.retrieve(DEMO_CUSTOMER).email == DEMO_EMAIL
        assert len(list(client.v1.customers.list(params={"limit": 100}).auto_paging_iter())) == 26


def test_fast_seed_records_inflate_to_what_the_builders_make():
    store = Store()
    seeder = Seeder(store, 3, 1_790_000_000)
    seeder.catalog()
    pm = seeder.card("cus_x", 1_790_000_000, "amex")
    for decline in (None, "insufficient_funds"):
        pi, ch = seeder.payment({"id": "cus_x"}, pm, 4_321, "gbp", 1_790_000_000, decline=decline,
                                description="Order #7", invoice="in_1")
        stored = shapes.inflate("charge", ch["id"], ch["created"], seeder.store_form(ch))
        built = payments.new_charge(ch["id"], 1_790_000_000, amount=4_321, currency="gbp", pm=pm, customer="cus_x",
                                    payment_intent=pi["id"], captured=True, decline=decline, description="Order #7",
                                    invoice="in_1")
        built = json.loads(json.dumps(built))
        built["outcome"]["risk_score"] = stored["outcome"]["risk_score"]
        assert stored == {**shapes.defaults("charge"), **built}
    store.close()


def test_clock_advance_renews_and_ends_subscriptions(fake, client, customer):
    product = client.v1.products.create(params={"name": "Pro"})
    price = client.v1.prices.create(params={"product": product.id, "currency": "eur", "unit_amount": 900,
                                            "recurring": {"interval": "month"}})
    keep = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    leave = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}],
                                                   "cancel_at_period_end": True})
    renewed = fake.control.advance(days=32)
    assert set(renewed) == {keep.id, leave.id}
    kept = client.v1.subscriptions.retrieve(keep.id)
    assert kept.status == "active" and kept.current_period_start == keep.current_period_end
    assert client.v1.invoices.retrieve(kept.latest_invoice).billing_reason == "subscription_cycle"
    assert client.v1.subscriptions.retrieve(leave.id).status == "canceled"


def test_dunning_retries_end_in_unpaid(fake, client, customer):
    product = client.v1.products.create(params={"name": "Basic"})
    price = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 500,
                                            "recurring": {"interval": "month"}})
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    invoice = fake.control.renew_subscription(sub.id, outcome="failed")["latest_invoice"]
    for _ in range(3):
        fake.control.retry_invoice(invoice, outcome="failed")
    assert client.v1.subscriptions.retrieve(sub.id).status == "unpaid"
    assert client.v1.invoices.retrieve(invoice).attempt_count == 4
    fake.control.retry_invoice(invoice)
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_stored_copies_of_a_catalogue_object_follow_its_changes():
    # Packed forms of prices are cached by id (seeding speed); a changed copy must not reuse them.
    price = {"id": "price_cache", "object": "price", "created": 1, "product": "prod_x", "currency": "usd",
             "unit_amount": 500, "nickname": "Old", "recurring": {"interval": "month", "interval_count": 1}}
    item = {"id": "ii_1", "object": "invoiceitem", "date": 1, "price": price}
    first = shapes.inflate("invoiceitem", "ii_1", 1, shapes.compact(item))
    price["nickname"] = "New"
    second = shapes.inflate("invoiceitem", "ii_1", 1, shapes.compact(item))
    price["recurring"]["interval"] = "year"
    third = shapes.inflate("invoiceitem", "ii_1", 1, shapes.compact(item))
    assert [(o["price"]["nickname"], o["price"]["recurring"]["interval"]) for o in (first, second, third)] == [
        ("Old", "month"), ("New", "month"), ("New", "year")]
