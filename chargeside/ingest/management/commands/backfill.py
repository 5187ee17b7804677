"""`chargeside backfill`: page everything of one or more gateway connections into the local database."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from chargeside.ingest.backfill import BackfillError, PageDone, backfill

from ._connections import add_selection_arguments, selected_connections


class Command(BaseCommand):
    help = "Copy every object of a gateway connection into the local database, page by page. Resumable: " \
           "an interrupted run continues from the last stored page."

    def add_arguments(self, parser):
        add_selection_arguments(parser)
        parser.add_argument("--kinds", nargs="+", metavar="KIND", help="only these kinds (customer, charge, ...); comma or space separated")
        parser.add_argument("--restart", action="store_true", help="ignore stored cursors and start from the first page")
        parser.add_argument("--page-size", type=int, default=100)

    def handle(self, *, connection, workspace, kinds, restart, page_size, verbosity, **options):
        kinds = [k for item in kinds or [] for k in item.split(",") if k]
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False)
        failures = []
        for row in selected_connections(connection=connection, workspace=workspace):
            label = f"{row.workspace.slug} / {row.name} (connection {row.pk})"
            try:
                with _progress(console, verbosity) as progress:
                    run = backfill(row, kinds=kinds or None, restart=restart, page_size=page_size, on_page=progress)
            except (ValueError, LookupError) as exc:  # an unknown kind, or the provider's adapter is not installed
                raise CommandError(str(exc)) from None
            except BackfillError as exc:
                failures.append(label)
                self.stderr.write(f"{label}: backfill stopped: {exc}. The position is kept; run the same command again to resume.")
                continue
            except KeyboardInterrupt:
                self.stderr.write(f"{label}: interrupted. The position is kept; run the same command again to resume.")
                sys.exit(130)
            seconds = max((run.finished_at - run.started_at).total_seconds(), 1e-6)
            counts = ", ".join(f"{kind} {count:,}" for kind, count in run.counts.items()) or "nothing new to read"
            self.stdout.write(f"{label}: {run.objects_synced:,} objects in {seconds:.1f} s "
                              f"({run.objects_synced / seconds:,.0f}/s): {counts}")
        if failures:
            raise CommandError(f"Backfill failed for {len(failures)} connection(s): {'; '.join(failures)}")


class _progress:
    """A rich progress line per kind (objects so far, objects/s); silent at verbosity 0."""

    def __init__(self, console: Console, verbosity: int):
        self.enabled = verbosity > 0
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description:<16}"), TextColumn("{task.completed:>10,.0f} objects"),
                            TextColumn("{task.fields[rate]:>8,.0f} objects/s"), TextColumn("{task.fields[seconds]:>7.1f} s"),
                            console=console, transient=False)
        self.tasks: dict[str, int] = {}
        self.kind_started: dict[str, float] = {}  # run time at which each kind's first page was asked for
        self.kind_objects: dict[str, int] = {}
        self.last_elapsed = 0.0

    def __enter__(self):
        if self.enabled:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()

    def __call__(self, done: PageDone) -> None:
        if not self.enabled:
            return
        kind = str(done.kind)
        if kind not in self.tasks:
            self.tasks[kind] = self.bar.add_task(kind, total=None, rate=0.0, seconds=0.0)
            self.kind_started[kind] = self.last_elapsed
        self.last_elapsed = done.elapsed
        self.kind_objects[kind] = self.kind_objects.get(kind, 0) + done.objects
        seconds = done.elapsed - self.kind_started[kind]
        rate = self.kind_objects[kind] / seconds if seconds > 0 else 0.0
        self.bar.update(self.tasks[kind], completed=done.kind_total, rate=rate, seconds=seconds)
        if done.finished:
            self.bar.update(self.tasks[kind], total=done.kind_total)
