"""django.tasks wrappers for the helpdesk side: posting private notes on tickets (see notes.py)."""

from __future__ import annotations

from django.tasks import task


@task()
def deliver_desk_note(note_id: int) -> dict:
    """One try of posting a note; a retryable failure enqueues the next try after its backoff (notes.py)."""
    from .notes import note_deliver

    note = note_deliver(note_id)
    return {"status": note.status if note else "missing", "tries": note.tries if note else 0}


@task()
def deliver_due_desk_notes() -> int:
    """Every note that is due (a lost task, a queue that cannot defer): for the worker's scheduler."""
    from .notes import deliver_due

    return len(deliver_due())
