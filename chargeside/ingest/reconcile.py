"""Reconcile: repair drift that webhooks left (a delivery never sent, an endpoint down for days, a bug).

Approach, per connection, for every kind the adapter can list:
1. Re-list the newest objects, page by page from the start, and upsert them, until a page holds only
   objects created before the window (`days`, default 3) or `max_pages` pages were read. Gateways that
   page newest first (Stripe) thus re-read exactly the recent objects; for objects without a creation time
   (catalog kinds, tax ids) the page bound applies. The fresh state overwrites whatever a lost or
   misordered webhook left behind, and objects no webhook announced are created.
2. Optionally (`retry_failed=True`, `chargeside reconcile --retry-failed`) put deliveries that exhausted
   their attempts inside the window back in the queue, with their attempts reset. Not done by the periodic
   job, so a delivery that can never apply does not loop forever.

Upserts are idempotent, so reconcile can overlap webhooks and backfill safely. What it does not see:
updates to objects created before the window whose webhooks were all lost; a full `chargeside backfill`
covers those (the gateway interface offers no "changed since" listing yet).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from chargeside.billing.upsert import upsert_many
from chargeside.gateways.errors import GatewayError
from chargeside.gateways.registry import adapter_for

from .models import SyncRun, WebhookDelivery

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 3
DEFAULT_MAX_PAGES = 10


def reconcile(connection, *, days: int = DEFAULT_DAYS, max_pages: int = DEFAULT_MAX_PAGES, page_size: int = 100,
              retry_failed: bool = False) -> SyncRun:
    """Re-list recent objects of one connection and upsert them. Never raises for gateway errors: the run
    is recorded as failed (with the error on the connection) and the next run tries again."""
    adapter = adapter_for(connection)
    cutoff = timezone.now() - dt.timedelta(days=days)
    run = SyncRun.objects.create(workspace_id=connection.workspace_id, connection=connection,
                                 mode=SyncRun.Mode.RECONCILE, kinds=[str(k) for k in adapter.backfill_kinds])
    if retry_failed:
        run.counts["requeued_deliveries"] = requeue_failed(connection, since=cutoff)
    try:
        for kind in adapter.backfill_kinds:
            _recent(connection, adapter, kind, cutoff, max_pages, page_size, run)
    except GatewayError as exc:
        message = f"{exc.kind}: {exc.message}"
        connection.record_error(f"Reconcile: {message}")
        run.finish(SyncRun.Status.FAILED, message)
        return run
    except Exception as exc:
        logger.exception("reconcile of connection %s crashed", connection.pk)
        run.finish(SyncRun.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    connection.record_sync()
    run.finish(SyncRun.Status.SUCCEEDED)
    return run


def _recent(connection, adapter, kind, cutoff, max_pages, page_size, run: SyncRun) -> None:
    cursor = None
    for _ in range(max_pages):
        page = adapter.list_page(kind, cursor, page_size=page_size)
        if page.items:
            upsert_many(connection, page.items)
        run.objects_synced += len(page.items)
        run.pages += 1
        run.counts[str(kind)] = run.counts.get(str(kind), 0) + len(page.items)
        run.save(update_fields=["objects_synced", "pages", "counts"])
        created = [dto.created_at for dto in page.items if getattr(dto, "created_at", None)]
        if not page.next_cursor or (created and max(created) < cutoff):
            return
        cursor = page.next_cursor


def requeue_failed(connection, *, since: dt.datetime) -> int:
    """Give failed deliveries received since `since` a fresh set of attempts; returns how many."""
    now = timezone.now()
    return WebhookDelivery.objects.filter(
        connection=connection, status=WebhookDelivery.Status.FAILED, received_at__gte=since
    ).update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now, processed_at=None)
