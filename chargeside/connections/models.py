"""A gateway or helpdesk installed in a workspace.

What an integration *is* (its settings spec, capabilities) lives with its adapter; this row is one
installation of it: which provider, the credentials (encrypted as one blob), the plain settings, and its
health (last sync, last error).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from chargeside.core.crypto import decrypt_json, encrypt_json, rotate
from chargeside.workspaces.models import Workspace


class Connection(models.Model):
    class Kind(models.TextChoices):
        GATEWAY = "gateway"
        HELPDESK = "helpdesk"

    class Status(models.TextChoices):
        ACTIVE = "active"
        ERROR = "error"
        DISABLED = "disabled"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GATEWAY)
    provider = models.CharField(max_length=32)  # registry key, e.g. "stripe"
    name = models.CharField(max_length=100)
    settings = models.JSONField(default=dict, blank=True)  # non-secret settings (base_url, account id...)
    credentials_encrypted = models.TextField(blank=True, default="")  # secret settings, one Fernet blob
    # Unguessable path segment of this connection's webhook URL (so a URL reveals nothing about ids).
    webhook_token = models.CharField(max_length=48, unique=True, default=secrets.token_urlsafe)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "provider", "name"], name="connection_unique_name")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}"

    # Secrets never leave this object except through these two methods.
    @property
    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, values: dict) -> None:
        self.credentials_encrypted = encrypt_json(values)

    def rotate_credentials(self) -> None:
        if self.credentials_encrypted:
            self.credentials_encrypted = rotate(self.credentials_encrypted)

    def record_error(self, message: str) -> None:
        from chargeside.core.redaction import redact

        self.last_error = redact(message)[:2000]
        self.last_error_at = timezone.now()
        Connection.objects.filter(pk=self.pk).update(last_error=self.last_error, last_error_at=self.last_error_at)

    def record_sync(self) -> None:
        self.last_sync_at = timezone.now()
        Connection.objects.filter(pk=self.pk).update(last_sync_at=self.last_sync_at)
