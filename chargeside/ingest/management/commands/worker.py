"""`chargeside worker`: the task worker plus the scheduler that keeps ingest moving.

Runs, in one process, the scheduler thread (enqueue the delivery drain when deliveries are due, reconcile
every connection periodically, prune finished task rows) and the task worker of the configured backend in
the foreground: django-tasks-db's `db_worker` by default, an RQ worker when CHARGESIDE_TASKS_BACKEND=rq.
Start as many as you like, on as many machines: claims on delivery rows and scheduled jobs keep them from
doing the same work twice.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.tasks import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db import DatabaseBackend

from chargeside.ingest.schedule import SchedulerThread, default_jobs
from chargeside.ingest.tasks import drain_deliveries


class Command(BaseCommand):
    help = "Run the task worker (webhook processing, reconcile) with its scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME, help="queues to work, comma-separated (default %(default)s)")
        parser.add_argument("--drain-every", type=float, default=2.0, help="seconds between checks for due webhook deliveries")
        parser.add_argument("--reconcile-every", type=float, default=3600.0, help="seconds between reconciles of every connection (0: never)")
        parser.add_argument("--no-scheduler", action="store_true", help="only work tasks; another worker schedules")
        parser.add_argument("--interval", type=float, default=0.5, help="db backend: seconds to sleep when the queue is empty")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument("--batch", action="store_true", help="work the queue until it is empty, then exit")

    def handle(self, *, queue_name, drain_every, reconcile_every, no_scheduler, interval, max_tasks, batch, verbosity, **options):
        scheduler = None
        if not no_scheduler:
            scheduler = SchedulerThread(default_jobs(drain_every=drain_every, reconcile_every=reconcile_every), tick=min(1.0, drain_every))
            scheduler.start()
        try:
            backend = drain_deliveries.get_backend()
            if isinstance(backend, DatabaseBackend):
                call_command("db_worker", queue_name=queue_name, interval=interval, batch=batch, max_tasks=max_tasks,
                             reload=False, startup_delay=False, verbosity=verbosity)
            elif type(backend).__name__ == "RQBackend":
                self._rq_worker(queue_name.split(","), batch=batch, max_tasks=max_tasks)
            else:
                raise CommandError(f"{type(backend).__name__} runs tasks without a worker; set CHARGESIDE_TASKS_BACKEND=db or rq.")
        finally:
            if scheduler is not None:
                scheduler.stop()

    def _rq_worker(self, queues: list[str], *, batch: bool, max_tasks: int | None) -> None:
        try:
            import django_rq
        except ImportError:
            raise CommandError("CHARGESIDE_TASKS_BACKEND=rq needs the redis extra: pip install 'chargeside[redis]'.") from None
        # django-tasks-rq needs its own Job class in the worker (see its README).
        worker = django_rq.get_worker(*queues, job_class="django_tasks_rq.Job")
        worker.work(burst=batch, max_jobs=max_tasks, with_scheduler=True)
