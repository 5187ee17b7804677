"""Backfill benchmark: Chargeside's backfill vs a bare loop of the official SDK over the same fake Stripe.

    .venv/bin/python -m bench.backfill                     # 20,000 fake customers (~100k objects)
    .venv/bin/python -m bench.backfill --customers 2000    # quicker

(a) The ceiling: `StripeClient(...).v1.<resource>.list({"limit": 100, <the adapter's list params>})
    .auto_paging_iter()` over every kind the Stripe adapter backfills, requesting what the adapter requests
    (payment methods per customer, tax ids embedded in customers), doing nothing with the objects.
(b) Chargeside: `chargeside.ingest.backfill.backfill(connection)` — the function behind `chargeside
    backfill` — into a fresh PostgreSQL database: fetch, map to DTOs, upsert, store the cursor per page.
Both talk to the same fake (`chargeside sandbox serve`, its own process) through the same HTTP client
(requests). Progress on stderr; one JSON line on stdout, last.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench.common import (database_url, django_setup, emit, ensure_database, log, machine_info, migrate, rate,
                          stop_cleanly_on_sigterm, wait_for_quiet)
from bench.cpu import CpuMeter
from bench.fake_stripe import API_KEY, FakeStripeProcess, seeded_state


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.backfill", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--customers", type=int, default=20_000, help="customers seeded into the fake (~5 objects each)")
    p.add_argument("--rng-seed", type=int, default=7, help="the fake's seed")
    p.add_argument("--reseed-fake", action="store_true", help="seed the fake's state again even if a copy exists")
    p.add_argument("--database", default="chargeside_bench_backfill", help="PostgreSQL database (recreated every run)")
    p.add_argument("--sdk-rounds", type=int, default=2, help="passes of the bare SDK loop (the fastest is the ceiling)")
    p.add_argument("--skip-sdk", action="store_true", help="measure only Chargeside's backfill")
    p.add_argument("--quiet-wait", type=float, default=180.0, help="seconds to wait for an idle machine before each part")
    return p.parse_args(argv)


def sdk_client(base_url: str):
    import stripe
    from stripe._http_client import RequestsClient

    return stripe.StripeClient(API_KEY, base_addresses={"api": base_url, "files": base_url, "connect": base_url},
                               max_network_retries=0, http_client=RequestsClient(timeout=30))


def sdk_walk(client, kind) -> int:
    """Every object of one kind, the way the adapter asks for them; returns how many."""
    from chargeside.gateways.stripe.adapter import SIMPLE
    from chargeside.gateways.types import ResourceKind as K

    page = {"limit": 100}
    if kind == K.PAYMENT_METHOD:  # only listable per customer
        return sum(
            sum(1 for _ in client.v1.customers.payment_methods.list(customer.id, page).auto_paging_iter())
            for customer in client.v1.customers.list(page).auto_paging_iter()
        )
    if kind == K.TAX_ID:  # embedded in the customer list; more than the embedded page only rarely
        count = 0
        for customer in client.v1.customers.list({**page, "expand": ["data.tax_ids"]}).auto_paging_iter():
            embedded = customer["tax_ids"] if "tax_ids" in customer else None
            if embedded is not None and embedded["has_more"]:
                count += sum(1 for _ in client.v1.customers.tax_ids.list(customer.id, page).auto_paging_iter())
            elif embedded is not None:
                count += len(embedded["data"])
        return count
    if kind == K.SUBSCRIPTION:
        params = {**page, "status": "all", "expand": ["data.discounts"]}
    else:
        service, extra, _, _ = SIMPLE[kind]
        params = {**page, **extra}
    service = SIMPLE[kind][0]
    return sum(1 for _ in getattr(client.v1, service).list(params).auto_paging_iter())


def measure_sdk(base_url: str, kinds) -> dict:
    client = sdk_client(base_url)
    per_kind, total, started = {}, 0, time.monotonic()
    for kind in kinds:
        t0 = time.monotonic()
        count = sdk_walk(client, kind)
        per_kind[str(kind)] = {"objects": count, "seconds": round(time.monotonic() - t0, 2), "objects_per_s": rate(count, time.monotonic() - t0)}
        total += count
    seconds = time.monotonic() - started
    log(f"bare SDK: {total:,} objects in {seconds:.1f}s = {rate(total, seconds)}/s")
    return {"objects": total, "seconds": round(seconds, 2), "objects_per_s": rate(total, seconds), "per_kind": per_kind}


def measure_backfill(base_url: str) -> dict:
    from chargeside.connections.models import Connection
    from chargeside.ingest.backfill import backfill
    from chargeside.workspaces.models import Workspace

    workspace = Workspace.objects.create(slug="bench-backfill", name="Bench backfill")
    connection = Connection(workspace=workspace, provider="stripe", name="Bench", settings={"base_url": base_url})
    connection.set_credentials({"secret_key": API_KEY, "webhook_secret": "whsec_bench"})
    connection.save()
    last = {"at": 0.0}
    kind_started = {"at": 0.0}
    per_kind_seconds: dict[str, float] = {}

    def progress(done) -> None:
        if done.finished:
            per_kind_seconds[str(done.kind)] = round(done.elapsed - kind_started["at"], 2)
            kind_started["at"] = done.elapsed
        if done.finished or done.elapsed - last["at"] >= 5:
            last["at"] = done.elapsed
            log(f"backfill: {done.kind} {done.kind_total:,}{' (done)' if done.finished else ''}; "
                f"{done.run_total:,} objects in {done.elapsed:.1f}s")

    started = time.monotonic()
    run = backfill(connection, on_page=progress)
    seconds = time.monotonic() - started
    log(f"chargeside backfill: {run.objects_synced:,} objects in {seconds:.1f}s = {rate(run.objects_synced, seconds)}/s")
    return {"objects": run.objects_synced, "pages": run.pages, "seconds": round(seconds, 2),
            "objects_per_s": rate(run.objects_synced, seconds), "per_kind": run.counts,
            "per_kind_objects_per_s": {kind: rate(run.counts.get(kind, 0), spent) for kind, spent in per_kind_seconds.items()},
            "status": run.status,
            "rows": _row_counts(connection)}


def _row_counts(connection) -> dict:
    from chargeside.billing import models as m

    models = {"customer": m.GatewayCustomer, "payment_method": m.PaymentMethod, "tax_id": m.TaxId, "charge": m.Charge,
              "refund": m.Refund, "subscription": m.Subscription, "invoice": m.Invoice, "dispute": m.Dispute,
              "product": m.Product, "price": m.Price, "coupon": m.Coupon, "promotion_code": m.PromotionCode}
    return {name: model.objects.filter(connection=connection).count() for name, model in models.items()}


def main(argv=None) -> int:
    args = parse_args(argv)
    stop_cleanly_on_sigterm()
    started = time.monotonic()
    url = database_url(args.database)
    ensure_database(args.database, fresh=True)
    migrate(url)
    django_setup(url)
    from chargeside.gateways.stripe.adapter import StripeAdapter

    kinds = list(StripeAdapter.backfill_kinds)
    state = seeded_state(url, args.customers, args.rng_seed, reseed=args.reseed_fake)
    figures: dict = {"benchmark": "backfill", "fake_customers": args.customers, "kinds": [str(k) for k in kinds]}
    with FakeStripeProcess(state, url) as fake:
        # CPU per object: this process (SDK loop or backfill), the fake, and the database's backends.
        meter = CpuMeter(url, args.database, {"client": lambda: [os.getpid()], "fake": lambda: [fake.process.pid]})
        sdk_runs = []
        if not args.skip_sdk:
            for n in range(args.sdk_rounds):
                busy = wait_for_quiet(args.quiet_wait)
                meter.start()
                result = measure_sdk(fake.base_url, kinds)
                sdk_runs.append({**result, "cpu_per_object": meter.stop(result["objects"]), "busy_before_pct": busy})
        busy = wait_for_quiet(args.quiet_wait)
        meter.start()
        result = measure_backfill(fake.base_url)
        chargeside = {**result, "cpu_per_object": meter.stop(result["objects"]), "busy_before_pct": busy}
        log(f"CPU ms per object: chargeside {chargeside['cpu_per_object']}, "
            f"SDK {sdk_runs[-1]['cpu_per_object'] if sdk_runs else None}")
    figures["chargeside"] = chargeside
    if sdk_runs:
        best = max(sdk_runs, key=lambda r: r["objects_per_s"])
        figures["sdk"] = best
        figures["sdk_all_runs_objects_per_s"] = [r["objects_per_s"] for r in sdk_runs]
        figures["ratio"] = round(chargeside["objects_per_s"] / best["objects_per_s"], 3) if best["objects_per_s"] else None
        figures["objects_match"] = best["objects"] == chargeside["objects"]
        figures["targets"] = {"ratio_min": 0.80, "ratio_met": (figures["ratio"] or 0) >= 0.80,
                              "objects_per_s_min": 5000, "objects_per_s_met": chargeside["objects_per_s"] >= 5000,
                              "fake_ceiling_objects_per_s": best["objects_per_s"]}
    figures["machine"] = machine_info(url)
    figures["elapsed_s"] = round(time.monotonic() - started, 1)
    emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
