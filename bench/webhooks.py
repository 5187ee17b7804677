"""Webhook benchmark: signed Stripe deliveries acknowledged by gunicorn, then applied by the ingest drain.

    .venv/bin/python -m bench.webhooks                      # 2,000 fake customers, 20 s of deliveries
    .venv/bin/python -m bench.webhooks --duration 5 --customers 300
    .venv/bin/python -m bench.webhooks --provider all       # every gateway's signature scheme in turn

1. A fresh PostgreSQL database, a workspace and a Stripe connection pointed at the fake Stripe (seeded, and
   served in its own process: the drain re-fetches objects from it, as it would from Stripe).
2. Deliveries: for every object the fake holds (customers, payment methods, charges, refunds,
   subscriptions, invoices, read over its HTTP API as they are on the wire) an event in Stripe's envelope
   (`sandbox.stripe.events.build`, type chosen by the object's state), shuffled; a share of them sent a
   second time with the same event id, as Stripe's retries do. Each body is signed with the connection's
   webhook secret exactly as Stripe signs: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
   "<t>.<body>")>`.
3. Acknowledged/s: the deliveries are POSTed over loopback to `/hooks/<token>/` on gunicorn, in order,
   each once, for `--duration` seconds (wrk, or Python threads); every answer must be 200.
4. Applied/s: gunicorn stopped, `chargeside.ingest.pipeline.drain()` (the batch function the worker runs)
   processes every stored delivery; events applied to billing rows per second, duplicates counted apart.
`--provider` does 1-4 for another gateway: its fake seeded by its seed module in a child process, which also
signs the deliveries in the provider's real scheme with the fake's own code (bench/gateway_deliveries.py);
each provider's figures go under "providers" (Stripe's also stay at the top level).
Progress on stderr; one JSON line on stdout, last.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench import loadgen, profiling
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
from bench.server import Gunicorn

WEBHOOK_SECRET = "whsec_chargeside_bench_0123456789abcdef"
# Object type on the wire → how to list it, and the event type its state would have produced.
LISTS = ("customers", "charges", "refunds", "subscriptions", "invoices")
ALL_PROVIDERS = ("stripe", *PROVIDERS)
SCHEMES = {  # what the deliveries carry, per provider (for the JSON line)
    "stripe": "Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(whsec, t.body)>",
    "paypal": "PAYPAL-TRANSMISSION-ID/-TIME/-SIG (RSA-SHA256 over id|time|webhook id|crc32(body)), PAYPAL-CERT-URL, PAYPAL-AUTH-ALGO",
    "braintree": "form body bt_signature=<public key>|<hex HMAC-SHA1(SHA1(private key), bt_payload)>, bt_payload=<base64 XML>",
    "woocommerce": "X-WC-Webhook-Signature: base64 HMAC-SHA256(secret, body), X-WC-Webhook-Topic/-Resource/-Event/-ID/-Delivery-ID",
    "recurly": "recurly-signature: <unix ms>,<hex HMAC-SHA256(secret, ms.body)>",
    "custom_http": "X-Chargeside-Timestamp, X-Chargeside-Signature: v1=<hex HMAC-SHA256(secret, t\\nWEBHOOK\\n\\n\\nbody)>",
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--provider", choices=[*ALL_PROVIDERS, "all"], default="stripe",
                   help="whose signature scheme and fake; 'all' runs each in turn, each on a fresh database")
    p.add_argument("--customers", type=int, default=2_000, help="customers seeded into the fake")
    p.add_argument("--rng-seed", type=int, default=11, help="the fake's seed")
    p.add_argument("--database", default="chargeside_bench_hooks", help="PostgreSQL database (recreated every run)")
    p.add_argument("--deliveries", type=int, default=100_000, help="deliveries prepared (sending stops when they run out)")
    p.add_argument("--duplicates", type=float, default=0.05, help="share of deliveries that repeat an earlier event")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of POSTing")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    p.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    p.add_argument("--connections", type=int, default=4, help="concurrent connections of the load generator")
    p.add_argument("--engine", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    p.add_argument("--max-requests", type=int, default=None, help="stop POSTing after this many (python engine)")
    p.add_argument("--batch-size", type=int, default=200, help="deliveries per drain batch")
    p.add_argument("--quiet-wait", type=float, default=180.0, help="seconds to wait for an idle machine before each part")
    p.add_argument("--profile", metavar="FILE", help="also sample with py-spy: the workers while acknowledging "
                   "(FILE.ack) and the drain (FILE.drain); collapsed stacks, summarised in the JSON")
    return p.parse_args(argv)


def wire_objects(base_url: str) -> list[dict]:
    """Every object of the listed kinds (plus each customer's payment methods), as JSON on the wire."""
    def pages(path: str):
        after = None
        while True:
            query = f"?limit=100{f'&starting_after={after}' if after else ''}"
            request = urllib.request.Request(base_url + path + query, headers={"Authorization": f"Bearer {API_KEY}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.loads(response.read())
            yield from body["data"]
            if not body.get("has_more") or not body["data"]:
                return
            after = body["data"][-1]["id"]

    objects = []
    for name in LISTS:
        for obj in pages(f"/v1/{name}"):
            objects.append(obj)
            if name == "customers":
                objects.extend(pages(f"/v1/customers/{obj['id']}/payment_methods"))
    return objects


def event_type(obj: dict) -> str:
    kind, status = obj.get("object"), obj.get("status")
    if kind == "charge":
        if obj.get("refunded") or obj.get("amount_refunded"):
            return "charge.refunded"
        return {"succeeded": "charge.succeeded", "failed": "charge.failed"}.get(status, "charge.pending")
    if kind == "invoice":
        return {"paid": "invoice.paid", "open": "invoice.finalized", "void": "invoice.voided"}.get(status, "invoice.updated")
    return {"customer": "customer.updated", "payment_method": "payment_method.attached", "refund": "charge.refund.updated",
            "subscription": "customer.subscription.updated"}.get(kind, f"{kind}.updated")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """Stripe's scheme: HMAC-SHA256 keyed with the whsec_ string, over "<t>." + the raw body, lowercase hex."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def deliveries(objects: list[dict], count: int, duplicates: float, seed: int) -> tuple[list[tuple[str, bytes]], int]:
    """(signature, body) pairs: events over the objects, shuffled, some repeated. Returns them and the repeats."""
    from chargeside.sandbox.stripe.events import build

    rng = random.Random(seed)
    now = int(time.time())
    unique = max(1, int(count * (1 - duplicates)))
    bodies: list[bytes] = []
    order = list(range(len(objects)))
    while len(bodies) < unique:
        rng.shuffle(order)
        for index in order[: unique - len(bodies)]:
            obj = objects[index]
            event = build(event_type(obj), obj, now=now, pending=1)
            event["id"] = f"evt_bench{len(bodies):08d}{rng.getrandbits(32):08x}"
            bodies.append(json.dumps(event, separators=(",", ":")).encode())
    repeats = 0
    out: list[tuple[str, bytes]] = []
    for body in bodies:
        out.append((sign(body, WEBHOOK_SECRET, now), body))
        if rng.random() < duplicates and len(out) > 1:
            earlier = out[rng.randrange(len(out) - 1)][1]  # a retry of an earlier event, signed anew
            out.append((sign(earlier, WEBHOOK_SECRET, now), earlier))
            repeats += 1
    return out, repeats


def acknowledge_and_drain(args, url: str, connection, items: list, *, post, first_headers: dict, fake_pid: int,
                          profile: str | None) -> dict:
    """POST the prepared deliveries to gunicorn's /hooks/<token>/ for `--duration` seconds (acknowledged/s), then
    stop gunicorn and drain what was stored (applied/s). `post` is the load generator for this item shape."""
    from chargeside.ingest.models import WebhookDelivery
    from chargeside.ingest.pipeline import drain

    figures: dict = {}
    path = f"/hooks/{connection.webhook_token}/"
    server = Gunicorn(url, workers=args.workers, threads=args.threads, worker_class=args.worker_class)
    with server:
        first = urllib.request.Request(server.base_url + path, data=items[0][1], method="POST", headers=first_headers)
        with urllib.request.urlopen(first, timeout=30) as response:
            answer = json.loads(response.read())
        if answer.get("status") != "accepted":
            raise RuntimeError(f"the endpoint did not accept a signed delivery: {answer}")
        busy = wait_for_quiet(args.quiet_wait)
        meter = CpuMeter(url, args.database, {"app": server.worker_pids})
        spies = profiling.record(server.worker_pids(), None, profile + ".ack") if profile else []
        meter.start()
        ack = post(server.base_url, path, items[1:], seconds=args.duration, connections=args.connections,
                   engine=args.engine, max_requests=args.max_requests)
        ack.server_cpu = meter.stop(ack.requests)
        if spies:
            figures["profile_ack"] = profiling.finish(spies, profile + ".ack", stop=True)
        ack.busy_before_pct = busy
    exhausted = ack.requests >= len(items) - 1
    log(f"acknowledged: {ack.requests_per_s}/s ({ack.requests:,} deliveries, {ack.errors} errors, {ack.non_2xx} non-2xx, "
        f"p50 {ack.p50_ms} ms, p99 {ack.p99_ms} ms){' - ran out of deliveries: raise --deliveries' if exhausted else ''}")
    stored = WebhookDelivery.objects.filter(connection=connection).values("status").order_by()
    stored_counts: dict[str, int] = {}
    for row in stored:
        stored_counts[row["status"]] = stored_counts.get(row["status"], 0) + 1
    distinct_events = len({e for ids in WebhookDelivery.objects.filter(connection=connection).values_list("event_ids", flat=True) for e in ids})

    busy = wait_for_quiet(args.quiet_wait)
    log("draining the stored deliveries (chargeside.ingest.pipeline.drain)")
    meter = CpuMeter(url, args.database, {"drain": lambda: [os.getpid()], "fake": lambda: [fake_pid]})
    spies = profiling.record([os.getpid()], None, profile + ".drain") if profile else []
    meter.start()
    t0 = time.monotonic()
    result = drain(batch_size=args.batch_size, time_budget=3600)
    seconds = time.monotonic() - t0
    drain_cpu = meter.stop(result.events_applied + result.duplicates)
    if spies:
        figures["profile_drain"] = profiling.finish(spies, profile + ".drain", stop=True)
    log(f"applied: {result.events_applied:,} events in {seconds:.1f}s = {rate(result.events_applied, seconds)}/s "
        f"({result.duplicates:,} duplicates, {result.retrying} retrying, {result.failed} failed)")
    figures.update({
        "acknowledged": {**ack.as_dict(), "acknowledged_per_s": ack.requests_per_s, "ran_out_of_deliveries": exhausted,
                         "stored_by_status": stored_counts, "stored_distinct_events": distinct_events},
        "applied": {"events_applied": result.events_applied, "duplicates": result.duplicates, "seconds": round(seconds, 2),
                    "applied_per_s": rate(result.events_applied, seconds),
                    "deliveries_per_s": rate(result.processed + result.ignored, seconds), "drain": result.as_dict(),
                    "batch_size": args.batch_size, "busy_before_pct": busy, "cpu_per_event": drain_cpu},
        "server": server.describe(),
        "targets": {"acknowledged_per_s_min": 2000, "acknowledged_met": ack.requests_per_s >= 2000 and not ack.non_2xx,
                    "applied_per_s_min": 1000, "applied_met": rate(result.events_applied, seconds) >= 1000},
    })
    return figures


def fresh_database(args, url: str) -> None:
    """Drop and recreate the bench database and migrate it (each provider of a run gets a fresh one)."""
    from django.db import connections

    connections.close_all()  # the DROP below ends this process's sessions too
    ensure_database(args.database, fresh=True)
    migrate(url)


def bench_connection(provider: str, settings: dict, credentials: dict):
    from chargeside.connections.models import Connection
    from chargeside.workspaces.models import Workspace

    workspace = Workspace.objects.create(slug=f"bench-hooks-{provider.replace('_', '-')}", name=f"Bench webhooks ({provider})")
    connection = Connection(workspace=workspace, provider=provider, name="Bench", settings=settings)
    connection.set_credentials(credentials)
    connection.save()
    return connection


def run_stripe(args, url: str) -> dict:
    """Stripe: deliveries built from the fake's wire objects (see the module docstring)."""
    state = seeded_state(url, args.customers, args.rng_seed)
    with FakeStripeProcess(state, url) as fake:
        connection = bench_connection("stripe", {"base_url": fake.base_url}, {"secret_key": API_KEY, "webhook_secret": WEBHOOK_SECRET})
        objects = wire_objects(fake.base_url)
        items, repeats = deliveries(objects, args.deliveries, args.duplicates, args.rng_seed)
        log(f"{len(items):,} signed deliveries over {len(objects):,} objects ({repeats:,} repeats of earlier events)")
        figures = acknowledge_and_drain(args, url, connection, items, post=loadgen.post_sequence,
                                        first_headers={"Content-Type": "application/json", "Stripe-Signature": items[0][0]},
                                        fake_pid=fake.process.pid, profile=args.profile)
    figures["prepared"] = {"deliveries": len(items), "repeats": repeats, "objects": len(objects)}
    return figures


def run_gateway(args, provider: str, url: str) -> dict:
    """Another gateway: its fake seeded by its seed module in a child process, which also signs the deliveries."""
    with FakeGatewayProcess(provider, args.customers, url, rng_seed=args.rng_seed) as fake:
        connection = bench_connection(provider, fake.settings, fake.credentials)
        log(f"signing {args.deliveries:,} {provider} deliveries with the fake's own code")
        items, prepared = fake.deliveries(args.deliveries, args.duplicates, args.rng_seed)
        log(f"{len(items):,} signed deliveries ({prepared['repeats']:,} repeats of earlier events) in {prepared['seconds']}s")
        profile = f"{args.profile}.{provider}" if args.profile else None
        figures = acknowledge_and_drain(args, url, connection, items, post=loadgen.post_deliveries, first_headers=items[0][0],
                                        fake_pid=fake.process.pid, profile=profile)
    figures["prepared"] = {**prepared, "scheme": SCHEMES[provider]}
    figures["fake_seeded"] = fake.ready["seeded"]
    return figures


def main(argv=None) -> int:
    args = parse_args(argv)
    stop_cleanly_on_sigterm()
    started = time.monotonic()
    url = database_url(args.database)
    providers = ALL_PROVIDERS if args.provider == "all" else (args.provider,)
    figures: dict = {"benchmark": "webhooks", "fake_customers": args.customers, "provider": args.provider}
    ensure_database(args.database, fresh=True)
    migrate(url)
    django_setup(url)
    per_provider: dict = {}
    for number, provider in enumerate(providers):
        log(f"--- {provider} ---")
        if number:
            fresh_database(args, url)
        per_provider[provider] = run_stripe(args, url) if provider == "stripe" else run_gateway(args, provider, url)
        if provider == "stripe":
            figures.update(per_provider[provider])  # the keys the README's Results quote, as before
    figures["providers"] = {p: {k: v for k, v in f.items() if not k.startswith("profile_")} for p, f in per_provider.items()}
    figures["machine"] = machine_info(url)
    figures["elapsed_s"] = round(time.monotonic() - started, 1)
    emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
