"""`chargeside reconcile`: re-read recent gateway objects and repair what webhooks missed (see ingest/reconcile.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chargeside.ingest.pipeline import drain
from chargeside.ingest.reconcile import DEFAULT_DAYS, DEFAULT_MAX_PAGES, reconcile

from ._connections import add_selection_arguments, selected_connections


class Command(BaseCommand):
    help = "Re-read the newest objects of each gateway connection and upsert them, repairing drift left by lost webhooks."

    def add_arguments(self, parser):
        add_selection_arguments(parser)
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="window of recent objects to re-read (default %(default)s)")
        parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, help="pages per kind at most (default %(default)s)")
        parser.add_argument("--retry-failed", action="store_true", help="also re-queue deliveries that exhausted their attempts in the window")

    def handle(self, *, connection, workspace, days, max_pages, retry_failed, **options):
        failed = []
        for row in selected_connections(connection=connection, workspace=workspace):
            run = reconcile(row, days=days, max_pages=max_pages, retry_failed=retry_failed)
            label = f"{row.workspace.slug} / {row.name} (connection {row.pk})"
            if run.status != run.Status.SUCCEEDED:
                failed.append(label)
                self.stderr.write(f"{label}: reconcile failed: {run.error}")
                continue
            requeued = run.counts.pop("requeued_deliveries", 0)
            counts = ", ".join(f"{kind} {count:,}" for kind, count in run.counts.items())
            self.stdout.write(f"{label}: re-read {run.objects_synced:,} objects ({counts})"
                              + (f"; {requeued} failed deliveries re-queued" if retry_failed else ""))
        if retry_failed:
            result = drain()
            self.stdout.write(f"deliveries: {result.processed} processed, {result.retrying} waiting to retry, {result.failed} failed")
        if failed:
            raise CommandError(f"Reconcile failed for {len(failed)} connection(s): {'; '.join(failed)}")
