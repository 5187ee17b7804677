"""The periodic side of `chargeside worker`: enqueue the delivery drain, reconcile, the sweep of helpdesk notes
whose task was lost, and prune queues and old deliveries on time.

Each job's next due time is a `ScheduledJob` row. A worker runs a due job only if its conditional update
(`next_run_at <= now` → `now + period`) changed the row, so any number of workers on any number of
machines enqueue each round once. Jobs only enqueue tasks; the task workers do the work.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone

from .models import ScheduledJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


def claim(name: str, every: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """True for exactly one caller per period: the one that moved the job's next run forward."""
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    return bool(
        ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=now + every, last_run_at=now)
    )


def run_due(jobs: list[Job], now: dt.datetime | None = None) -> list[str]:
    """Run every job that is due now; returns the names run (one failing job does not stop the others)."""
    ran = []
    for job in jobs:
        try:
            if claim(job.name, job.every, now):
                job.run()
                ran.append(job.name)
        except Exception:
            logger.exception("scheduled job %s failed", job.name)
    return ran


def enqueue_drain_if_due() -> bool:
    from .pipeline import pending_due
    from .tasks import drain_deliveries

    if pending_due():
        drain_deliveries.enqueue()
        return True
    return False


def enqueue_reconciles() -> int:
    from chargeside.connections.models import Connection

    from .tasks import reconcile_connection

    ids = list(
        Connection.objects.filter(kind=Connection.Kind.GATEWAY).exclude(status=Connection.Status.DISABLED).values_list("id", flat=True)
    )
    for connection_id in ids:
        reconcile_connection.enqueue(connection_id)
    return len(ids)


def prune_task_results() -> None:
    from django.core.management import call_command
    from django_tasks_db import DatabaseBackend

    from .tasks import drain_deliveries

    # Finished task rows pile up at a few per second; Redis-backed queues expire their own results.
    if isinstance(drain_deliveries.get_backend(), DatabaseBackend):
        call_command("prune_db_task_results", min_age_days=1, verbosity=0)


def prune_deliveries(now: dt.datetime | None = None) -> int:
    """Delete finished deliveries older than CHARGESIDE_DELIVERY_RETENTION_DAYS (rejected ones included: a
    flood of forged requests must not fill the disk). Their events' ProcessedEvent rows stay for dedupe."""
    from django.conf import settings

    from .models import WebhookDelivery

    days = int(getattr(settings, "CHARGESIDE_DELIVERY_RETENTION_DAYS", 30))
    if days <= 0:
        return 0
    finished = (WebhookDelivery.Status.PROCESSED, WebhookDelivery.Status.IGNORED, WebhookDelivery.Status.REJECTED)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = WebhookDelivery.objects.filter(status__in=finished, received_at__lt=cutoff).delete()
    return deleted


def enqueue_desk_note_sweep() -> None:
    """Notes whose task was lost (a worker killed mid-try) are due again after their lease: post them."""
    from chargeside.helpdesks.tasks import deliver_due_desk_notes

    deliver_due_desk_notes.enqueue()


def default_jobs(*, drain_every: float, reconcile_every: float) -> list[Job]:
    jobs = [Job("ingest.drain", dt.timedelta(seconds=drain_every), enqueue_drain_if_due)]
    if reconcile_every > 0:
        jobs.append(Job("ingest.reconcile", dt.timedelta(seconds=reconcile_every), enqueue_reconciles))
    jobs.append(Job("tasks.prune", dt.timedelta(hours=6), prune_task_results))
    jobs.append(Job("ingest.prune_deliveries", dt.timedelta(hours=6), prune_deliveries))
    jobs.append(Job("helpdesks.notes_sweep", dt.timedelta(minutes=5), enqueue_desk_note_sweep))
    return jobs


class SchedulerThread(threading.Thread):
    """Runs `run_due(jobs)` every `tick` seconds until `stop()`."""

    def __init__(self, jobs: list[Job], *, tick: float = 1.0):
        super().__init__(name="chargeside-scheduler", daemon=True)
        self.jobs, self.tick = jobs, tick
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            close_old_connections()
            run_due(self.jobs)
            self._stopped.wait(self.tick)
        close_old_connections()

    def stop(self) -> None:
        self._stopped.set()
