"""Per-member bearer tokens: `Authorization: Bearer cs_…` (ApiToken stores only a SHA-256 of it)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer

from chargeside.workspaces.models import ApiToken

# last_used_at is a hint for people, not an access log: write it at most once a minute per token.
TOUCH_EVERY = dt.timedelta(minutes=1)


class MemberToken(HttpBearer):
    openapi_description = "A member's API token, created on the console's account page (shown once)."

    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .select_related("member__workspace", "member__user").first()
        )
        if row is None or not row.member.is_active or not row.member.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.member = row.member
        request.workspace = row.member.workspace
        return row.member
