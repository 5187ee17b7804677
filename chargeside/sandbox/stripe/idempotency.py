"""Idempotency-Key handling.

Stripe saves the status and body of the first request made with a key and replays them
byte-for-byte for later requests with the same key and parameters (header
``Idempotent-Replayed: true``); a different endpoint or different parameters is an
``idempotency_error``. Requests holding the same key are serialized by a per-key lock, so
concurrent duplicates never both run: the first executes, the rest replay its answer (or
get Stripe's 409 ``idempotency_key_in_use`` if the first takes longer than ``wait``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from . import errors
from .store import Store


@dataclass
class Saved:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes
    request_id: str


def fingerprint(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Idempotency:
    def __init__(self, store: Store, wait: float = 30.0):
        self.store = store
        self.wait = wait
        self._locks: dict[str, list] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str):
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        acquired = entry[0].acquire(timeout=self.wait)
        try:
            if not acquired:
                raise errors.idempotency_in_use(key)
            yield
        finally:
            if acquired:
                entry[0].release()
            with self._guard:
                entry[1] -= 1
                if entry[1] == 0:
                    self._locks.pop(key, None)

    def lookup(self, key: str) -> Saved | None:
        row = self.store.conn.execute(
            "SELECT method, path, fingerprint, status, body, request_id FROM idempotency WHERE key = ?",
            (key,),
        ).fetchone()
        return Saved(*row) if row else None

    def check(self, saved: Saved, key: str, method: str, path: str, fp: str) -> None:
        if saved.method != method or saved.path != path:
            raise errors.idempotency_endpoint_mismatch(key, saved.path, path)
        if saved.fingerprint != fp:
            raise errors.idempotency_params_mismatch(key)

    def save(self, key: str, method: str, path: str, fp: str, status: int, body: bytes,
             request_id: str, now: int) -> None:
        with self.store.tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO idempotency VALUES (?,?,?,?,?,?,?,?)",
                (key, method, path, fp, status, body, request_id, now),
            )
