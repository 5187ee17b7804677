"""Notes we owe helpdesk tickets: one row per action run from a desk, and how posting it went.

The row is written in the request that ran the action (after the billing action is recorded) and a task
posts it (`notes.note_deliver`), retrying with backoff. Posting the note is never part of the billing action:
a desk that is down leaves the row pending or failed, never undoes or repeats the refund.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.connections.models import Connection
from chargeside.workspaces.models import Workspace


class DeskNote(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for its (next) try
        SENDING = "sending"  # a worker is posting it now
        SENT = "sent"
        FAILED = "failed"  # gave up: the desk refused it, or every retry failed

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="desk_notes")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="desk_notes")
    attempt = models.ForeignKey(ActionAttempt, on_delete=models.CASCADE, related_name="desk_notes")
    ticket = models.CharField(max_length=128)  # the desk's ticket / conversation id
    language = models.CharField(max_length=8, default="en")
    body = models.TextField()  # the note as plain text (what the console shows)
    content = models.JSONField(default=dict)  # the parts each desk formats its own way (base.DeskNoteText)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    remote_id = models.CharField(max_length=128, blank=True, default="")  # the desk's id of the note
    next_try_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # One note per action per desk connection: a replayed or double-submitted action finds this row.
        constraints = [models.UniqueConstraint(fields=["attempt", "connection"], name="desk_note_one_per_attempt")]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"note for {self.connection.provider} ticket {self.ticket} ({self.status})"
