"""Short per-process memory of what every panel request looks up before it can do anything else.

A signed panel link names its workspace by slug and its agent by email or desk identity. Looking both up
and decrypting the workspace's panel secret (Fernet) costs more than a request's own queries, and they
hardly ever change, so each process keeps them for CACHE_SECONDS:

* `workspace_by_slug(slug)`: the Workspace row, or None. Unknown slugs are remembered too, apart (a
  scanner trying many slugs only ever flushes those), so that a known slug does not answer faster than an
  unknown one: link verification must not reveal which slugs exist.
* `panel_secret(workspace)`: its decrypted panel secret, remembered by ciphertext, so a rotated secret
  (new ciphertext) is decrypted afresh as soon as the row is read again.
* `remembered_member(workspace, agent, load)`: the member a desk agent maps to (or None: read-only).

Saving or deleting a Workspace, Member or user forgets everything in this process at once; other processes
(gunicorn workers) see the change within CACHE_SECONDS. So a deactivated member can still open a panel
that lists actions for up to that long elsewhere (running an action re-reads the member), and a rotated
panel secret still verifies old links there for up to that long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CACHE_SECONDS = 5.0
_MAX_ENTRIES = 2000  # beyond this the process starts over rather than grow
_MAX_SLUG = 64  # Workspace.slug's max_length

_workspaces: dict[str, tuple[float, object]] = {}  # slug → (expires at, Workspace)
_unknown_slugs: dict[str, tuple[float, None]] = {}  # slug → (expires at, None)
_members: dict[tuple[int, str], tuple[float, object]] = {}  # (workspace id, agent) → (expires at, Member | None)
_secrets: dict[str, str] = {}  # ciphertext → decrypted panel secret
_lock = threading.Lock()


def _remember(store: dict, key, value, now: float) -> None:
    with _lock:
        if len(store) >= _MAX_ENTRIES:
            store.clear()
        store[key] = (now + CACHE_SECONDS, value)


def workspace_by_slug(slug: str):
    """The Workspace with this slug, or None."""
    if len(slug) > _MAX_SLUG:  # cannot exist (the column is that long); not worth a query or a cache entry
        return None
    now = time.monotonic()
    hit = _workspaces.get(slug) or _unknown_slugs.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    from .models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    _remember(_workspaces if workspace is not None else _unknown_slugs, slug, workspace, now)
    return workspace


def panel_secret(workspace) -> str:
    """The workspace's panel secret, decrypted once per ciphertext per process."""
    ciphertext = workspace.panel_secret_encrypted
    secret = _secrets.get(ciphertext) if ciphertext else None
    if secret is None:
        secret = workspace.panel_secret  # creates and stores one when the workspace has none yet
        with _lock:
            if len(_secrets) >= _MAX_ENTRIES:
                _secrets.clear()
            _secrets[workspace.panel_secret_encrypted] = secret
    return secret


def remembered_member(workspace, agent: str, load: Callable[[object, str], object]):
    """`load(workspace, agent)` (the member an agent maps to, or None), remembered for CACHE_SECONDS.
    Agents match case-insensitively, so the key is the lower-cased agent."""
    key = (workspace.pk, (agent or "").strip().lower())
    now = time.monotonic()
    hit = _members.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    member = load(workspace, agent)
    _remember(_members, key, member, now)
    return member


def forget_all(**_signal_kwargs) -> None:
    """Drop everything this process remembers (connected to saves and deletes of the rows it caches)."""
    with _lock:
        _workspaces.clear()
        _unknown_slugs.clear()
        _members.clear()


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from .models import Member, Workspace

    for model in (Workspace, Member, get_user_model()):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"workspaces.cache.save.{model._meta.label}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"workspaces.cache.delete.{model._meta.label}")
