"""django.tasks wrappers around the pipeline and reconcile, and the coalesced "please drain" signal.

A task per webhook would cap ingest at the queue's rate (django-tasks-db runs about 250 tasks/s), so the
delivery table is the queue and a task drains it in batches. The webhook view calls `request_drain()`,
which enqueues at most one drain task per process per `COALESCE_SECONDS`; a task that starts late simply
finds more rows to take. The worker's scheduler enqueues a drain whenever due rows exist (retries whose
backoff ran out, rows from a process that stopped before its task ran), so nothing waits on a next webhook.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import transaction
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

logger = logging.getLogger(__name__)

COALESCE_SECONDS = 0.5
_last_request = 0.0
_lock = threading.Lock()


@task()
def drain_deliveries() -> dict:
    from .pipeline import drain

    return drain().as_dict()


@task()
def reconcile_connection(connection_id: int) -> dict:
    from chargeside.connections.models import Connection

    from .reconcile import reconcile

    connection = Connection.objects.select_related("workspace").get(pk=connection_id)
    run = reconcile(connection)
    return {"status": run.status, "objects": run.objects_synced}


def request_drain() -> None:
    """Ask for the pending deliveries to be processed soon (cheap; safe to call per webhook)."""
    global _last_request
    immediate = isinstance(drain_deliveries.get_backend(), ImmediateBackend)
    if not immediate:
        now = time.monotonic()
        with _lock:
            if now - _last_request < COALESCE_SECONDS:
                return
            _last_request = now
    # After commit: the task must see the row that triggered it.
    transaction.on_commit(_enqueue_drain)


def _enqueue_drain() -> None:
    try:
        drain_deliveries.enqueue()
    except Exception:  # the queue being down must not fail a webhook already stored; the scheduler retries
        logger.exception("could not enqueue the delivery drain")
