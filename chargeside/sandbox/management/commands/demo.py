"""`chargeside demo`: migrate, seed the fake gateways, create the demo workspace, backfill, serve.

Five gateways on 127.0.0.1: the fake Stripe in its own process (its state is a file, seeded once), and PayPal,
Braintree, WooCommerce and Recurly in this process (their state is in memory, so they are seeded here on every
start and live as long as this command). Then the task worker and the web server as child processes.

Stopping (Ctrl-C or SIGTERM): the children run in their own process groups, so the terminal's Ctrl-C reaches
only this command, which then asks each child once (SIGINT: the worker finishes its current task), then firmly
(SIGTERM) and at last kills (SIGKILL) whatever is still running after each grace period.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from chargeside.sandbox.demo_gateways import CUSTOMERS, DEFAULT_PORTS
from chargeside.sandbox.management.commands.sandbox import default_state_path

GRACE_SECONDS = 10.0  # after SIGINT, and again after SIGTERM


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise CommandError(f"Nothing answered on 127.0.0.1:{port} after {timeout:.0f}s.")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def stop_children(children: list[subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """SIGINT to each child, then SIGTERM to those still running after `grace` seconds, then SIGKILL."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        running = [child for child in children if child.poll() is None]
        if not running:
            return
        for child in running:
            try:
                child.send_signal(sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for child in running:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                pass


def _terminated(signum, frame):
    raise KeyboardInterrupt  # SIGTERM to the demo stops it like Ctrl-C does


class Command(BaseCommand):
    help = "Set up and start the local demo (SQLite, five seeded fake gateways, demo workspace, panel beside a ticket)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("CHARGESIDE_DEMO_PORT", "8000")))
        parser.add_argument("--stripe-port", type=int, default=12111)
        for provider, port in DEFAULT_PORTS.items():
            parser.add_argument(f"--{provider}-port", type=int, default=port)
        parser.add_argument("--customers", type=int, default=60, help="customers seeded at the fake Stripe")
        parser.add_argument("--gateway-customers", type=int, default=CUSTOMERS, help="customers seeded at each other fake gateway")
        parser.add_argument("--reset", action="store_true", help="Throw away the demo data and start again.")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit (used by tests).")

    def handle(self, *args, port, stripe_port, customers, gateway_customers, reset, no_serve, **options):
        from chargeside.sandbox.demo_gateways import start_demo_gateways
        from chargeside.sandbox.demo_setup import (DEMO_PASSWORD, DEMO_PEOPLE, ensure_demo_workspace, forget_synced,
                                                   register_stripe_webhook, register_webhooks)

        gateway_ports = {provider: options[f"{provider}_port"] for provider in DEFAULT_PORTS}
        for flag, needed in (("--port", port), ("--stripe-port", stripe_port),
                             *((f"--{provider}-port", p) for provider, p in gateway_ports.items())):
            if not _port_free(needed):
                raise CommandError(f"Port {needed} is in use; stop what runs there or pass {flag}.")
        state = default_state_path()
        if reset:
            db = Path(settings.DATABASES["default"]["NAME"])
            for path in (db, state):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
        self.stdout.write(self.style.MIGRATE_HEADING("1/5 database"))
        call_command("migrate", verbosity=0)
        self.stdout.write(self.style.MIGRATE_HEADING("2/5 fake gateways: Stripe, PayPal, Braintree, WooCommerce, Recurly"))
        if not state.exists():
            call_command("sandbox", "seed", customers=customers, state=str(state))
        children: list[subprocess.Popen] = []
        gateways = None
        env = {**os.environ, "CHARGESIDE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        manage = [sys.executable, "-m", "chargeside.cli"]
        # Ctrl-C, and SIGTERM too, end the demo through the `finally` below, even when started with SIGINT ignored (nohup, &).
        previous = {sig: signal.signal(sig, handler) for sig, handler in ((signal.SIGINT, signal.default_int_handler),
                                                                          (signal.SIGTERM, _terminated))}

        def child(*command: str) -> subprocess.Popen:
            # Its own process group: Ctrl-C in the terminal reaches only us, and we stop the children in order.
            return subprocess.Popen([*manage, *command], env=env, process_group=0)

        try:
            children.append(child("sandbox", "serve", "--port", str(stripe_port), "--state", str(state)))
            started = time.monotonic()
            gateways = start_demo_gateways(gateway_ports, customers=gateway_customers)
            self.stdout.write(f"  PayPal, Braintree, WooCommerce and Recurly seeded in {time.monotonic() - started:.1f} s")
            _wait_for_port(stripe_port)
            stripe_url = f"http://127.0.0.1:{stripe_port}"
            self.stdout.write(self.style.MIGRATE_HEADING("3/5 demo workspace: a connection per gateway, webhooks registered"))
            demo = ensure_demo_workspace(stripe_base_url=stripe_url, gateways=gateways)
            register_stripe_webhook(demo.connection, env["CHARGESIDE_PUBLIC_URL"])
            register_webhooks(demo, env["CHARGESIDE_PUBLIC_URL"], gateways)
            self.stdout.write(self.style.MIGRATE_HEADING("4/5 backfill from the five gateways into Chargeside"))
            call_command("backfill", connection=demo.connection.pk, stdout=self.stdout, stderr=self.stderr)
            for connection in demo.others.values():
                forget_synced(connection)  # this run's fake is a fresh one (see forget_synced)
                call_command("backfill", connection=connection.pk, restart=True, stdout=self.stdout, stderr=self.stderr)
            if no_serve:
                return
            self.stdout.write(self.style.MIGRATE_HEADING("5/5 web server and worker"))
            children.append(child("worker"))
            children.append(child("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"))
            _wait_for_port(port)
            base = env["CHARGESIDE_PUBLIC_URL"]
            people = ", ".join(f"{username} ({role})" for username, _, role, _ in DEMO_PEOPLE)
            fakes = "\n".join(f"  {'Fake ' + c.name.removesuffix(' (sandbox)') + ':':<22}  {c.settings['base_url']}" for c in demo.connections)
            self.stdout.write(self.style.SUCCESS(
                f"\nChargeside demo is running.\n"
                f"  Ticket with the panel:  {base}/demo/   (Turkish: {base}/demo/?lang=tr)\n"
                f"  Console:                {base}/login/\n"
                f"  Logins:                 {people}; password '{DEMO_PASSWORD}'\n"
                f"{fakes}\n"
                f"Press Ctrl-C to stop."
            ))
            while all(c.poll() is None for c in children):
                time.sleep(0.5)
            raise CommandError("A demo process stopped unexpectedly; see the output above.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
        finally:
            stop_children(children)
            if gateways is not None:
                gateways.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
