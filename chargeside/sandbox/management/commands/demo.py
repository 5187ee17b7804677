"""`chargeside demo`: migrate, seed the fake Stripe, create the demo workspace, backfill, serve.

Runs three processes and stops them together on Ctrl-C: the fake Stripe (127.0.0.1), the task worker and
the web server.
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

from chargeside.sandbox.management.commands.sandbox import default_state_path


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


class Command(BaseCommand):
    help = "Set up and start the local demo (SQLite, seeded fake Stripe, demo workspace, panel beside a ticket)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("CHARGESIDE_DEMO_PORT", "8000")))
        parser.add_argument("--stripe-port", type=int, default=12111)
        parser.add_argument("--customers", type=int, default=60)
        parser.add_argument("--reset", action="store_true", help="Throw away the demo data and start again.")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit (used by tests).")

    def handle(self, *args, port, stripe_port, customers, reset, no_serve, **options):
        from chargeside.sandbox.demo_setup import DEMO_PASSWORD, DEMO_PEOPLE, ensure_demo_workspace, register_stripe_webhook

        for needed in (port, stripe_port):
            if not _port_free(needed):
                raise CommandError(f"Port {needed} is in use; stop what runs there or pass --port/--stripe-port.")
        state = default_state_path()
        if reset:
            db = Path(settings.DATABASES["default"]["NAME"])
            for path in (db, state):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
        self.stdout.write(self.style.MIGRATE_HEADING("1/5 database"))
        call_command("migrate", verbosity=0)
        self.stdout.write(self.style.MIGRATE_HEADING("2/5 fake Stripe"))
        if not state.exists():
            call_command("sandbox", "seed", customers=customers, state=str(state))
        children: list[subprocess.Popen] = []
        env = {**os.environ, "CHARGESIDE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        manage = [sys.executable, "-m", "chargeside.cli"]
        try:
            children.append(subprocess.Popen([*manage, "sandbox", "serve", "--port", str(stripe_port), "--state", str(state)], env=env))
            _wait_for_port(stripe_port)
            stripe_url = f"http://127.0.0.1:{stripe_port}"
            self.stdout.write(self.style.MIGRATE_HEADING("3/5 demo workspace"))
            demo = ensure_demo_workspace(stripe_base_url=stripe_url)
            register_stripe_webhook(demo.connection, env["CHARGESIDE_PUBLIC_URL"])
            self.stdout.write(self.style.MIGRATE_HEADING("4/5 backfill from Stripe into Chargeside"))
            call_command("backfill", connection=demo.connection.pk)
            if no_serve:
                return
            self.stdout.write(self.style.MIGRATE_HEADING("5/5 web server and worker"))
            children.append(subprocess.Popen([*manage, "worker"], env=env))
            children.append(subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"], env=env))
            _wait_for_port(port)
            base = env["CHARGESIDE_PUBLIC_URL"]
            people = ", ".join(f"{username} ({role})" for username, _, role, _ in DEMO_PEOPLE)
            self.stdout.write(self.style.SUCCESS(
                f"\nChargeside demo is running.\n"
                f"  Ticket with the panel:  {base}/demo/   (Turkish: {base}/demo/?lang=tr)\n"
                f"  Console:                {base}/login/\n"
                f"  Logins:                 {people}; password '{DEMO_PASSWORD}'\n"
                f"  Fake Stripe API:        {stripe_url}\n"
                f"Press Ctrl-C to stop."
            ))
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            raise CommandError("A demo process stopped unexpectedly; see the output above.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
