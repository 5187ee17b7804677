"""The scheduler's once-per-period claims, the drain task, and `chargeside worker` working the real DB queue."""

import datetime as dt
import signal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chargeside.billing import models as billing
from chargeside.ingest.models import ScheduledJob, WebhookDelivery
from chargeside.ingest.schedule import Job, claim, enqueue_drain_if_due, prune_deliveries, run_due
from chargeside.ingest.tasks import drain_deliveries

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def test_a_job_is_claimed_once_per_period(db):
    every = dt.timedelta(seconds=60)
    assert claim("job", every, NOW) is True
    assert claim("job", every, NOW) is False  # a second worker in the same round
    assert claim("job", every, NOW + dt.timedelta(seconds=59)) is False
    assert claim("job", every, NOW + dt.timedelta(seconds=60)) is True
    job = ScheduledJob.objects.get(name="job")
    assert (job.last_run_at, job.next_run_at) == (NOW + dt.timedelta(seconds=60), NOW + dt.timedelta(seconds=120))


def test_run_due_runs_due_jobs_and_survives_a_failing_one(db):
    calls = []

    def broken():
        raise RuntimeError("boom")

    jobs = [Job("broken", dt.timedelta(minutes=1), broken), Job("ok", dt.timedelta(minutes=1), lambda: calls.append(1))]
    assert run_due(jobs, NOW) == ["ok"]
    assert run_due(jobs, NOW + dt.timedelta(seconds=1)) == []
    assert calls == [1]


def test_drain_is_enqueued_only_when_deliveries_are_due(offline_connection):
    assert enqueue_drain_if_due() is False
    WebhookDelivery.objects.create(workspace=offline_connection.workspace, connection=offline_connection, body=b"{}",
                                   next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert enqueue_drain_if_due() is False  # waiting for its backoff
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert enqueue_drain_if_due() is True
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [("chargeside.ingest.tasks.drain_deliveries", "READY")]


@pytest.fixture
def keep_signal_handlers():
    # db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back afterwards.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_queued_drain(stripe_connection, sdk, as_json, send_webhook, make_event, keep_signal_handlers, monkeypatch):
    from chargeside.ingest import tasks

    monkeypatch.setattr(tasks, "_last_request", 0.0)  # no drain requested recently by an earlier test
    # given two verified deliveries and one drain task in the database queue: the webhook view enqueued it
    # on commit, once for both (requests are coalesced)
    for email in ("w1@example.com", "w2@example.com"):
        customer = as_json(sdk.v1.customers.create(params={"email": email}))
        assert send_webhook(stripe_connection, make_event("customer.created", customer)).status_code == 200
    assert DBTaskResult.objects.filter(task_path="chargeside.ingest.tasks.drain_deliveries").count() == 1
    # when the worker works the queue until it is empty
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)
    # then both deliveries were applied by the task
    assert sorted(billing.GatewayCustomer.objects.values_list("email", flat=True)) == ["w1@example.com", "w2@example.com"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"processed"}
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"claimed": 2, "processed": 2, "ignored": 0, "retrying": 0, "failed": 0, "events_applied": 2, "duplicates": 0}


def test_drain_task_can_be_called_inline(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = as_json(sdk.v1.customers.create(params={"email": "inline@example.com"}))
    send_webhook(stripe_connection, make_event("customer.created", customer))
    assert drain_deliveries.call()["processed"] == 1
    assert billing.GatewayCustomer.objects.get().email == "inline@example.com"


def test_old_finished_deliveries_are_pruned_but_their_dedupe_rows_stay(offline_connection, settings):
    from chargeside.ingest.models import ProcessedEvent

    settings.CHARGESIDE_DELIVERY_RETENTION_DAYS = 30
    Status = WebhookDelivery.Status
    old, recent = NOW - dt.timedelta(days=31), NOW - dt.timedelta(days=29)

    def delivery(status, received_at):
        return WebhookDelivery.objects.create(workspace=offline_connection.workspace, connection=offline_connection,
                                              body=b"{}", status=status, received_at=received_at)

    gone = [delivery(status, old) for status in (Status.PROCESSED, Status.IGNORED, Status.REJECTED)]
    kept = [delivery(Status.PENDING, old), delivery(Status.FAILED, old), delivery(Status.PROCESSED, recent)]
    ProcessedEvent.objects.create(workspace=offline_connection.workspace, connection=offline_connection,
                                  event_id="evt_old", type="charge.succeeded", kind="charge", remote_id="ch_1",
                                  delivery=gone[0])

    assert prune_deliveries(NOW) == 3
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept}
    assert ProcessedEvent.objects.get(event_id="evt_old").delivery_id is None


def test_the_worker_schedules_the_drain_reconcile_pruning_and_the_desk_note_sweep():
    from chargeside.ingest.schedule import default_jobs

    names = [job.name for job in default_jobs(drain_every=1, reconcile_every=3600)]
    assert names == ["ingest.drain", "ingest.reconcile", "tasks.prune", "ingest.prune_deliveries", "helpdesks.notes_sweep"]
