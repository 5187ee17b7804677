"""`chargeside audit verify [--workspace SLUG]` and `chargeside audit export --workspace SLUG --csv PATH`.

verify walks each workspace's hash chain and reports the first broken link; it exits 1 if any is broken.
export writes the trail as CSV (oldest first), filtered by time, event, action, member, customer, outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from chargeside.actions.audit import audit_verify
from chargeside.actions.models import AuditEvent
from chargeside.core.money import to_major
from chargeside.workspaces.models import Workspace

COLUMNS = ("seq", "at", "actor", "member", "event", "action", "target", "customer_id", "amount_minor", "amount", "currency",
           "reason", "ticket_url", "outcome", "attempt_id", "gateway_request_id", "detail", "prev_hash", "hash")


def _instant(value: str, *, end: bool = False) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)):
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time(), tzinfo=dt.UTC)
    if moment is None:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD) or a date and time (ISO 8601).")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _text(value: str) -> str:
    # Free text typed by people: a leading = + - @ would run as a formula when the file is opened in a
    # spreadsheet, so such a cell is prefixed with an apostrophe (OWASP "CSV injection").
    return f"'{value}" if value and value[0] in "=+-@\t\r" else value


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail, or export it as CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        verify = sub.add_parser("verify", help="Check every workspace's hash chain (or one's).")
        verify.add_argument("--workspace", help="slug of one workspace")
        export = sub.add_parser("export", help="Write one workspace's trail as CSV.")
        export.add_argument("--workspace", required=True, help="slug")
        export.add_argument("--csv", required=True, dest="path", help="file to write, or - for standard output")
        export.add_argument("--since", help="from this date or instant (inclusive)")
        export.add_argument("--until", help="up to this date (inclusive) or instant (exclusive)")
        export.add_argument("--event", action="append", help="requested, succeeded, failed, approved, merged, ... (repeatable)")
        export.add_argument("--action", action="append", help="refund, subscription_cancel, ... (repeatable)")
        export.add_argument("--member", help="username of the member who acted")
        export.add_argument("--customer", type=int, help="our customer id")
        export.add_argument("--outcome", help="pending, succeeded, failed, ...")

    def handle(self, *args, **options):
        if options["command"] == "verify":
            return self._verify(options.get("workspace"))
        return self._export(options)

    def _workspace(self, slug: str) -> Workspace:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace '{slug}'.")
        return workspace

    def _verify(self, slug: str | None) -> None:
        workspaces = [self._workspace(slug)] if slug else list(Workspace.objects.order_by("slug"))
        broken = 0
        for workspace in workspaces:
            report = audit_verify(workspace)
            if report.broken_at_seq is None:
                self.stdout.write(f"{workspace.slug}: intact ({report.checked} entries)")
            else:
                broken += 1
                self.stdout.write(f"{workspace.slug}: BROKEN at entry {report.broken_at_seq}: {report.problem} "
                                  f"(entries before it verified: {report.checked})")
        if broken:
            raise CommandError(f"The audit trail is broken in {broken} of {len(workspaces)} workspace(s).", returncode=1)

    def _export(self, options) -> None:
        workspace = self._workspace(options["workspace"])
        entries = AuditEvent.objects.filter(workspace=workspace).select_related("member__user").order_by("seq")
        if options.get("since"):
            entries = entries.filter(at__gte=_instant(options["since"]))
        if options.get("until"):
            entries = entries.filter(at__lt=_instant(options["until"], end=True))
        if options.get("event"):
            entries = entries.filter(event__in=options["event"])
        if options.get("action"):
            entries = entries.filter(action__in=options["action"])
        if options.get("member"):
            entries = entries.filter(member__user__username=options["member"])
        if options.get("customer") is not None:
            entries = entries.filter(customer_id=options["customer"])
        if options.get("outcome"):
            entries = entries.filter(outcome=options["outcome"])
        path = options["path"]
        out = self.stdout if path == "-" else open(path, "w", newline="", encoding="utf-8")
        try:
            written = self._write(csv.writer(out), entries)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            sys.stderr.close()
            return
        finally:
            if out is not self.stdout:
                out.close()
        print(f"{written} entries of {workspace.slug} exported.", file=sys.stderr if path == "-" else self.stdout)

    @staticmethod
    def _write(writer, entries) -> int:
        writer.writerow(COLUMNS)
        count = 0
        for entry in entries.iterator(chunk_size=2000):
            writer.writerow([
                entry.seq, entry.at.isoformat(), _text(entry.actor), entry.member.user.get_username() if entry.member else "", entry.event,
                entry.action, _text(entry.target), entry.customer_id or "", "" if entry.amount is None else entry.amount,
                "" if entry.amount is None or not entry.currency else str(to_major(entry.amount, entry.currency)), entry.currency,
                _text(entry.reason), _text(entry.ticket_url), entry.outcome, entry.attempt_id or "", (entry.detail or {}).get("request_id", ""),
                json.dumps(entry.detail or {}, sort_keys=True, ensure_ascii=False), entry.prev_hash, entry.hash,
            ])
            count += 1
        return count
