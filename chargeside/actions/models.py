"""The write path's records: one ActionAttempt per intended action, and the append-only audit trail."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chargeside.billing.models import Customer
from chargeside.connections.models import Connection
from chargeside.workspaces.models import Member, Workspace


class ActionAttempt(models.Model):
    """One intended action. Unique on (workspace, key): a double click, a second tab or a retried API call
    with the same key finds this row instead of making another, and the gateway sees one idempotency key."""

    class Status(models.TextChoices):
        IN_FLIGHT = "in_flight"  # the gateway call is being made
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        AWAITING_APPROVAL = "awaiting_approval"  # over a limit; waits for an admin or owner
        REJECTED = "rejected"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="attempts")
    key = models.CharField(max_length=64)  # ours: derived from the request, or the API client's
    action = models.CharField(max_length=40)
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="attempts")
    approver = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="approved_attempts")
    connection = models.ForeignKey(Connection, null=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="attempts")
    target_remote_id = models.CharField(max_length=128, blank=True, default="")
    params = models.JSONField(default=dict)  # validated parameters, money in minor units
    params_hash = models.CharField(max_length=64)
    amount = models.BigIntegerField(null=True, blank=True)  # money moved, for limits and reports
    currency = models.CharField(max_length=3, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    ticket_url = models.URLField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=32, default="console")  # console, panel, api, desk:<name>
    status = models.CharField(max_length=24, choices=Status.choices)
    result = models.JSONField(default=dict, blank=True)  # the remote ids the gateway returned
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    error_retryable = models.BooleanField(default=False)
    gateway_request_id = models.CharField(max_length=128, blank=True, default="")
    calls = models.PositiveSmallIntegerField(default=0)  # gateway calls made (retries reuse the key)
    # When the latest gateway call started. An attempt in flight for much longer than a call can take was
    # abandoned (its process died mid-call); it may be resumed with the same gateway key.
    last_call_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="attempt_unique_key")]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["member", "currency", "created_at"]),
        ]

    @property
    def gateway_idempotency_key(self) -> str:
        # Stable for the life of the attempt, so retrying it can never make a second refund.
        return f"chargeside-{self.workspace_id}-{self.key[:40]}"


class AuditEvent(models.Model):
    """Append-only, hash-chained per workspace. No update or delete through the application; on
    PostgreSQL and SQLite a trigger refuses both (see migrations)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    member = models.ForeignKey(Member, null=True, on_delete=models.PROTECT, related_name="audit_events")
    actor = models.CharField(max_length=200)  # name at the time (survives renames and removals)
    event = models.CharField(max_length=40)  # requested, succeeded, failed, approval_requested, approved, rejected, merged...
    action = models.CharField(max_length=40, blank=True, default="")
    attempt = models.ForeignKey(ActionAttempt, null=True, on_delete=models.PROTECT, related_name="audit_events")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    target = models.CharField(max_length=200, blank=True, default="")  # "stripe:ch_123"
    amount = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    ticket_url = models.CharField(max_length=500, blank=True, default="")
    outcome = models.CharField(max_length=16, blank=True, default="")  # pending, succeeded, failed, ...
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "seq"], name="audit_unique_seq")]
        indexes = [
            models.Index(fields=["workspace", "-at"]),
            models.Index(fields=["workspace", "customer", "-seq"]),
        ]
        ordering = ["-seq"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")


class AuditHead(models.Model):
    """The tip of a workspace's chain; locked while appending so entries are strictly sequential."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
