"""Filtering the audit trail: one query the console page, its CSV export and the API share."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from chargeside.actions.models import AuditEvent

from .text import plain

CSV_COLUMNS = ("seq", "at", "actor", "event", "action", "outcome", "target", "customer_id", "customer", "amount_minor",
               "currency", "reason", "ticket_url", "hash")


@dataclass(frozen=True)
class AuditFilters:
    member_id: int | None = None
    action: str = ""
    customer_id: int | None = None
    outcome: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    @classmethod
    def from_query(cls, data) -> tuple[AuditFilters, dict[str, str]]:
        """Parse query parameters; returns the filters and a message per parameter that was not understood."""
        errors: dict[str, str] = {}

        def integer(name):
            raw = plain(data.get(name), 20)
            if not raw:
                return None
            if raw.isdigit():
                return int(raw)
            errors[name] = "must be a number"
            return None

        def day(name):
            raw = plain(data.get(name), 20)
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = "must be a date like 2026-11-27"
                return None

        filters = cls(
            member_id=integer("member"), action=plain(data.get("action"), 40), customer_id=integer("customer"),
            outcome=plain(data.get("outcome"), 16), date_from=day("from"), date_to=day("to"),
        )
        return filters, errors


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def audit_events(workspace, filters: AuditFilters):
    qs = AuditEvent.objects.filter(workspace=workspace).select_related("customer").order_by("-seq")
    if filters.member_id is not None:
        qs = qs.filter(member_id=filters.member_id)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return qs


def _cell(value) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is text, not a formula.
    if not isinstance(value, str):
        return "" if value is None else str(value)
    text = value
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv_rows(events):
    yield CSV_COLUMNS
    for event in events.iterator(chunk_size=1000):
        yield tuple(_cell(v) for v in (
            event.seq, event.at.isoformat(), event.actor, event.event, event.action, event.outcome, event.target,
            event.customer_id, str(event.customer) if event.customer else "", event.amount, event.currency, event.reason,
            event.ticket_url, event.hash,
        ))


class Echo:
    """A file-like object csv.writer can write to, returning each line for a streaming response."""

    def write(self, value):
        return value


def csv_lines(events):
    writer = csv.writer(Echo())
    for row in audit_csv_rows(events):
        yield writer.writerow(row)
