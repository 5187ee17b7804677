"""Throttling repeated failed console logins, by (username, address) and by address alone.

`CHARGESIDE_LOGIN_MAX_FAILURES` failures for one username from one address inside
`CHARGESIDE_LOGIN_WINDOW_SECONDS` lock that pair until the oldest failure leaves the window; an address
that fails five times as often over any usernames (password spraying) is locked as a whole. A locked
attempt is refused before the password is even checked, so a correct guess inside the lock tells
nothing. Only REMOTE_ADDR is used: X-Forwarded-For is trivially forged unless a proxy sets it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from chargeside.workspaces.models import LoginFailure

SPRAY_FACTOR = 5


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.CHARGESIDE_LOGIN_WINDOW_SECONDS)


def _normalise(username: str) -> str:
    return (username or "").replace("\x00", "").strip().lower()[:150]


def is_throttled(username: str, address: str | None) -> bool:
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.CHARGESIDE_LOGIN_MAX_FAILURES
    if recent.filter(username=_normalise(username), address=address).count() >= limit:
        return True
    return address is not None and recent.filter(address=address).count() >= limit * SPRAY_FACTOR


def record_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=_normalise(username), address=address)
    # Keep the table small: rows older than the window never matter again.
    LoginFailure.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()


def clear_failures(username: str, address: str | None) -> None:
    LoginFailure.objects.filter(username=_normalise(username), address=address).delete()
