"""The fakes of PayPal, Braintree, WooCommerce, Recurly and the custom HTTP gateway for the backfill and webhook
benchmarks: seeded and served in a child process of their own.

These fakes keep their state in memory (WooCommerce in an SQLite file of the child), so seeding and serving
must happen in one process; a child process also gives the fake its own interpreter and GIL, so the figures
measure Chargeside's side and not a shared GIL (as `bench/fake_stripe.py` does for Stripe).

The child (`python -m bench.gateway_fakes --provider P --customers N`) starts the provider's sandbox harness
(`chargeside.sandbox.<P>.harness`: the fake on 127.0.0.1 and the connection settings and credentials that
match it), seeds it with the provider's own `seed(fake, n)` (the custom HTTP reference server has no seed
module: `seed_custom_http` below makes a comparable mix through its ledger), then prints one line
`BENCHFAKE {"base_url", "settings", "credentials", "seeded", ...}` and serves. On stdin it takes one command
per line, `{"cmd": "deliveries", ...}`: sign webhook deliveries with the fake's own signing code
(`bench.gateway_deliveries`) into a file and answer `BENCHFAKE {...}`. EOF on stdin stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench.common import REPO, VENV_BIN, bench_env, log

PROVIDERS = ("paypal", "braintree", "woocommerce", "recurly", "custom_http")
PREFIX = "BENCHFAKE "


# --- the child: one fake, seeded and served ---------------------------------------------------------------

def seed_custom_http(server, n: int, rng_seed: int) -> dict:
    """n customers at the custom HTTP reference server, through its ledger (as the merchant's system would
    create them): 1-3 payments each in EUR/USD/JPY, every fifth a failed one, every third paid order partly
    refunded, and a subscription for every second customer (active with its paid invoice, trialing,
    past due or canceled). The reference server's own `seed()` is a fixed world of seven customers."""
    import random

    rng = random.Random(rng_seed)
    ledger = server.ledger
    made = {"customers": 0, "payments": 0, "refunds": 0, "subscriptions": 0}
    currencies = (("EUR", (1900, 4990, 12000)), ("USD", (2500, 5999, 9900)), ("JPY", (750, 3200, 12800)))
    plans = (("basic-monthly", "Basic", 900), ("pro-monthly", "Pro", 2900), ("team-monthly", "Team", 9900))
    states = ("active", "active", "trialing", "past_due", "canceled")
    for i in range(n):
        currency, amounts = currencies[i % len(currencies)]
        customer = ledger.add_customer(f"customer{i}@example.com", f"Customer {i}")
        made["customers"] += 1
        for p in range(rng.randint(1, 3)):
            payment = ledger.add_payment(customer["id"], rng.choice(amounts), currency, description=f"Order {i}-{p}")
            made["payments"] += 1
            if i % 3 == 0 and p == 0:
                ledger.refund(payment["id"], {"amount": max(payment["amount"] // 4, 1), "currency": currency, "reason": "partial"})
                made["refunds"] += 1
        if i % 5 == 4:
            ledger.add_payment(customer["id"], amounts[0], currency, description=f"Order {i}-declined", status="failed")
            made["payments"] += 1
        if i % 2 == 0:
            plan_id, name, amount = plans[(i // 2) % len(plans)]
            ledger.add_subscription(customer["id"], plan_id, name, amount, currency, status=states[(i // 2) % len(states)])
            made["subscriptions"] += 1
    return made


@dataclass
class Running:
    """A started, seeded fake in this process and what a connection to it needs."""

    provider: str
    harness: object  # the sandbox harness (None for custom_http)
    fake: object  # the fake object (the reference server for custom_http)
    settings: dict
    credentials: dict
    seeded: dict = field(default_factory=dict)
    stop_hooks: list = field(default_factory=list)

    def stop(self) -> None:
        for hook in self.stop_hooks:
            hook()


def start(provider: str, customers: int, rng_seed: int, state_dir: str) -> Running:
    if provider == "custom_http":
        from chargeside.sandbox.custom_http import reference_server
        from chargeside.sandbox.custom_http.harness import SECRET

        # No webhook URL: the deliveries are signed here and sent by the load generator, not by the server.
        server = reference_server().ReferenceServer(secrets=[SECRET], seeded=False).start()
        run = Running(provider, None, server, {"base_url": server.base_url}, {"secret": SECRET}, stop_hooks=[server.stop])
        run.seeded = seed_custom_http(server, customers, rng_seed)
        return run
    from chargeside.sandbox.harness import harness_class

    harness = harness_class(provider)()
    harness.start(state_dir)
    fake = harness.fake
    run = Running(provider, harness, fake, {}, {}, stop_hooks=[harness.stop])
    if provider == "paypal":
        from chargeside.sandbox.paypal.seed import seed

        run.seeded = {"payers": len(seed(fake, customers, seed_value=rng_seed))}
    elif provider == "braintree":
        from chargeside.sandbox.braintree.seed import seed

        run.seeded = {"customers": len(seed(fake, customers))}
    elif provider == "woocommerce":
        from chargeside.sandbox.woocommerce.seed import seed

        run.seeded = {name: len(items) for name, items in seed(fake, customers).items()}
    elif provider == "recurly":
        from chargeside.sandbox.recurly.seed import seed

        run.seeded = {name: len(items) for name, items in seed(fake, customers, rng_seed=rng_seed).items()}
    else:
        raise ValueError(f"no bench fake for {provider!r}")
    # Read after seeding: Braintree's connection names its merchant accounts, which exist from the start.
    run.settings, run.credentials = harness.connection_settings(), harness.connection_credentials()
    return run


def child_main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.gateway_fakes", description=__doc__.split("\n\n")[0])
    p.add_argument("--provider", choices=PROVIDERS, required=True)
    p.add_argument("--customers", type=int, required=True)
    p.add_argument("--rng-seed", type=int, default=7)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a fake prints stays off the protocol channel
    with tempfile.TemporaryDirectory(prefix=f"bench-fake-{args.provider}-") as state_dir:
        started = time.monotonic()
        run = start(args.provider, args.customers, args.rng_seed, state_dir)
        print(f"  fake {args.provider} seeded with {args.customers:,} customers in {time.monotonic() - started:.1f}s: {run.seeded}",
              file=sys.stderr, flush=True)
        from bench.gateway_deliveries import builder_for

        builder = builder_for(run)  # snapshots what seeding recorded, before anything else happens
        out.write(PREFIX + json.dumps({"base_url": run.settings["base_url"], "settings": run.settings,
                                       "credentials": run.credentials, "seeded": run.seeded,
                                       "seed_seconds": round(time.monotonic() - started, 2)}) + "\n")
        out.flush()
        try:
            for line in sys.stdin:
                command = json.loads(line)
                if command.get("cmd") == "deliveries":
                    answer = builder.write(command["path"], count=command["count"], duplicates=command["duplicates"],
                                           rng_seed=command["rng_seed"])
                else:
                    answer = {"error": f"unknown command {command.get('cmd')!r}"}
                out.write(PREFIX + json.dumps(answer) + "\n")
                out.flush()
        finally:
            run.stop()
    return 0


# --- the parent: start the child, ask it for deliveries, stop it --------------------------------------------

@dataclass
class FakeGatewayProcess:
    provider: str
    customers: int
    database_url: str
    rng_seed: int = 7
    process: subprocess.Popen | None = None
    ready: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.ready["base_url"]

    @property
    def settings(self) -> dict:
        return self.ready["settings"]

    @property
    def credentials(self) -> dict:
        return self.ready["credentials"]

    def start(self) -> FakeGatewayProcess:
        log(f"seeding the fake {self.provider} with {self.customers:,} customers (its seed module), in its own process")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "bench.gateway_fakes", "--provider", self.provider, "--customers", str(self.customers),
             "--rng-seed", str(self.rng_seed)],
            env=bench_env(self.database_url), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self.ready = self._answer()
        log(f"fake {self.provider} serving at {self.base_url} (pid {self.process.pid}), seeded in {self.ready['seed_seconds']}s")
        return self

    def _answer(self) -> dict:
        while True:
            line = self.process.stdout.readline()
            if not line:
                code = self.process.wait()
                raise RuntimeError(f"the fake {self.provider} exited with {code} (its stderr is above)")
            if line.startswith(PREFIX):
                answer = json.loads(line[len(PREFIX):])
                if "error" in answer:
                    raise RuntimeError(f"the fake {self.provider}: {answer['error']}")
                return answer

    def deliveries(self, count: int, duplicates: float, rng_seed: int) -> tuple[list[tuple[dict, bytes]], dict]:
        """`count` signed deliveries (headers, body) over what the fake holds, signed by the fake's own code now."""
        with tempfile.NamedTemporaryFile(prefix=f"bench-{self.provider}-deliveries-", suffix=".pickle", delete=False) as tmp:
            path = tmp.name
        try:
            self.process.stdin.write(json.dumps({"cmd": "deliveries", "path": path, "count": count, "duplicates": duplicates,
                                                 "rng_seed": rng_seed}) + "\n")
            self.process.stdin.flush()
            summary = self._answer()
            with open(path, "rb") as handle:
                items = pickle.load(handle)  # written by our own child process just now
        finally:
            os.unlink(path)
        return items, summary

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # EOF: the child stops its fake and exits
            except OSError:
                pass
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(child_main())
