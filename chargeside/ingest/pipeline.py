"""Applying stored deliveries: claim a batch → parse → dedupe → re-fetch and write, a step at a time.

`process_pending()` is the unit of work (one batch); `drain()` repeats it until the queue is empty or a
time budget is spent. Both are plain functions: the django.tasks task in `tasks.py`, the worker, the
tests and the benchmarks call them directly.

Claiming moves a row's `next_attempt_at` one lease into the future, under a row lock on PostgreSQL
(SKIP LOCKED, so several workers take disjoint batches) and under SQLite's single writer otherwise. A
worker that dies mid-batch loses nothing: the lease runs out and the rows are claimed again.

Dedupe is the `ProcessedEvent` row, unique on (connection, event id), written in the same transaction as
the billing rows: an event is either applied and recorded, or neither. Deliveries are written (one
transaction per step of up to `resolve.STEP` objects) and marked as soon as their objects are fetched, while
the adapter fetches the next ones. A delivery whose objects cannot be
fetched now stays pending with an exponential backoff, and becomes `failed` after MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import connection as db, transaction
from django.db.models import F
from django.utils import timezone

from chargeside.billing.upsert import upsert_many
from chargeside.core.redaction import redact

from . import resolve
from .adapters import cached_adapter
from .models import ProcessedEvent, WebhookDelivery

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status

BATCH_SIZE = 200
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min: a little over an hour of gateway outage is ridden out
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
_OUTCOME_FIELDS = ("status", "error", "events_applied", "next_attempt_at", "processed_at")
_MAX_OUTCOME_GROUPS = 20


@dataclass
class DrainResult:
    claimed: int = 0
    processed: int = 0
    ignored: int = 0
    retrying: int = 0
    failed: int = 0
    events_applied: int = 0
    duplicates: int = 0

    def add(self, other: DrainResult) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def retry_delay(attempts: int) -> dt.timedelta:
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def process_pending(*, limit: int = BATCH_SIZE, now: dt.datetime | None = None) -> DrainResult:
    """Claim up to `limit` due deliveries and apply them. Returns what happened to them."""
    now = now or timezone.now()
    claimed, abandoned = _claim(limit, now)
    result = DrainResult(claimed=len(claimed), failed=abandoned)
    by_connection: dict[int, list[WebhookDelivery]] = defaultdict(list)
    for delivery in claimed:
        by_connection[delivery.connection_id].append(delivery)
    for deliveries in by_connection.values():
        result.add(_process_connection(deliveries[0].connection, deliveries, now))
    return result


def drain(*, batch_size: int = BATCH_SIZE, time_budget: float = 30.0, now: dt.datetime | None = None) -> DrainResult:
    """Process batches until none is due or `time_budget` seconds have passed."""
    total = DrainResult()
    deadline = time.monotonic() + time_budget
    while time.monotonic() < deadline:
        result = process_pending(limit=batch_size, now=now)
        total.add(result)
        if result.claimed + result.failed < batch_size:
            break
    return total


def pending_due(now: dt.datetime | None = None) -> bool:
    return WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now or timezone.now()).exists()


def _claim(limit: int, now: dt.datetime) -> tuple[list[WebhookDelivery], int]:
    """Due deliveries, leased to this worker; and how many were given up instead of claimed."""
    due = WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id")
    with transaction.atomic():
        if db.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return [], 0
        # Still pending after the last attempt means every attempt died with its worker (a delivery that
        # crashes the process): stop feeding it to workers.
        abandoned = WebhookDelivery.objects.filter(id__in=ids, attempts__gte=MAX_ATTEMPTS).update(
            status=Status.FAILED, processed_at=now, error="gave up: no attempt finished (the worker stopped while processing it)"
        )
        WebhookDelivery.objects.filter(id__in=ids, status=Status.PENDING).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    claimed = WebhookDelivery.objects.filter(id__in=ids, status=Status.PENDING).select_related("connection__workspace").order_by("id")
    return list(claimed), abandoned


def _process_connection(connection, deliveries: list[WebhookDelivery], now: dt.datetime) -> DrainResult:
    result = DrainResult()
    try:
        adapter = cached_adapter(connection)
    except Exception as exc:  # e.g. the provider's adapter is no longer installed
        for delivery in deliveries:
            _retry_later(delivery, f"no adapter: {exc}", now, result)
        _save_outcomes(deliveries)
        return result

    events_of: dict[int, list] = {}
    for delivery in deliveries:
        try:
            events_of[delivery.pk] = adapter.parse_webhook(bytes(delivery.body), headers=delivery.headers)
        except Exception as exc:  # verified at the door, so this is an adapter change: keep it for a person
            _give_up(delivery, f"could not parse a verified body: {exc}", now, result)

    # Dedupe: events applied before, and the same event twice in this batch, count once.
    readable = [d for d in deliveries if d.pk in events_of]
    wanted = {e.event_id for d in readable for e in events_of[d.pk] if e.kind is not None}
    seen = set(ProcessedEvent.objects.filter(connection=connection, event_id__in=wanted).values_list("event_id", flat=True))
    fresh: dict[int, list] = {}
    for delivery in readable:
        fresh[delivery.pk] = []
        for event in events_of[delivery.pk]:
            if event.kind is None:
                continue
            if event.event_id in seen:
                result.duplicates += 1
                continue
            seen.add(event.event_id)
            fresh[delivery.pk].append(event)

    # Each delivery is written as soon as every object its events name is resolved, a step at a time, while
    # the adapter fetches the next objects: the batch's writing and its waiting on the gateway overlap.
    targets = resolve.group([e for d in readable for e in fresh[d.pk]])
    keys_of = {d.pk: {resolve.key_of(e) for e in fresh[d.pk]} for d in readable}
    waiting = [d for d in readable if keys_of[d.pk]]
    _apply(connection, [d for d in readable if not keys_of[d.pk]], events_of, fresh, targets, now, result)
    waiting_ids = {d.pk for d in waiting}
    _save_outcomes([d for d in deliveries if d.pk not in waiting_ids])  # duplicates, unreadable, nothing to do
    resolved: set[tuple[str, str]] = set()
    first_error = ""
    for step in resolve.resolve_in_steps(connection, adapter, targets):
        resolved.update(target.key for target in step)
        first_error = first_error or next((target.error for target in step if target.failed), "")
        ready = [d for d in waiting if keys_of[d.pk] <= resolved]
        waiting = [d for d in waiting if not keys_of[d.pk] <= resolved]
        _apply(connection, ready, events_of, fresh, targets, now, result)
        _save_outcomes(ready)
    if first_error:
        connection.record_error(f"Webhook processing: {first_error}")
    return result


def _apply(connection, deliveries, events_of, fresh, targets, now, result: DrainResult) -> None:
    """Write the deliveries whose objects are all resolved (retry those with a failed one), and mark them."""
    ready = []
    for delivery in deliveries:
        failures = [targets[resolve.key_of(e)].error for e in fresh[delivery.pk] if targets[resolve.key_of(e)].failed]
        if failures:
            _retry_later(delivery, failures[0], now, result)
        else:
            ready.append(delivery)
    if not ready:
        return
    try:
        _write(connection, ready, fresh, targets, now)
    except Exception as exc:  # one bad row must not hold the batch back: write the deliveries one by one
        logger.warning("batch write failed for connection %s (%s); retrying per delivery", connection.pk, exc)
        done = []
        for delivery in ready:
            try:
                _write(connection, [delivery], fresh, targets, now)
                done.append(delivery)
            except Exception as single:
                logger.exception("delivery %s could not be applied", delivery.pk)
                _retry_later(delivery, f"{type(single).__name__}: {single}", now, result)
        ready = done
    for delivery in ready:
        acts = any(event.kind is not None for event in events_of[delivery.pk])
        _mark_done(delivery, fresh[delivery.pk], acts, now, result)


def _write(connection, deliveries, fresh, targets, now) -> None:
    keys = {resolve.key_of(e) for d in deliveries for e in fresh[d.pk]}
    chosen = [targets[key] for key in keys]
    dtos = [t.dto for t in chosen if t.dto is not None] + [dto for t in chosen for dto in t.related]
    with transaction.atomic():
        if dtos:
            upsert_many(connection, dtos)
        resolve.delete_locally(connection, [t for t in chosen if t.deleted])
        ProcessedEvent.objects.bulk_create(
            [
                ProcessedEvent(workspace_id=connection.workspace_id, connection=connection, event_id=e.event_id,
                               type=e.type[:100], kind=str(e.kind), remote_id=resolve.key_of(e)[1],
                               occurred_at=e.occurred_at, delivery=d, processed_at=now)
                for d in deliveries for e in fresh[d.pk]
            ],
            ignore_conflicts=True,
        )


def _mark_done(delivery, applied: list, acts: bool, now, result: DrainResult) -> None:
    # A delivery whose events were all seen before is still "processed" (with 0 applied); only one with
    # nothing we act on (every event of an unknown type) is "ignored".
    delivery.events_applied = len(applied)
    delivery.processed_at = now
    delivery.error = ""
    if acts:
        delivery.status = Status.PROCESSED
        result.processed += 1
        result.events_applied += len(applied)
    else:
        delivery.status = Status.IGNORED
        result.ignored += 1


def _retry_later(delivery, error: str, now, result: DrainResult) -> None:
    delivery.error = redact(error)[:2000]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Status.FAILED
        delivery.processed_at = now
        result.failed += 1
    else:
        delivery.status = Status.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        result.retrying += 1


def _give_up(delivery, error: str, now, result: DrainResult) -> None:
    delivery.status = Status.FAILED
    delivery.error = redact(error)[:2000]
    delivery.processed_at = now
    result.failed += 1


def _save_outcomes(deliveries) -> None:
    if not deliveries:
        return
    # Most of a batch ends alike (processed, one event applied, no error), so one UPDATE per distinct outcome
    # is a few statements; bulk_update's CASE WHEN per row cost ~5 ms of CPU per delivery on a 200-row batch.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for delivery in deliveries:
        groups[tuple(getattr(delivery, name) for name in _OUTCOME_FIELDS)].append(delivery.pk)
    if len(groups) > _MAX_OUTCOME_GROUPS:  # every row different (many distinct errors): one statement after all
        WebhookDelivery.objects.bulk_update(deliveries, _OUTCOME_FIELDS, batch_size=500)
        return
    with transaction.atomic():
        for values, ids in groups.items():
            WebhookDelivery.objects.filter(pk__in=ids).update(**dict(zip(_OUTCOME_FIELDS, values, strict=True)))
