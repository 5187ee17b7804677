"""Private notes on the desk's ticket after an action run from it: what was done, for how much, by whom,
why, and a link to the audit trail.

`note_after_action()` runs in the request that ran the action, after run_action recorded its outcome: it
writes one DeskNote row (unique per attempt and desk connection, so a replayed or double-submitted action
never queues a second note) and enqueues `tasks.deliver_desk_note` once the transaction commits.
`note_deliver()` is one try of posting it: the row is claimed (pending → sending) so two workers never post
the same note, the adapter posts it, and the outcome is recorded. A retryable failure (the desk's 5xx or 429,
a network error) puts it back to pending with a growing delay; a refusal (4xx) or the last try marks it
failed. Nothing here can touch the billing action: the attempt is only read.

Desks take no idempotency key for notes: a try whose answer was lost (a timeout after the desk stored it)
can leave a second note when retried. That is the price of never losing one.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from chargeside.actions.inputs import inputs_for, noun_of
from chargeside.actions.models import ActionAttempt
from chargeside.connections.models import Connection
from chargeside.core.formatting import money
from chargeside.core.redaction import redact

from .base import DeskError, DeskNoteText
from .models import DeskNote

log = logging.getLogger(__name__)
Status = DeskNote.Status
# Delay before try n+1 after n failed tries: about 4 hours of trying in all.
BACKOFF = (dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10), dt.timedelta(minutes=30),
           dt.timedelta(hours=1), dt.timedelta(hours=2))
MAX_TRIES = len(BACKOFF) + 1
# A note claimed for longer than this was abandoned by a worker that died mid-post; it may be tried again.
STALE_SENDING = dt.timedelta(minutes=5)


def note_text(attempt: ActionAttempt, language: str) -> DeskNoteText:
    """The note for a finished attempt, in the agent's language."""
    with translation.override(language):
        inputs = inputs_for(attempt.action)
        done = str(inputs.done) if inputs else noun_of(attempt.action)
        if attempt.amount is not None and attempt.currency:
            title = _("Chargeside: %(done)s: %(amount)s") % {"done": done, "amount": money(attempt.amount, attempt.currency, language)}
        else:
            title = _("Chargeside: %(done)s") % {"done": done}
        lines = []
        if attempt.customer_id:
            customer = attempt.customer
            lines.append((_("Customer"), customer.name or customer.email or str(customer.pk)))
        if attempt.connection_id and attempt.target_remote_id:
            lines.append((_("At"), f"{attempt.connection.name} {attempt.target_remote_id}"))
        lines.append((_("By"), attempt.member.display_name if attempt.member_id else _("someone removed since")))
        if attempt.reason:
            lines.append((_("Reason"), attempt.reason))
        return DeskNoteText(title=title, lines=tuple(lines), link_label=_("Audit trail"), link_url=audit_url(attempt))


def audit_url(attempt: ActionAttempt) -> str:
    """The console's audit trail filtered to this customer and action (the entry is the newest there)."""
    query = {"action": attempt.action, **({"customer": attempt.customer_id} if attempt.customer_id else {})}
    return f"{settings.CHARGESIDE_PUBLIC_URL}{reverse('console:audit')}?{urlencode(query)}"


def note_after_action(*, desk: tuple[int, str, str], attempt: ActionAttempt, language: str) -> DeskNote | None:
    """Queue the note for an action run from a desk's ticket. Only successful actions leave one; a replay of
    an attempt that already has its note changes nothing."""
    connection_id, ticket, _provider = desk
    if attempt.status != ActionAttempt.Status.SUCCEEDED or not ticket:
        return None
    connection = Connection.objects.filter(
        pk=connection_id, workspace_id=attempt.workspace_id, kind=Connection.Kind.HELPDESK,
    ).first()
    if connection is None:  # removed since the panel was opened
        log.warning("no helpdesk connection %s for the note of attempt %s", connection_id, attempt.pk)
        return None
    text = note_text(attempt, language)
    note, created = DeskNote.objects.get_or_create(attempt=attempt, connection=connection, defaults={
        "workspace_id": attempt.workspace_id, "ticket": ticket, "language": language, "body": text.plain(),
        "content": {"title": text.title, "lines": [list(line) for line in text.lines], "link_label": text.link_label,
                    "link_url": text.link_url},
    })
    if created:
        transaction.on_commit(lambda: _enqueue(note.pk))
    return note


def _enqueue(note_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_desk_note

    try:
        task = deliver_desk_note
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(note_id)
    except Exception:  # the queue being down must not fail the agent's action; deliver_due() picks it up
        log.exception("could not enqueue desk note %s", note_id)


def _claim(note_id: int, now: dt.datetime) -> bool:
    due = Q(status=Status.PENDING, next_try_at__lte=now) | Q(status=Status.SENDING, updated_at__lt=now - STALE_SENDING)
    return bool(DeskNote.objects.filter(due, pk=note_id).update(status=Status.SENDING, updated_at=now))


def note_deliver(note_id: int, *, now: dt.datetime | None = None) -> DeskNote | None:
    """One try of posting a note. Returns the row as it ends up (None if it does not exist). A note that is
    not due (sent, failed, waiting for its backoff, being sent by another worker) is left alone."""
    from .registry import adapter_for

    now = now or timezone.now()
    if not _claim(note_id, now):
        return DeskNote.objects.filter(pk=note_id).first()
    note = DeskNote.objects.select_related("connection").get(pk=note_id)
    tries = note.tries + 1
    content = note.content or {}
    text = DeskNoteText(
        title=content.get("title", note.body), lines=tuple(tuple(line) for line in content.get("lines", ())),
        link_label=content.get("link_label", ""), link_url=content.get("link_url", ""),
    )
    try:
        if note.connection.status == Connection.Status.DISABLED:
            raise DeskError("the helpdesk connection is disabled", retryable=False)
        remote_id = adapter_for(note.connection).post_note(ticket=note.ticket, note=text)
    except DeskError as exc:
        retry = exc.retryable and tries < MAX_TRIES
        fields = {"status": Status.PENDING if retry else Status.FAILED, "last_error": redact(exc.message)[:2000]}
        if retry:
            fields["next_try_at"] = now + BACKOFF[tries - 1]
        log.warning("desk note %s try %s failed (%s): %s", note.pk, tries, "will retry" if retry else "giving up", exc.message)
    except Exception as exc:  # a bug of ours: keep the note, try again later
        log.exception("desk note %s try %s crashed", note.pk, tries)
        retry = tries < MAX_TRIES
        fields = {"status": Status.PENDING if retry else Status.FAILED, "last_error": f"Internal error: {type(exc).__name__}"}
        if retry:
            fields["next_try_at"] = now + BACKOFF[tries - 1]
    else:
        fields = {"status": Status.SENT, "remote_id": str(remote_id or "")[:128], "last_error": "", "sent_at": timezone.now()}
    DeskNote.objects.filter(pk=note.pk).update(tries=tries, updated_at=timezone.now(), **fields)
    note.refresh_from_db()
    if note.status == Status.PENDING:
        _enqueue(note.pk, run_after=note.next_try_at)
    elif note.status == Status.FAILED:
        note.connection.record_error(f"note on ticket {note.ticket}: {note.last_error}")
    return note


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100) -> list[DeskNote]:
    """Try every note that is due (the worker's sweep for notes whose task was lost or not deferrable)."""
    now = now or timezone.now()
    due = Q(status=Status.PENDING, next_try_at__lte=now) | Q(status=Status.SENDING, updated_at__lt=now - STALE_SENDING)
    ids = list(DeskNote.objects.filter(due).order_by("next_try_at").values_list("pk", flat=True)[:limit])
    return [note for note in (note_deliver(note_id, now=now) for note_id in ids) if note is not None]
