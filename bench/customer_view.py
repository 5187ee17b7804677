"""In-process cost of the panel's own work: `customer_view()` and a whole signed `/panel/` request.

    .venv/bin/python -m bench.customer_view                       # on the seeded bench.panel database
    .venv/bin/python -m bench.customer_view --samples 2000 --database chargeside_bench_panel

Read-only: it needs a database seeded by `python -m bench.panel --seed-only`. For random customers it
times (1) `billing.selectors.customer_view` for the bench agent and (2) a full `/panel/?<signed link>`
request through Django's test client (verification, member, matching, view model, templates), counts the
queries of each, and reports p50/p95/p99/max in milliseconds, wall clock and this process's CPU time (our
own work, which a machine busy with other jobs inflates less than the wall clock), as one JSON line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench.common import database_url, django_setup, emit, log, machine_info, wait_for_quiet


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(int(q * len(ordered)), len(ordered) - 1)], 3)


def summary(values: list[float]) -> dict:
    return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95), "p99": percentile(values, 0.99),
            "max": round(max(values), 3), "mean": round(statistics.fmean(values), 3)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.customer_view")
    parser.add_argument("--database", default="chargeside_bench_panel")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quiet-wait", type=float, default=180.0, help="wait up to this long for an idle machine first")
    args = parser.parse_args(argv)
    django_setup(database_url(args.database))

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chargeside.billing.models import Customer
    from chargeside.billing.selectors import customer_view
    from chargeside.helpdesks.signing import panel_query
    from chargeside.workspaces.models import Member, Workspace

    workspace = Workspace.objects.order_by("id").first()
    member = Member.objects.filter(workspace=workspace, is_active=True).select_related("user").order_by("id").first()
    top = Customer.objects.filter(workspace=workspace).order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(args.seed)
    picks = [rng.randint(1, top) for _ in range(args.samples)]
    emails = dict(Customer.objects.filter(id__in=picks).values_list("id", "email"))
    picks = [pick for pick in picks if pick in emails]
    log(f"{len(picks)} customers of workspace {workspace.slug}, member {member.user.email if member else None}")

    busy = wait_for_quiet(args.quiet_wait)
    client = Client(HTTP_HOST="127.0.0.1")
    for pick in picks[:50]:  # warm caches, connections and templates
        customer_view(workspace=workspace, customer_ids=[pick], member=member)
    view_ms, view_cpu_ms, view_queries, panel_ms, panel_cpu_ms, panel_queries, charges = [], [], [], [], [], [], []
    for pick in picks:
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            view = customer_view(workspace=workspace, customer_ids=[pick], member=member)
            view_ms.append((time.perf_counter() - started) * 1000)
            view_cpu_ms.append((time.process_time() - cpu) * 1000)
        view_queries.append(len(captured.captured_queries))
        charges.append(view.charges.total)
        query = panel_query(workspace, emails=[emails[pick]], agent=member.user.email if member else "", ttl=600)
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/panel/?{query}")
            panel_ms.append((time.perf_counter() - started) * 1000)
            panel_cpu_ms.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
        panel_queries.append(len(captured.captured_queries))
        reset_queries()
    heavy = sorted(range(len(charges)), key=lambda i: charges[i])[-max(len(charges) // 100, 1):]
    emit({
        "benchmark": "customer_view", "database": args.database, "samples": len(picks),
        "customers": Customer.objects.filter(workspace=workspace).count(),
        "customer_view_ms": summary(view_ms), "customer_view_cpu_ms": summary(view_cpu_ms),
        "customer_view_queries_max": max(view_queries),
        "panel_request_ms": summary(panel_ms), "panel_request_cpu_ms": summary(panel_cpu_ms),
        "panel_request_queries_max": max(panel_queries),
        "charges_per_customer": {"mean": round(statistics.fmean(charges), 1), "max": max(charges)},
        "customer_view_ms_heaviest_1pct": summary([view_ms[i] for i in heavy]),
        "others_cpu_busy_pct_before": busy, "machine": machine_info(database_url(args.database)),
    })


if __name__ == "__main__":
    main()
