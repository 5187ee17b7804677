"""Panel benchmark: the generic signed panel vs a bare Django JSON view, on a big PostgreSQL database.

    .venv/bin/python -m bench.panel                      # 1 M customers / ~10 M charges (seeds once, ~minutes)
    .venv/bin/python -m bench.panel --customers 20000    # quick run on a small database
    .venv/bin/python -m bench.panel --reseed             # drop the database and seed again

Steps: create/migrate the database (`chargeside migrate`), seed it by COPY unless a complete seed of the
same size is already there, start gunicorn (`chargeside.wsgi` with bench.settings, which only adds the
bare view's URL), then, for random customers of the seeded set, load `/bench/bare/<id>/` and
`/panel/?<signed link>` in turn with the same load generator and settings. Progress goes to stderr; the
figures are one JSON line on stdout, last.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # `python bench/panel.py` as well as `python -m bench.panel`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench import loadgen, panel_seed, profiling
from bench.cpu import CpuMeter
from bench.common import (database_url, django_setup, emit, ensure_database, log, machine_info, migrate,
                          stop_cleanly_on_sigterm, wait_for_quiet)
from bench.server import Gunicorn

AGENT_EMAIL = "agent@bench.example"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.panel", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--customers", type=int, default=1_000_000, help="customers to seed (~10 charges each on average)")
    p.add_argument("--database", default="chargeside_bench_panel", help="PostgreSQL database (created if missing)")
    p.add_argument("--reseed", action="store_true", help="drop the database and seed it again")
    p.add_argument("--seed", type=int, default=20260101, help="random seed for data and for picking customers")
    p.add_argument("--index-mode", choices=["drop", "keep"], default="drop",
                   help="drop indexes/keys during COPY and recreate them (faster), or keep them in place")
    p.add_argument("--seed-only", action="store_true", help="prepare the database and stop")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    p.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync or gthread)")
    p.add_argument("--connections", type=int, default=4, help="concurrent connections of the load generator")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of load per measurement")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of unmeasured load per endpoint first")
    p.add_argument("--rounds", type=int, default=1, help="bare/panel measurement pairs (the best of each is reported)")
    p.add_argument("--sample", type=int, default=20_000, help="distinct random customers the requests pick from")
    p.add_argument("--engine", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    p.add_argument("--max-requests", type=int, default=None, help="stop each measurement after this many requests (python engine)")
    p.add_argument("--quiet-wait", type=float, default=180.0,
                   help="before each measurement, wait up to this many seconds for other processes to leave the CPU idle")
    p.add_argument("--profile", metavar="FILE", help="also profile the panel's gunicorn workers with py-spy (speedscope JSON)")
    return p.parse_args(argv)


def prepare(args) -> tuple[str, dict]:
    url = database_url(args.database)
    created = ensure_database(args.database, fresh=args.reseed)
    if created:
        log(f"created database {args.database}")
    migrate(url)
    django_setup(url)
    workspace, connection = _bench_rows()
    marker = panel_seed.seeded_marker(connection.settings, args.customers)
    if marker:
        log(f"database already seeded with {args.customers:,} customers (seed marker found); skipping the load")
        return url, {**marker, "reused": True}
    log(f"seeding {args.customers:,} customers by COPY (index mode: {args.index_mode})")
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        result = panel_seed.seed(cursor, workspace_id=workspace.id, connection_id=connection.id, customers=args.customers,
                                 seed_value=args.seed, index_mode=args.index_mode)
        marker = {"complete": True, "customers": args.customers, "seed": args.seed, "index_mode": args.index_mode, **result}
        _write_marker(cursor, connection, marker)  # in the seeding transaction: no marker without the data
        t0 = time.monotonic()
        conn.commit()  # deferred foreign-key checks run here when the keys were kept during the load
        timings = result["timings"]
        timings["commit_s"] = round(time.monotonic() - t0, 1)
        timings["seed_total_s"] = round(timings["seed_total_s"] + timings["commit_s"], 1)
        _write_marker(cursor, connection, marker)
        conn.commit()
    log(f"seeded: {result['rows']} in {result['timings']['seed_total_s']}s")
    return url, {**marker, "reused": False}


def _write_marker(cursor, connection, marker: dict) -> None:
    settings = {**connection.settings, panel_seed.MARKER_KEY: marker}
    cursor.execute("UPDATE connections_connection SET settings = %s WHERE id = %s", [json.dumps(settings), connection.id])


def _bench_rows():
    from django.contrib.auth import get_user_model

    from chargeside.connections.models import Connection
    from chargeside.workspaces.models import Member, Workspace
    from chargeside.workspaces.roles import Role

    workspace, _ = Workspace.objects.get_or_create(slug="bench-panel", defaults={"name": "Bench panel"})
    _ = workspace.panel_secret  # created and stored on first use
    connection = Connection.objects.filter(workspace=workspace, provider="stripe", name="Bench").first()
    if connection is None:
        connection = Connection(workspace=workspace, provider="stripe", name="Bench", settings={"base_url": "http://127.0.0.1:9"})
        connection.set_credentials({"secret_key": "sk_test_bench", "webhook_secret": "whsec_bench"})
        connection.save()
    user, _ = get_user_model().objects.get_or_create(username="bench-agent", defaults={"email": AGENT_EMAIL, "first_name": "Bench"})
    Member.objects.get_or_create(workspace=workspace, user=user, defaults={"role": str(Role.AGENT)})
    return workspace, connection


def request_paths(customers: int, sample: int, seed: int) -> tuple[list[int], list[str], list[str]]:
    from chargeside.helpdesks.signing import panel_query
    from chargeside.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug="bench-panel")
    ids = random.Random(seed).sample(range(1, customers + 1), min(sample, customers))
    ctx = panel_seed._Context(workspace.id, 0, [0] * customers, seed)
    panel = [
        "/panel/?" + panel_query(workspace, emails=[ctx._email(i)], name=ctx._name(i), ticket=str(10_000 + n),
                                 agent=AGENT_EMAIL, ttl=6 * 3600)
        for n, i in enumerate(ids)
    ]
    bare = [f"/bench/bare/{i}/" for i in ids]
    return ids, bare, panel


def check_pages(base_url: str, ids: list[int], bare: list[str], panel: list[str]) -> dict:
    """Both endpoints answer 200 with the right customer before anything is timed."""
    ctx = panel_seed._Context(0, 0, [0] * (max(ids) + 1), 0)
    sizes = {"bare_bytes": 0, "panel_bytes": 0}
    for i, bare_path, panel_path in list(zip(ids, bare, panel))[:5]:
        with urllib.request.urlopen(base_url + bare_path, timeout=30) as response:
            body = json.loads(response.read())
            if body["customer"]["email"] != ctx._email(i):
                raise RuntimeError(f"bare view answered for the wrong customer: {body['customer']}")
            sizes["bare_bytes"] = max(sizes["bare_bytes"], len(json.dumps(body)))
        with urllib.request.urlopen(base_url + panel_path, timeout=30) as response:
            html = response.read().decode()
            if response.status != 200 or ctx._email(i) not in html:
                raise RuntimeError(f"panel page for customer {i} does not show {ctx._email(i)}")
            sizes["panel_bytes"] = max(sizes["panel_bytes"], len(html))
    return sizes


def measure(args, url: str) -> dict:
    ids, bare, panel = request_paths(args.customers, args.sample, args.seed)
    server = Gunicorn(url, workers=args.workers, threads=args.threads, worker_class=args.worker_class)
    results: dict = {"bare": [], "panel": [], "single": {}}
    with server:
        sizes = check_pages(server.base_url, ids, bare, panel)
        load = dict(engine=args.engine, max_requests=args.max_requests)
        if args.warmup > 0:
            log(f"warm-up: {args.warmup}s per endpoint")
            for paths in (bare, panel):
                loadgen.run(server.base_url, paths, seconds=args.warmup, connections=args.connections, seed=args.seed, **load)
        meter = CpuMeter(url, args.database, {"app": server.worker_pids})
        for n in range(args.rounds):
            for name, paths in (("bare", bare), ("panel", panel)):
                busy = wait_for_quiet(args.quiet_wait)
                meter.start()
                result = loadgen.run(server.base_url, paths, seconds=args.duration, connections=args.connections,
                                     seed=args.seed + n, **load)
                result.server_cpu = meter.stop(result.requests)
                result.busy_before_pct = busy
                log(f"{name}: {result.requests_per_s} req/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms "
                    f"({result.requests} requests, {result.errors} errors, {result.non_2xx} non-2xx); "
                    f"server CPU per request {result.server_cpu}; others' CPU before {busy}%")
                results[name].append(result)
        single_seconds = max(args.duration / 4, 1.0)
        for name, paths in (("bare", bare), ("panel", panel)):
            busy = wait_for_quiet(args.quiet_wait)
            result = loadgen.run(server.base_url, paths, seconds=single_seconds, connections=1, seed=args.seed + 99, **load)
            result.busy_before_pct = busy
            log(f"{name}, one connection: p50 {result.p50_ms} ms, p99 {result.p99_ms} ms")
            results["single"][name] = result.as_dict()
        if args.profile:
            wait_for_quiet(args.quiet_wait)
            results["profile"] = profiling.profile_run(server, panel, seconds=args.duration, connections=args.connections,
                                                      output=args.profile, engine=args.engine)
    best = {name: max(results[name], key=lambda r: r.requests_per_s) for name in ("bare", "panel")}
    return {"server": server.describe(), "sizes": sizes, "best": best, "all": results}


def main(argv=None) -> int:
    args = parse_args(argv)
    stop_cleanly_on_sigterm()
    started = time.monotonic()
    url, seed_info = prepare(args)
    figures: dict = {"benchmark": "panel", "customers": args.customers, "rows": seed_info.get("rows"),
                     "seed": {k: seed_info.get(k) for k in ("reused", "index_mode", "timings")}}
    if not args.seed_only:
        m = measure(args, url)
        bare, panel = m["best"]["bare"], m["best"]["panel"]
        ratio = round(panel.requests_per_s / bare.requests_per_s, 3) if bare.requests_per_s else None
        cpu_ratio = None
        if panel.server_cpu and bare.server_cpu and panel.server_cpu["total_ms"]:
            cpu_ratio = round(bare.server_cpu["total_ms"] / panel.server_cpu["total_ms"], 3)
        figures.update({
            "panel": panel.as_dict(), "bare": bare.as_dict(), "panel_to_bare_ratio": ratio,
            # bare CPU per request / panel CPU per request: the throughput ratio an idle machine would show.
            "panel_to_bare_cpu_ratio": cpu_ratio,
            "panel_single_connection": m["all"]["single"]["panel"], "bare_single_connection": m["all"]["single"]["bare"],
            "targets": {"panel_p99_ms_max": 25, "panel_p99_met": panel.p99_ms <= 25, "ratio_min": 0.70,
                        "ratio_met": ratio is not None and ratio >= 0.70},
            "server": m["server"], "load": {"engine": panel.engine, "connections": args.connections, "duration_s": args.duration,
                                            "rounds": args.rounds, "distinct_customers": min(args.sample, args.customers)},
            "response_bytes": m["sizes"],
            "rounds_requests_per_s": {name: [r.requests_per_s for r in m["all"][name]] for name in ("bare", "panel")},
        })
        if "profile" in m["all"]:
            figures["profile"] = m["all"]["profile"]
    figures["machine"] = machine_info(url)
    figures["elapsed_s"] = round(time.monotonic() - started, 1)
    emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
