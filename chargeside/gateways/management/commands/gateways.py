"""`chargeside gateways [--json]`: which provider can do what; `chargeside gateways check-custom URL --secret S [--json]`:
check a custom HTTP gateway endpoint before connecting it.

The matrix comes from `gateways.capabilities.matrix()` (what each registered adapter declares), the same data
the panel, the console and the API decide by. The table marks a supported capability with ✓ and leaves the
rest blank, so it reads in a plain terminal and in a pasted README alike.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from rich import box
from rich.console import Console
from rich.table import Table

from chargeside.gateways.capabilities import LABELS, matrix

YES = "✓"
FAILED = "✗"
SKIPPED = "–"


class Command(BaseCommand):
    help = "Show which gateway provider supports which capability, or check a custom HTTP gateway endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="machine-readable JSON instead of a table")
        sub = parser.add_subparsers(dest="command")
        check = sub.add_parser("check-custom", help="Run the custom HTTP gateway's conformance checks against URL.")
        check.add_argument("url", help="the base URL of the merchant's endpoint")
        check.add_argument("--secret", required=True, help="the shared signing secret")
        # Its own name: a sub-parser's default would overwrite `gateways --json check-custom …`.
        check.add_argument("--json", action="store_true", dest="check_json", help="machine-readable JSON")
        check.add_argument("--read-only", action="store_true",
                           help="skip the checks that change data (a 1-minor-unit refund, a cancellation): for a live system")

    def handle(self, *args, **options):
        if options.get("command") == "check-custom":
            return self._check_custom(options["url"], options["secret"], options["json"] or options["check_json"],
                                      writes=not options["read_only"])
        return self._matrix(options["json"])

    def _print(self, *renderables, width: int) -> None:
        # Rendered as plain text (no colours, no markup guessing, no trailing blanks): the output is the same on
        # a terminal, in a pipe, in a test and pasted into the README.
        console = Console(file=io.StringIO(), width=width, no_color=True, highlight=False, emoji=False, force_terminal=False)
        with console.capture() as captured:
            for renderable in renderables:
                console.print(renderable)
        self.stdout.write("\n".join(line.rstrip() for line in captured.get().splitlines()))

    def _matrix(self, as_json: bool) -> None:
        data = matrix()
        if as_json:
            self.stdout.write(json.dumps(data.as_json(), indent=2, ensure_ascii=False))
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("capability", no_wrap=True)
        for row in data.providers:
            table.add_column(row.display_name, justify="center", no_wrap=True)
        for capability in data.capabilities:
            table.add_row(str(LABELS[capability]), *(YES if row.supports(capability) else "" for row in data.providers))
        width = max(len(str(label)) for label in LABELS.values()) + sum(len(row.display_name) + 3 for row in data.providers) + 4
        self._print(table, width=max(width, 40))

    def _check_custom(self, url: str, secret: str, as_json: bool, *, writes: bool = True) -> None:
        try:
            from chargeside.gateways.custom_http.check import run_checks
        except ImportError as exc:
            raise CommandError(f"The custom HTTP gateway is not installed ({exc}).") from None
        # httpx logs each request at INFO; the checks' own report says what was asked and what came back.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        checks = [_Check.of(result) for result in run_checks(url, secret, writes=writes)]
        failed = [check for check in checks if not check.passed and not check.skipped]
        passed = sum(check.passed for check in checks)
        if as_json:
            self.stdout.write(json.dumps({
                "url": url, "passed": not failed,
                "checks": [{"name": c.name, "passed": c.passed, "skipped": c.skipped, "detail": c.detail} for c in checks],
            }, indent=2, ensure_ascii=False))
        else:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            table.add_column("", no_wrap=True)
            table.add_column("check", no_wrap=True)
            table.add_column("detail")
            for check in checks:
                table.add_row(YES if check.passed else SKIPPED if check.skipped else FAILED, check.name, check.detail)
            skipped = sum(check.skipped for check in checks)
            summary = f"{passed} of {len(checks)} checks passed" + (f", {skipped} skipped" if skipped else "") + "."
            self._print(table, summary, width=120)
        if failed:
            raise CommandError(f"{len(failed)} of {len(checks)} checks failed for {url}.", returncode=1)


@dataclass(frozen=True)
class _Check:
    name: str
    passed: bool
    skipped: bool
    detail: str

    @classmethod
    def of(cls, result) -> _Check:
        # run_checks answers CheckResult objects (name, passed, detail, skipped); plain dicts are read the same way.
        get = result.get if isinstance(result, dict) else (lambda name, default=None: getattr(result, name, default))
        return cls(str(get("name", "")), bool(get("passed", False)), bool(get("skipped", False)), str(get("detail", "") or ""))
