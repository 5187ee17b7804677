"""Resumable backfill: page through every object of each kind and upsert it, page by page.

The page's rows and the cursor that follows it are committed in one transaction, so a crash or Ctrl-C at
any moment resumes exactly after the last stored page (rows are unique on (connection, remote id) anyway,
so even a repeated page would create nothing new). While the database writes one page, a thread already
fetches the next, so a run takes about max(network, database) per page rather than their sum.

A run resumes unfinished kinds and skips finished ones; when every requested kind is finished (the last
run completed) the next run starts over, which makes `chargeside backfill` a full resync. `restart=True`
starts over regardless.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chargeside.billing.upsert import upsert_many
from chargeside.gateways.errors import GatewayError
from chargeside.gateways.registry import adapter_for
from chargeside.gateways.types import ResourceKind

from .models import SyncCursor, SyncRun

PAGE_SIZE = 100


class BackfillError(Exception):
    """The gateway failed mid-run; the cursor of the last stored page is kept for the next run."""


@dataclass(frozen=True, slots=True)
class PageDone:
    """Reported after each stored page (progress bars, tests that interrupt a run)."""

    kind: ResourceKind
    objects: int  # in this page
    kind_total: int  # this kind so far, including earlier runs it resumed
    run_total: int  # this run, every kind
    elapsed: float  # seconds since the run started
    finished: bool  # this was the kind's last page


def backfill(connection, *, kinds: Iterable[ResourceKind | str] | None = None, restart: bool = False,
             page_size: int = PAGE_SIZE, on_page: Callable[[PageDone], None] | None = None) -> SyncRun:
    """Backfill one connection. Raises BackfillError when the gateway fails (the run is recorded as failed)."""
    adapter = adapter_for(connection)
    wanted = _kinds(adapter, kinds)
    cursors = _cursors(connection, wanted, restart)
    run = SyncRun.objects.create(workspace_id=connection.workspace_id, connection=connection,
                                 mode=SyncRun.Mode.BACKFILL, kinds=[str(k) for k in wanted])
    started = time.monotonic()
    prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfill-prefetch")
    try:
        for kind in wanted:
            if not cursors[kind].done:
                _backfill_kind(connection, adapter, kind, cursors[kind], run, page_size, prefetch, started, on_page)
    except GatewayError as exc:
        message = f"{exc.kind}: {exc.message}"
        connection.record_error(f"Backfill: {message}")
        run.finish(SyncRun.Status.FAILED, message)
        raise BackfillError(message) from exc
    except Exception as exc:
        run.finish(SyncRun.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    except BaseException as exc:  # Ctrl-C: the stored cursors are the resume point
        run.finish(SyncRun.Status.INTERRUPTED, type(exc).__name__)
        raise
    finally:
        # Do not wait for an in-flight prefetch of a page nobody will store.
        prefetch.shutdown(wait=False, cancel_futures=True)
    connection.record_sync()
    run.finish(SyncRun.Status.SUCCEEDED)
    return run


def _backfill_kind(connection, adapter, kind, cursor: SyncCursor, run: SyncRun, page_size, prefetch, started, on_page):
    future = prefetch.submit(adapter.list_page, kind, cursor.cursor or None, page_size=page_size)
    while True:
        page = future.result()
        if page.next_cursor:
            future = prefetch.submit(adapter.list_page, kind, page.next_cursor, page_size=page_size)
        with transaction.atomic():
            if page.items:
                upsert_many(connection, page.items)
            cursor.cursor = page.next_cursor or ""
            cursor.done = not page.next_cursor
            cursor.objects_synced += len(page.items)
            cursor.pages += 1
            cursor.updated_at = timezone.now()
            cursor.save(update_fields=["cursor", "done", "objects_synced", "pages", "updated_at"])
            run.objects_synced += len(page.items)
            run.pages += 1
            run.counts[str(kind)] = run.counts.get(str(kind), 0) + len(page.items)
            run.save(update_fields=["objects_synced", "pages", "counts"])
        if on_page is not None:
            on_page(PageDone(kind, len(page.items), cursor.objects_synced, run.objects_synced,
                             time.monotonic() - started, cursor.done))
        if cursor.done:
            return


def _kinds(adapter, kinds) -> list[ResourceKind]:
    available = list(adapter.backfill_kinds)
    if not kinds:
        return available
    chosen = set()
    for kind in kinds:
        try:
            chosen.add(ResourceKind(str(kind)))
        except ValueError:
            raise ValueError(f"Unknown kind '{kind}'. Known: {', '.join(k.value for k in ResourceKind)}.") from None
    unsupported = chosen - set(available)
    if unsupported:
        raise ValueError(f"{adapter.display_name} cannot backfill: {', '.join(sorted(unsupported))}.")
    return [kind for kind in available if kind in chosen]  # keep the adapter's parent-first order


def _cursors(connection, kinds: list[ResourceKind], restart: bool) -> dict[ResourceKind, SyncCursor]:
    cursors = {}
    for kind in kinds:
        cursors[kind], _ = SyncCursor.objects.get_or_create(connection=connection, kind=str(kind))
    if restart or all(cursor.done for cursor in cursors.values()):
        SyncCursor.objects.filter(pk__in=[c.pk for c in cursors.values()]).update(
            cursor="", done=False, objects_synced=0, pages=0, updated_at=timezone.now()
        )
        for cursor in cursors.values():
            cursor.cursor, cursor.done, cursor.objects_synced, cursor.pages = "", False, 0, 0
    return cursors


def cursor_status(connection) -> list[SyncCursor]:
    """The stored cursors of a connection, for the console's sync status."""
    return list(SyncCursor.objects.filter(connection=connection).order_by("kind"))
