"""Backfill against the fake Stripe: exact counts, resume after interruption, gateway down, the command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chargeside.billing import models as billing
from chargeside.ingest.backfill import BackfillError, backfill
from chargeside.ingest.models import SyncCursor, SyncRun


class Interrupt(KeyboardInterrupt):
    """Ctrl-C, pressed right after a given page was stored."""


def _stop_after(pages: int):
    seen = []

    def on_page(done):
        seen.append(done)
        if len(seen) == pages:
            raise Interrupt()

    return on_page, seen


def test_backfill_finds_every_customer(stripe_connection, seed_customers):
    ids = seed_customers(205)
    pages = []
    run = backfill(stripe_connection, kinds=["customer"], on_page=pages.append)
    assert billing.GatewayCustomer.objects.filter(connection=stripe_connection).count() == 205
    assert set(billing.GatewayCustomer.objects.values_list("remote_id", flat=True)) == set(ids)
    assert billing.Customer.objects.filter(workspace=stripe_connection.workspace).count() == 205
    assert (run.status, run.objects_synced, run.pages, run.counts) == ("succeeded", 205, 3, {"customer": 205})
    assert [(p.objects, p.kind_total, p.finished) for p in pages] == [(100, 100, False), (100, 200, False), (5, 205, True)]
    cursor = SyncCursor.objects.get(connection=stripe_connection, kind="customer")
    assert (cursor.done, cursor.cursor, cursor.objects_synced, cursor.pages) == (True, "", 205, 3)
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_sync_at is not None


def test_interrupted_backfill_resumes_after_the_last_stored_page(stripe_connection, seed_customers):
    seed_customers(250)
    on_page, _ = _stop_after(2)
    with pytest.raises(Interrupt):
        backfill(stripe_connection, kinds=["customer"], page_size=50, on_page=on_page)
    assert billing.GatewayCustomer.objects.count() == 100
    cursor = SyncCursor.objects.get(connection=stripe_connection, kind="customer")
    assert (cursor.done, cursor.objects_synced, cursor.pages) == (False, 100, 2)
    assert cursor.cursor in set(billing.GatewayCustomer.objects.values_list("remote_id", flat=True))  # the last stored id
    assert SyncRun.objects.get().status == "interrupted"

    resumed = backfill(stripe_connection, kinds=["customer"], page_size=50)
    # only the remaining 150 were read again, and nothing was duplicated
    assert (resumed.status, resumed.objects_synced, resumed.pages) == ("succeeded", 150, 3)
    assert billing.GatewayCustomer.objects.count() == 250
    assert billing.Customer.objects.count() == 250
    cursor.refresh_from_db()
    assert (cursor.done, cursor.objects_synced, cursor.pages) == (True, 250, 5)


def test_finished_backfill_runs_again_from_the_start(stripe_connection, seed_customers):
    seed_customers(3)
    backfill(stripe_connection, kinds=["customer"])
    seed_customers(2, prefix="new")
    again = backfill(stripe_connection, kinds=["customer"])
    assert (again.objects_synced, billing.GatewayCustomer.objects.count()) == (5, 5)


def test_restart_ignores_a_stored_cursor(stripe_connection, seed_customers):
    seed_customers(120)
    on_page, _ = _stop_after(1)
    with pytest.raises(Interrupt):
        backfill(stripe_connection, kinds=["customer"], on_page=on_page)
    run = backfill(stripe_connection, kinds=["customer"], restart=True)
    assert (run.objects_synced, billing.GatewayCustomer.objects.count()) == (120, 120)


def test_every_kind_with_charges_and_refunds(stripe_connection, sdk, seed_customers, pay):
    first, second = seed_customers(2)
    charge = pay(first, amount=2500)
    pay(second, amount=990, currency="usd")
    sdk.v1.refunds.create(params={"charge": charge["id"], "amount": 500})
    card = sdk.v1.payment_methods.attach("pm_card_mastercard", params={"customer": second})
    run = backfill(stripe_connection)
    assert run.status == "succeeded"
    assert (run.counts["customer"], run.counts["charge"], run.counts["refund"], run.counts["payment_method"]) == (2, 2, 1, 1)
    assert billing.PaymentMethod.objects.get().remote_id == card.id
    row = billing.Charge.objects.get(remote_id=charge["id"])
    assert (row.amount, row.amount_refunded, row.status, row.gateway_customer.remote_id) == (2500, 500, "partially_refunded", first)
    assert billing.Refund.objects.get().charge == row
    assert set(SyncCursor.objects.filter(connection=stripe_connection).values_list("done", flat=True)) == {True}


def test_gateway_down_fails_clearly_and_keeps_the_cursor(stripe_connection, stripe_fake, seed_customers):
    seed_customers(150)
    on_page, _ = _stop_after(1)
    with pytest.raises(Interrupt):
        backfill(stripe_connection, kinds=["customer"], on_page=on_page)
    stripe_fake.faults.add(path_prefix="/v1/customers", status=500, times=None, method="GET")
    with pytest.raises(BackfillError, match=r"^Unavailable: Stripe had an internal error \(HTTP 500\)"):
        backfill(stripe_connection, kinds=["customer"])
    cursor = SyncCursor.objects.get(connection=stripe_connection, kind="customer")
    assert (cursor.done, cursor.objects_synced) == (False, 100)
    failed = SyncRun.objects.order_by("id").last()
    assert (failed.status, failed.error.startswith("Unavailable: Stripe had an internal error")) == ("failed", True)
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_error.startswith("Backfill: Unavailable")
    stripe_fake.faults.clear()
    assert backfill(stripe_connection, kinds=["customer"]).objects_synced == 50
    assert billing.GatewayCustomer.objects.count() == 150


def test_unknown_kind_is_refused(stripe_connection):
    with pytest.raises(ValueError, match="Unknown kind 'customers'"):
        backfill(stripe_connection, kinds=["customers"])


def test_command_prints_counts(stripe_connection, seed_customers):
    seed_customers(7)
    out = io.StringIO()
    call_command("backfill", "--connection", str(stripe_connection.pk), "--kinds", "customer", stdout=out)
    assert "acme / Stripe (connection %d): 7 objects in" % stripe_connection.pk in out.getvalue()
    assert out.getvalue().rstrip().endswith("customer 7")
    assert billing.GatewayCustomer.objects.count() == 7


def test_command_exits_non_zero_when_the_gateway_is_down(stripe_connection, stripe_fake):
    stripe_fake.faults.add(path_prefix="/v1/", status=503, times=None)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Backfill failed for 1 connection"):
        call_command("backfill", "--workspace", "acme", "--kinds", "customer", stdout=io.StringIO(), stderr=err)
    assert "backfill stopped: Unavailable" in err.getvalue()
    assert "run the same command again to resume" in err.getvalue()


def test_command_without_connections_says_so(db):
    with pytest.raises(CommandError, match="No gateway connection found for workspace 'nope'"):
        call_command("backfill", "--workspace", "nope")
