"""Appending to and verifying the tamper-evident audit trail.

Each entry's hash covers its own fields and the previous entry's hash (per workspace), so changing,
inserting or removing a row breaks every later link; `audit_verify` reports the first broken one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

_HASHED = ("seq", "at", "member_id", "actor", "event", "action", "attempt_id", "customer_id", "target", "amount",
           "currency", "reason", "ticket_url", "outcome", "detail")


def _digest(prev_hash: str, entry: AuditEvent) -> str:
    body = {name: getattr(entry, name) for name in _HASHED}
    body["at"] = entry.at.isoformat(timespec="microseconds")
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def audit_append(*, workspace, event: str, member=None, actor: str = "", action: str = "", attempt=None, customer=None,
                 target: str = "", amount: int | None = None, currency: str = "", reason: str = "", ticket_url: str = "",
                 outcome: str = "", detail: dict | None = None) -> AuditEvent:
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(workspace=workspace)
        entry = AuditEvent(
            workspace=workspace, seq=head.seq + 1, at=timezone.now(), member=member,
            actor=actor or (member.display_name if member else "system"), event=event, action=action, attempt=attempt,
            customer=customer, target=target, amount=amount, currency=currency, reason=reason, ticket_url=ticket_url,
            outcome=outcome, detail=detail or {}, prev_hash=head.hash,
        )
        entry.hash = _digest(head.hash, entry)
        entry.save()
        AuditHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class ChainReport:
    workspace_id: int
    checked: int
    broken_at_seq: int | None  # None: the chain is intact
    problem: str = ""


def audit_verify(workspace) -> ChainReport:
    prev_hash = "0" * 64
    expected_seq = 1
    checked = 0
    for entry in AuditEvent.objects.filter(workspace=workspace).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(workspace.id, checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(workspace.id, checked, entry.seq, "link to the previous entry does not match")
        if _digest(prev_hash, entry) != entry.hash:
            return ChainReport(workspace.id, checked, entry.seq, "entry content does not match its hash")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(workspace=workspace).first()
    if head and head.seq != checked:
        return ChainReport(workspace.id, checked, checked + 1, f"chain head says {head.seq} entries, found {checked}")
    return ChainReport(workspace.id, checked, None)
