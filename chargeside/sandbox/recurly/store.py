"""In-memory state of the fake: objects by type and id in creation order, one lock for every write.

Objects are kept in Recurly's wire shape (amounts as Decimal); fields starting with `_` are the fake's own
bookkeeping (links rendered at answer time) and never leave it. Lists are in creation order, which is
`created_at` order, so `sort=created_at|updated_at` and `order=asc|desc` page over the same sequence.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
import threading
import time

ALPHABET = string.ascii_lowercase + string.digits


class Clock:
    """Wall time plus an offset tests can move (`advance`)."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def iso(self, at: float | None = None) -> str:
        return iso(self.now() if at is None else at)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def iso(at: float) -> str:
    return dt.datetime.fromtimestamp(int(at), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class Store:
    def __init__(self, rng_seed: int | None = None):
        self.lock = threading.RLock()
        self._rng = random.Random(rng_seed)
        self._seq = itertools.count(1)
        self.objects: dict[str, dict[str, dict]] = {}  # type → id → object (insertion = creation order)
        self.invoice_numbers = itertools.count(1001)

    def new_id(self) -> str:
        with self.lock:
            return "".join(self._rng.choice(ALPHABET) for _ in range(12))

    def new_uuid(self) -> str:
        with self.lock:
            return "%032x" % self._rng.getrandbits(128)

    def add(self, type_: str, obj: dict) -> dict:
        with self.lock:
            obj["_seq"] = next(self._seq)
            self.objects.setdefault(type_, {})[obj["id"]] = obj
            return obj

    def get(self, type_: str, ident: str) -> dict | None:
        return self.objects.get(type_, {}).get(ident)

    def all(self, type_: str) -> list[dict]:
        with self.lock:
            return list(self.objects.get(type_, {}).values())

    def find(self, type_: str, **where) -> list[dict]:
        return [o for o in self.all(type_) if all(o.get(k) == v for k, v in where.items())]

    def find_one(self, type_: str, **where) -> dict | None:
        found = self.find(type_, **where)
        return found[0] if found else None
