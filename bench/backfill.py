"""Backfill benchmark: Chargeside's backfill vs a bare loop of the official SDK over the same fake Stripe.

    .venv/bin/python -m bench.backfill                     # 20,000 fake customers (~100k objects)
    .venv/bin/python -m bench.backfill --customers 2000    # quicker
    .venv/bin/python -m bench.backfill --provider all      # Stripe, then PayPal, Braintree, WooCommerce, Recurly, custom HTTP

(a) The ceiling: `StripeClient(...).v1.<resource>.list({"limit": 100, <the adapter's list params>})
    .auto_paging_iter()` over every kind the Stripe adapter backfills, requesting what the adapter requests
    (payment methods per customer, tax ids embedded in customers), doing nothing with the objects.
(b) Chargeside: `chargeside.ingest.backfill.backfill(connection)` — the function behind `chargeside
    backfill` — into a fresh PostgreSQL database: fetch, map to DTOs, upsert, store the cursor per page.
Both talk to the same fake (`chargeside sandbox serve`, its own process) through the same HTTP client
(requests). `--provider` runs the same comparison for another gateway: its fake seeded by its seed module
and served by a child process (bench/gateway_fakes.py), its SDK's bare loop from bench/gateway_sdk.py; each
provider's figures go under "providers" (Stripe's also stay at the top level). Progress on stderr; one JSON
line on stdout, last.
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

from bench.common import (
    database_url,
    django_setup,
    emit,
    ensure_database,
    log,
    machine_info,
    migrate,
    rate,
    stop_cleanly_on_sigterm,
    wait_for_quiet,
)
from bench.cpu import CpuMeter
from bench.fake_stripe import API_KEY, FakeStripeProcess, seeded_state
from bench.gateway_fakes import PROVIDERS, FakeGatewayProcess

ALL_PROVIDERS = ("stripe", *PROVIDERS)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.backfill", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--provider", choices=[*ALL_PROVIDERS, "all"], default="stripe",
                   help="whose fake and SDK; 'all' runs each in turn, each into a fresh database")
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


def measure_backfill(base_url: str, provider: str = "stripe", settings: dict | None = None, credentials: dict | None = None) -> dict:
    from chargeside.connections.models import Connection
    from chargeside.ingest.backfill import backfill
    from chargeside.workspaces.models import Workspace

    slug = "bench-backfill" if provider == "stripe" else f"bench-backfill-{provider.replace('_', '-')}"
    workspace = Workspace.objects.create(slug=slug, name=f"Bench backfill ({provider})")
    connection = Connection(workspace=workspace, provider=provider, name="Bench", settings=settings or {"base_url": base_url})
    connection.set_credentials(credentials or {"secret_key": API_KEY, "webhook_secret": "whsec_bench"})
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


def compare(sdk_runs: list[dict], chargeside: dict, *, same_objects: bool) -> dict:
    """The ceiling (fastest SDK pass), the ratio and the targets. Where Chargeside counts what the SDK loop
    counts (Stripe), the ratio is of objects/s; elsewhere Chargeside also writes objects it derives (PayPal's
    payers, WooCommerce's guest buyers), so the ratio is of time over the same provider objects."""
    best = max(sdk_runs, key=lambda r: r["objects_per_s"])
    figures = {"sdk": best, "sdk_all_runs_objects_per_s": [r["objects_per_s"] for r in sdk_runs]}
    if same_objects:
        figures["ratio"] = round(chargeside["objects_per_s"] / best["objects_per_s"], 3) if best["objects_per_s"] else None
    else:
        figures["ratio"] = round(best["seconds"] / chargeside["seconds"], 3) if chargeside["seconds"] else None
        figures["ratio_basis"] = "sdk seconds / chargeside seconds (the same provider objects)"
        chargeside["provider_objects_per_s"] = rate(best["objects"], chargeside["seconds"])
    figures["objects_match"] = best["objects"] == chargeside["objects"]
    achieved = chargeside["objects_per_s"] if same_objects else chargeside["provider_objects_per_s"]
    figures["targets"] = {"ratio_min": 0.80, "ratio_met": (figures["ratio"] or 0) >= 0.80,
                          "objects_per_s_min": 5000, "objects_per_s_met": achieved >= 5000,
                          "fake_ceiling_objects_per_s": best["objects_per_s"]}
    return figures


def run_stripe(args, url: str) -> dict:
    from chargeside.gateways.stripe.adapter import StripeAdapter

    kinds = list(StripeAdapter.backfill_kinds)
    state = seeded_state(url, args.customers, args.rng_seed, reseed=args.reseed_fake)
    figures: dict = {"kinds": [str(k) for k in kinds]}
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
        figures.update(compare(sdk_runs, chargeside, same_objects=True))
    return figures


def measure_gateway_sdk(provider: str, settings: dict, credentials: dict, kinds) -> dict:
    from bench.gateway_sdk import walker

    walk = walker(provider, settings, credentials)
    per_kind, total, started = {}, 0, time.monotonic()
    for kind in kinds:
        t0 = time.monotonic()
        count = walk(kind)
        per_kind[str(kind)] = {"objects": count, "seconds": round(time.monotonic() - t0, 2), "objects_per_s": rate(count, time.monotonic() - t0)}
        total += count
    seconds = time.monotonic() - started
    log(f"bare {provider} SDK: {total:,} objects in {seconds:.1f}s = {rate(total, seconds)}/s")
    return {"objects": total, "seconds": round(seconds, 2), "objects_per_s": rate(total, seconds), "per_kind": per_kind}


def run_gateway(args, provider: str, url: str) -> dict:
    """Another gateway: its fake seeded with its seed module and served by a child process; then the bare SDK
    loop (bench/gateway_sdk.py) and Chargeside's backfill against it, as for Stripe."""
    from chargeside.gateways.registry import adapter_class

    with FakeGatewayProcess(provider, args.customers, url, rng_seed=args.rng_seed) as fake:
        kinds = list(adapter_class(provider)(settings=fake.settings, credentials=fake.credentials).backfill_kinds)
        figures: dict = {"kinds": [str(k) for k in kinds], "fake_seeded": fake.ready["seeded"],
                         "fake_seed_seconds": fake.ready["seed_seconds"]}
        meter = CpuMeter(url, args.database, {"client": lambda: [os.getpid()], "fake": lambda: [fake.process.pid]})
        sdk_runs = []
        if not args.skip_sdk:
            for n in range(args.sdk_rounds):
                busy = wait_for_quiet(args.quiet_wait)
                meter.start()
                result = measure_gateway_sdk(provider, fake.settings, fake.credentials, kinds)
                sdk_runs.append({**result, "cpu_per_object": meter.stop(result["objects"]), "busy_before_pct": busy})
        busy = wait_for_quiet(args.quiet_wait)
        meter.start()
        result = measure_backfill(fake.base_url, provider, fake.settings, fake.credentials)
        chargeside = {**result, "cpu_per_object": meter.stop(result["objects"]), "busy_before_pct": busy}
    figures["chargeside"] = chargeside
    if sdk_runs:
        figures.update(compare(sdk_runs, chargeside, same_objects=False))
        figures["sdk_per_kind_objects_match"] = {
            kind: figures["sdk"]["per_kind"][kind]["objects"] == chargeside["per_kind"].get(kind, 0) for kind in figures["sdk"]["per_kind"]}
    return figures


def main(argv=None) -> int:
    args = parse_args(argv)
    stop_cleanly_on_sigterm()
    started = time.monotonic()
    url = database_url(args.database)
    providers = ALL_PROVIDERS if args.provider == "all" else (args.provider,)
    figures: dict = {"benchmark": "backfill", "fake_customers": args.customers, "provider": args.provider}
    per_provider: dict = {}
    for number, provider in enumerate(providers):
        log(f"--- {provider} ---")
        if number:
            from django.db import connections

            connections.close_all()  # the DROP below ends this process's sessions
        ensure_database(args.database, fresh=True)  # a fresh database per provider
        migrate(url)
        if not number:
            django_setup(url)
        per_provider[provider] = run_stripe(args, url) if provider == "stripe" else run_gateway(args, provider, url)
        if provider == "stripe":
            figures.update(per_provider[provider])  # the keys the README's Results quote, as before
    figures["providers"] = {provider: {"objects_per_s": f["chargeside"]["objects_per_s"],
                                       "sdk_objects_per_s": f["sdk"]["objects_per_s"] if "sdk" in f else None,
                                       "ratio": f.get("ratio"), **f} for provider, f in per_provider.items()}
    figures["machine"] = machine_info(url)
    figures["elapsed_s"] = round(time.monotonic() - started, 1)
    emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
