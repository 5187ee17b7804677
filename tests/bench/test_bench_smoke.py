"""Each benchmark runs end to end at toy scale, so that they do not rot. Nothing here is timed.

The benchmarks are PostgreSQL-only (COPY, SKIP LOCKED): these tests run in the PostgreSQL pass of the
suite, each in its own throw-away database, with the Python load generator (no dependency on wrk).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("CHARGESIDE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the benchmarks run on PostgreSQL only; the suite's PostgreSQL pass runs these",
)


@pytest.fixture
def bench_db():
    name = f"chargeside_bench_smoke_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_bench(module: str, *args: str, home: Path) -> dict:
    env = {**os.environ, "CHARGESIDE_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    last = proc.stdout.strip().splitlines()[-1]
    return json.loads(last)


def test_panel_benchmark_seeds_by_copy_serves_both_views_and_reuses_the_seed(bench_db, tmp_path):
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench.panel_seed import _Context, _plan

    common = ("--customers", "200", "--database", bench_db, "--quiet-wait", "0")
    figures = run_bench("bench.panel", *common, "--sample", "50", "--duration", "1", "--warmup", "0", "--engine", "python",
                        "--connections", "2", "--workers", "1", home=tmp_path)

    plan = _plan(200, 20260101)
    expected = _Context(1, 1, plan, 20260101)
    charges = sum(1 for _ in expected.charges())
    assert figures["rows"]["customer"] == 200
    assert figures["rows"]["gateway_customer"] == 200
    assert figures["rows"]["charge"] == charges == sum(plan)
    assert figures["rows"]["subscription"] == 40
    assert figures["rows"]["invoice"] == 120
    assert figures["rows"]["refund"] == len(expected.refunded)
    assert figures["seed"]["reused"] is False
    for name in ("panel", "bare", "panel_single_connection", "bare_single_connection"):
        assert figures[name]["requests"] > 0
        assert figures[name]["errors"] == 0
        assert figures[name]["non_2xx"] == 0
    assert figures["panel_to_bare_ratio"] == round(figures["panel"]["requests_per_s"] / figures["bare"]["requests_per_s"], 3)
    assert figures["machine"]["cores"] == os.cpu_count()
    with psycopg.connect(f"{PG_SERVER}/{bench_db}") as conn:
        customer = conn.execute("SELECT email, name, search_name FROM billing_customer WHERE id = 17").fetchone()
        charge_ids = conn.execute("SELECT min(id), max(id), count(*) FROM billing_charge").fetchone()
    assert customer == ("customer17@bench.example", "Alan Turing", "alan turing")
    assert charge_ids == (1, charges, charges)

    again = run_bench("bench.panel", *common, "--seed-only", home=tmp_path)

    assert again["seed"]["reused"] is True
    assert again["rows"] == figures["rows"]


def test_backfill_benchmark_walks_the_same_objects_as_the_sdk(bench_db, tmp_path):
    figures = run_bench("bench.backfill", "--customers", "10", "--database", bench_db, "--sdk-rounds", "1",
                        "--quiet-wait", "0", home=tmp_path)

    assert figures["chargeside"]["status"] == "succeeded"
    assert figures["objects_match"] is True
    assert figures["chargeside"]["objects"] == figures["sdk"]["objects"] > 10
    assert figures["chargeside"]["rows"] == figures["chargeside"]["per_kind"]
    assert figures["ratio"] == round(figures["chargeside"]["objects_per_s"] / figures["sdk"]["objects_per_s"], 3)


def test_webhooks_benchmark_acknowledges_every_delivery_and_applies_each_event_once(bench_db, tmp_path):
    figures = run_bench("bench.webhooks", "--customers", "10", "--database", bench_db, "--deliveries", "400",
                        "--duplicates", "0.1", "--duration", "120", "--engine", "python", "--max-requests", "60",
                        "--connections", "2", "--workers", "1", "--quiet-wait", "0", home=tmp_path)

    ack, applied = figures["acknowledged"], figures["applied"]
    stored = sum(ack["stored_by_status"].values())
    assert ack["errors"] == 0
    assert ack["non_2xx"] == 0
    assert ack["requests"] == 60
    assert stored == 61  # the checked first delivery plus the 60 sent under load
    assert ack["stored_by_status"] == {"pending": 61}
    assert applied["events_applied"] == ack["stored_distinct_events"]
    assert applied["duplicates"] == stored - ack["stored_distinct_events"]
    assert applied["drain"]["processed"] == stored
    assert applied["drain"]["failed"] == applied["drain"]["retrying"] == 0


GATEWAYS = ["paypal", "braintree", "woocommerce", "recurly", "custom_http"]


@pytest.mark.parametrize("provider", GATEWAYS)
def test_backfill_benchmark_runs_each_gateway_against_its_seeded_fake(provider, bench_db, tmp_path):
    figures = run_bench("bench.backfill", "--provider", provider, "--customers", "10", "--database", bench_db, "--sdk-rounds", "1",
                        "--quiet-wait", "0", home=tmp_path)

    run = figures["providers"][provider]
    assert list(figures["providers"]) == [provider]
    assert "chargeside" not in figures  # Stripe's top-level keys only when Stripe ran
    assert run["chargeside"]["status"] == "succeeded"
    assert run["sdk"]["objects"] > 10
    assert run["chargeside"]["objects"] >= run["sdk"]["objects"]  # plus what Chargeside derives (payers, guest buyers)
    assert set(run["sdk"]["per_kind"]) == set(run["kinds"])
    for kind, counted in run["sdk"]["per_kind"].items():  # every object the SDK saw became one row
        if kind == "customer":  # and guest buyers (WooCommerce) became customers too
            assert run["chargeside"]["rows"][kind] >= counted["objects"]
        else:
            assert run["chargeside"]["rows"][kind] == counted["objects"], kind
    assert run["ratio"] == round(run["sdk"]["seconds"] / run["chargeside"]["seconds"], 3)
    assert run["chargeside"]["cpu_per_object"]["total_ms"] > 0


@pytest.mark.parametrize("provider", GATEWAYS)
def test_webhooks_benchmark_acknowledges_each_gateways_signed_deliveries_and_applies_them(provider, bench_db, tmp_path):
    figures = run_bench("bench.webhooks", "--provider", provider, "--customers", "10", "--database", bench_db, "--deliveries", "200",
                        "--duplicates", "0.1", "--duration", "120", "--engine", "python", "--max-requests", "30",
                        "--connections", "2", "--workers", "1", "--quiet-wait", "0", home=tmp_path)

    run = figures["providers"][provider]
    ack, applied = run["acknowledged"], run["applied"]
    stored = sum(ack["stored_by_status"].values())
    assert ack["errors"] == ack["non_2xx"] == 0  # every delivery's signature verified at /hooks/<token>/
    assert ack["requests"] == 30
    assert ack["stored_by_status"] == {"pending": 31}
    assert applied["drain"]["processed"] == stored
    assert applied["drain"]["failed"] == applied["drain"]["retrying"] == 0
    assert applied["events_applied"] > 0
    assert run["prepared"]["deliveries"] > 31
