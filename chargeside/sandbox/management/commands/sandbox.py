"""`chargeside sandbox seed|serve|serve-gateways`: the local fake gateways used by the demo, the tests and the benchmarks.

`seed` and `serve` are the fake Stripe (its state is a file). `serve-gateways` starts the fakes of PayPal,
Braintree, WooCommerce and Recurly in this one process, seeds them (their state is in memory, so seeding and
serving must happen together) and serves them until Ctrl-C; it prints what a Connection to each needs.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from chargeside.sandbox.demo_gateways import CUSTOMERS, DEFAULT_PORTS


def default_state_path() -> Path:
    return settings.CHARGESIDE_HOME / "sandbox" / "stripe.sqlite3"


class Command(BaseCommand):
    help = "Seed or serve the local fake Stripe, or serve the other fake gateways (127.0.0.1 only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        seed = sub.add_parser("seed", help="Create realistic customers, charges, subscriptions... in the fake's state.")
        seed.add_argument("--customers", type=int, default=50)
        seed.add_argument("--state", default=None, help="State file (default: $CHARGESIDE_HOME/sandbox/stripe.sqlite3)")
        seed.add_argument("--rng-seed", type=int, default=42)
        seed.add_argument("--reset", action="store_true", help="Start from an empty state file.")
        serve = sub.add_parser("serve", help="Serve the fake Stripe API in the foreground.")
        serve.add_argument("--port", type=int, default=12111)
        serve.add_argument("--state", default=None)
        gateways = sub.add_parser("serve-gateways", help="Start, seed and serve the fake PayPal, Braintree, WooCommerce and Recurly.")
        for provider, port in DEFAULT_PORTS.items():
            gateways.add_argument(f"--{provider}-port", type=int, default=port)
        gateways.add_argument("--customers", type=int, default=CUSTOMERS, help="customers seeded at each gateway")

    def handle(self, *args, verb, **options):
        if verb == "serve-gateways":
            return self.serve_gateways({provider: options[f"{provider}_port"] for provider in DEFAULT_PORTS}, options["customers"])
        state = Path(options["state"] or default_state_path())
        state.parent.mkdir(parents=True, exist_ok=True)
        if verb == "seed":
            self.seed(state, options["customers"], options["rng_seed"], options["reset"])
        else:
            from chargeside.sandbox.stripe import StripeFake

            fake = StripeFake(state_path=str(state))
            self.stdout.write(f"Fake Stripe on http://127.0.0.1:{options['port']} (state {state})")
            try:
                fake.serve_forever(port=options["port"])
            except KeyboardInterrupt:
                pass

    def seed(self, state: Path, customers: int, rng_seed: int, reset: bool) -> dict:
        from chargeside.sandbox.stripe import StripeFake
        from chargeside.sandbox.stripe.seed import seed

        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(str(state) + suffix).unlink(missing_ok=True)
        fake = StripeFake(state_path=str(state))
        started = time.monotonic()
        columns = (TextColumn("seeding fake Stripe"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=None, transient=False) as progress:
            task = progress.add_task("customers", total=customers)
            summary = seed(fake, customers=customers, rng_seed=rng_seed, progress=lambda done, *_: progress.update(task, completed=done))
        fake.stop()
        self.stdout.write(f"Seeded in {time.monotonic() - started:.1f}s: {summary}")
        return summary

    def serve_gateways(self, ports: dict[str, int], customers: int) -> None:
        from chargeside.sandbox.demo_gateways import start_demo_gateways

        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        started = time.monotonic()
        try:
            gateways = start_demo_gateways(ports, customers=customers)
        except OSError as exc:
            raise CommandError(f"Could not start the fake gateways ({exc}); pass other --<provider>-port values.") from None
        self.stdout.write(f"Seeded in {time.monotonic() - started:.1f}s. Connection settings (secrets in brackets):")
        for provider in gateways.fakes:
            secrets = ", ".join(f"{k}=[{v}]" for k, v in gateways.credentials(provider).items())
            plain = ", ".join(f"{k}={v}" for k, v in gateways.settings(provider).items())
            self.stdout.write(f"  {provider:<12} {plain}; {secrets}")
        self.stdout.write("Webhooks: register them through PayPal's and WooCommerce's REST APIs, as at the real providers. Braintree and "
                          "Recurly register them in their control panels, which live in this process: `chargeside demo` does it all. "
                          "Ctrl-C stops.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            gateways.stop()
