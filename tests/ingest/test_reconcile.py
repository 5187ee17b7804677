"""Reconcile against the fake Stripe: objects and changes no webhook announced are repaired."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chargeside.billing import models as billing
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import SyncRun, WebhookDelivery
from chargeside.ingest.reconcile import reconcile

DAY = 86400


def test_reconcile_creates_what_no_webhook_announced_and_repairs_drift(stripe_connection, sdk, seed_customers, pay):
    # given a synced customer whose later changes never arrived by webhook, and a new customer with a charge
    (known,) = seed_customers(1, prefix="known")
    backfill(stripe_connection, kinds=["customer"])
    sdk.v1.customers.update(known, params={"name": "Renamed At Stripe"})
    (new,) = seed_customers(1, prefix="new")
    charge = pay(new, amount=4200)
    # when reconciling
    run = reconcile(stripe_connection)
    # then both are as the gateway has them
    assert billing.GatewayCustomer.objects.get(remote_id=known).name == "Renamed At Stripe"
    assert billing.GatewayCustomer.objects.get(remote_id=new).email == "new0@example.com"
    assert billing.Charge.objects.get(remote_id=charge["id"]).amount == 4200
    assert (run.mode, run.status, run.counts["customer"], run.counts["charge"]) == ("reconcile", "succeeded", 2, 1)
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_sync_at is not None


def test_reconcile_reads_only_the_recent_window(stripe_connection, stripe_fake, seed_customers):
    # given 4 customers created 10 days ago and 3 created now (the fake's test clock makes the old ones)
    stripe_fake.clock.offset = -10 * DAY
    seed_customers(4, prefix="old")
    stripe_fake.clock.offset = 0
    seed_customers(3, prefix="recent")
    # when reconciling 3 days, two customers per page (newest first)
    run = reconcile(stripe_connection, days=3, page_size=2)
    # then it stopped at the first page made only of old customers: pages [new,new] [new,old] [old,old]
    assert run.counts["customer"] == 6
    assert billing.GatewayCustomer.objects.filter(email__startswith="recent").count() == 3
    assert billing.GatewayCustomer.objects.filter(email__startswith="old").count() == 3


def test_reconcile_with_the_gateway_down_is_recorded_not_raised(stripe_connection, stripe_fake):
    stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None)
    run = reconcile(stripe_connection)
    assert (run.status, run.error.startswith("Unavailable: Stripe had an internal error")) == ("failed", True)
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_error.startswith("Reconcile: Unavailable")
    assert stripe_connection.last_sync_at is None


def test_retry_failed_requeues_exhausted_deliveries(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = as_json(sdk.v1.customers.create(params={"email": "requeue@example.com"}))
    send_webhook(stripe_connection, make_event("customer.created", customer))
    WebhookDelivery.objects.update(status="failed", attempts=8, error="Unavailable: earlier outage")
    out = io.StringIO()
    call_command("reconcile", "--connection", str(stripe_connection.pk), "--retry-failed", stdout=out)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == ("processed", 1, "")
    assert "1 failed deliveries re-queued" in out.getvalue()
    assert "deliveries: 1 processed, 0 waiting to retry, 0 failed" in out.getvalue()


def test_command_reports_a_failed_connection(stripe_connection, stripe_fake):
    stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Reconcile failed for 1 connection"):
        call_command("reconcile", stdout=io.StringIO(), stderr=err)
    assert "reconcile failed: Unavailable" in err.getvalue()
    assert SyncRun.objects.get().status == "failed"
