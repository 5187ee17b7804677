"""The fake's answers against PayPal's spec: a tour of every read and write the adapter uses."""

from __future__ import annotations

import sandbox_paypal_spec as spec_check

from chargeside.gateways.paypal.adapter import PayPalAdapter
from chargeside.gateways.types import ResourceKind as K
from chargeside.sandbox.paypal.fake import CLIENT_ID, CLIENT_SECRET
from chargeside.sandbox.paypal.seed import seed


def test_spec_files_are_present():
    assert (spec_check.SPEC_DIR / "payments_payment_v2.json").exists()


def test_a_full_backfill_and_every_object_conform(paypal_fake):
    seed(paypal_fake, 12)
    adapter = PayPalAdapter(settings={"base_url": paypal_fake.base_url, "client_id": CLIENT_ID, "backfill_days": "400"},
                            credentials={"client_secret": CLIENT_SECRET})
    seen = 0
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=7)
            seen += len(page.items)
            if not (cursor := page.next_cursor):
                break
    assert seen > 50
    for order in list(paypal_fake.store.orders.values())[:3]:
        adapter.client.call(adapter.sdk.orders.get_order, {"id": order["id"]})
    # teardown validates every exchange (the conftest fixture)
    assert {ex[1].split("/")[2] for ex in paypal_fake.exchanges} >= {"reporting", "payments", "billing", "catalogs", "invoicing", "customer"}
    assert adapter.fetch(K.PRICE, next(iter(paypal_fake.store.plans))).unit_amount > 0
