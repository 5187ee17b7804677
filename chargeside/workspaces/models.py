"""Tenants and the people in them.

A Workspace is the tenancy boundary: every billing row carries `workspace` and every selector filters on
it. A Member ties a Django user to one workspace with one role; the same person may belong to several
workspaces with different roles.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from .roles import Role


def _panel_secret() -> str:
    return secrets.token_urlsafe(32)


class Workspace(models.Model):
    slug = models.SlugField(unique=True, max_length=64)
    name = models.CharField(max_length=200)
    default_language = models.CharField(max_length=8, default="en")
    # HMAC key for generic panel links; stored encrypted like every other secret.
    panel_secret_encrypted = models.TextField(blank=True, default="")
    # Origins allowed to frame the panel (CSP frame-ancestors), space-separated, e.g. https://acme.zendesk.com
    panel_frame_origins = models.TextField(blank=True, default="")
    # Metadata key on gateway customers that links identities across gateways (e.g. "chargeside_id").
    identity_metadata_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def panel_secret(self) -> str:
        from chargeside.core.crypto import decrypt_json, encrypt_json

        if not self.panel_secret_encrypted:
            self.panel_secret_encrypted = encrypt_json({"secret": _panel_secret()})
            if self.pk:
                Workspace.objects.filter(pk=self.pk).update(panel_secret_encrypted=self.panel_secret_encrypted)
        return decrypt_json(self.panel_secret_encrypted)["secret"]

    def frame_origins(self) -> list[str]:
        return [origin for origin in self.panel_frame_origins.split() if origin]


class Member(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=[(r.value, r.value) for r in Role])
    language = models.CharField(max_length=8, blank=True, default="")  # "" → Accept-Language
    # The member's identity in a helpdesk ("zendesk:12345" or an email) so desk agents map to members.
    desk_identities = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="member_unique_per_workspace")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role}) in {self.workspace.slug}"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ApiToken(models.Model):
    """Per-member API token. Only a SHA-256 of the token is stored; the token is shown once."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, member: Member, name: str = "api") -> tuple[ApiToken, str]:
        token = "cs_" + secrets.token_urlsafe(32)
        row = cls.objects.create(member=member, name=name, prefix=token[:10], token_hash=cls.hash(token))
        return row, token


class ActionLimit(models.Model):
    """A ceiling on money-moving actions, per currency. A member's own row beats its role's row.

    `per_action` caps one refund/capture/charge; `per_day` caps the sum over a rolling UTC day. A request
    over either becomes a pending approval instead of moving money.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="limits")
    role = models.CharField(max_length=16, blank=True, default="", choices=[(r.value, r.value) for r in Role])
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="limits")
    currency = models.CharField(max_length=3)
    per_action = models.BigIntegerField(null=True, blank=True)  # minor units; null = no cap
    per_day = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") ^ models.Q(member__isnull=True), name="limit_role_xor_member"
            ),
            models.UniqueConstraint(fields=["workspace", "role", "currency"], condition=models.Q(member__isnull=True), name="limit_unique_role"),
            models.UniqueConstraint(fields=["workspace", "member", "currency"], condition=models.Q(member__isnull=False), name="limit_unique_member"),
        ]


class LoginFailure(models.Model):
    """Failed console logins, for throttling guessing (by username and by address)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
