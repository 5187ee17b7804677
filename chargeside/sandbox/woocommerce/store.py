"""The fake store's state: JSON documents in SQLite, one table, guarded by one lock.

WordPress keeps orders, refunds, products, coupons, subscriptions and webhooks as posts (one id sequence,
so a refund's id never equals its order's), and customers as users (their own sequence). The fake keeps
those two sequences so ids look like a real store's. `path=None` keeps everything in memory.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator

POST_KINDS = frozenset({"order", "refund", "product", "coupon", "subscription", "webhook", "note"})


class Store:
    def __init__(self, path: str | None = None):
        self.lock = threading.RLock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS docs (kind TEXT NOT NULL, id INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id))")
        self._db.execute("CREATE TABLE IF NOT EXISTS seqs (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        for name, start in (("post", 100), ("user", 1)):  # user 1 is the shop admin
            self._db.execute("INSERT OR IGNORE INTO seqs VALUES (?, ?)", (name, start))

    def next_id(self, kind: str) -> int:
        name = "post" if kind in POST_KINDS else "user"
        with self.lock:
            self._db.execute("UPDATE seqs SET value = value + 1 WHERE name = ?", (name,))
            return self._db.execute("SELECT value FROM seqs WHERE name = ?", (name,)).fetchone()[0]

    def put(self, kind: str, doc: dict) -> dict:
        with self.lock:
            self._db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", (kind, int(doc["id"]), json.dumps(doc)))
        return doc

    def get(self, kind: str, id_) -> dict | None:
        try:
            id_ = int(id_)
        except (TypeError, ValueError):
            return None
        with self.lock:
            row = self._db.execute("SELECT doc FROM docs WHERE kind = ? AND id = ?", (kind, id_)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind: str, id_: int) -> None:
        with self.lock:
            self._db.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, int(id_)))

    def all(self, kind: str) -> list[dict]:
        with self.lock:
            rows = self._db.execute("SELECT doc FROM docs WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def each(self, kind: str) -> Iterator[dict]:
        yield from self.all(kind)

    def close(self) -> None:
        with self.lock:
            self._db.close()
