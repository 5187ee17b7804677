"""SQLite object store for the fake.

One table holds every object as compact JSON plus a few indexed lookup columns, so a
state file with a million customers and millions of charges stays small and lists page in
Stripe's order (newest first, ties broken by insertion order) without loading much into
memory. One connection per thread, WAL journal; all writes go through :meth:`Store.tx`,
which serializes them with one process-wide lock so balance checks (e.g. over-refunds)
cannot race.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import shapes

COLUMNS = ("customer", "lookup", "charge", "payment_intent", "subscription", "parent", "status")

_TABLES = """
CREATE TABLE IF NOT EXISTS objects (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  created INTEGER NOT NULL,
  customer TEXT, lookup TEXT, charge TEXT, payment_intent TEXT, subscription TEXT,
  parent TEXT, status TEXT,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL, body BLOB NOT NULL, request_id TEXT NOT NULL, created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""

# Secondary indexes; dropped and rebuilt around big bulk loads (seeding) for speed.
_INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_objects_id ON objects(id)",
    "CREATE INDEX IF NOT EXISTS ix_objects_type ON objects(type, created)",
] + [
    f"CREATE INDEX IF NOT EXISTS ix_objects_{c} ON objects({c}, type, created) WHERE {c} IS NOT NULL"
    for c in COLUMNS
    if c != "status"
]

# Which object field feeds which lookup column, per object type.
_FIELDS: dict[str, dict[str, Any]] = {
    "customer": {"lookup": "email"},
    "charge": {"customer": "customer", "payment_intent": "payment_intent", "status": "status"},
    "payment_intent": {"customer": "customer", "status": "status"},
    "refund": {"charge": "charge", "payment_intent": "payment_intent", "status": "status"},
    "subscription": {"customer": "customer", "status": "status"},
    "invoice": {"customer": "customer", "subscription": "subscription", "status": "status"},
    "invoiceitem": {"customer": "customer", "subscription": "subscription", "parent": "invoice"},
    "dispute": {"charge": "charge", "payment_intent": "payment_intent", "status": "status"},
    "payment_method": {"customer": "customer"},
    "price": {"parent": "product", "lookup": "lookup_key"},
    "promotion_code": {
        "parent": lambda o: (o.get("promotion") or {}).get("coupon"),
        "lookup": "code",
        "customer": "customer",
    },
    "event": {"lookup": "type"},
    "tax_id": {"customer": "customer"},
    "discount": {"customer": "customer", "subscription": "subscription"},
    "setup_intent": {"customer": "customer", "status": "status"},
    "checkout.session": {"customer": "customer", "parent": "setup_intent", "status": "status"},
}


# Per type: (column position, field name or None, function or None), for columns_for().
_PLANS = {type_: tuple((i, None if callable(src) else src, src if callable(src) else None)
                       for i, col in enumerate(COLUMNS) if (src := spec.get(col)) is not None)
          for type_, spec in _FIELDS.items()}
_NO_COLUMNS = (None,) * len(COLUMNS)


def columns_for(obj: dict) -> tuple:
    plan = _PLANS.get(obj["object"])
    if not plan:
        return _NO_COLUMNS
    out = [None] * len(COLUMNS)
    for i, field, fn in plan:
        value = obj.get(field) if fn is None else fn(obj)
        if type(value) is dict:
            value = value.get("id")
        if type(value) is str:
            out[i] = value
    return tuple(out)


def rows_for(objs: Iterable[dict], packed: bool = False) -> list[tuple]:
    """Store rows for objects; ``packed=True``: already in stored form (non-default fields only)."""
    if packed:
        return [(o["id"], o["object"], shapes.created_of(o), *columns_for(o),
                 shapes.dumps({k: v for k, v in o.items() if k not in ("id", "object", "created")})) for o in objs]
    return [(o["id"], o["object"], shapes.created_of(o), *columns_for(o), shapes.compact(o)) for o in objs]


@dataclass
class Page:
    items: list[dict]
    has_more: bool
    last_key: tuple[int, int] | None  # (created, seq) of the last item, for search tokens


class Store:
    def __init__(self, path: str | None = None, readonly: bool = False):
        self._tmpdir = None
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="stripe-fake-")
            path = os.path.join(self._tmpdir, "state.sqlite3")
        self.path = path
        self._local = threading.local()
        self._wlock = threading.RLock()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        if not readonly:  # readers (seed workers) must not take the write lock
            self.conn.executescript(_TABLES)
            self.create_indexes()

    # -- connections and transactions ------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA cache_size=-32000")
            self._local.conn = conn
            self._local.depth = 0
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """Serialized write transaction (re-entrant within a thread)."""
        with self._wlock:
            conn = self.conn
            if self._local.depth:
                self._local.depth += 1
                try:
                    yield conn
                finally:
                    self._local.depth -= 1
                return
            conn.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                self._local.depth = 0

    def release(self) -> None:
        """Close this thread's connection (server threads call it when their client leaves)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        with self._conns_lock:
            if conn in self._conns:
                self._conns.remove(conn)
        conn.close()
        self._local.conn = None

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._conns.clear()
        self._local = threading.local()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def create_indexes(self) -> None:
        for sql in _INDEXES:
            self.conn.execute(sql)

    def drop_secondary_indexes(self) -> None:
        for sql in _INDEXES[1:]:
            name = sql.split("EXISTS ")[1].split(" ")[0]
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")

    # -- single objects -----------------------------------------------------------------------

    def get(self, object_id: str, type_: str | None = None) -> dict | None:
        row = self.conn.execute(
            "SELECT type, created, body FROM objects WHERE id = ?", (object_id,)
        ).fetchone()
        if row is None or (type_ is not None and row[0] != type_):
            return None
        return shapes.inflate(row[0], object_id, row[1], row[2])

    def exists(self, object_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM objects WHERE id = ?", (object_id,)).fetchone() is not None

    def put(self, obj: dict) -> dict:
        """Insert or update; an update keeps the original position in lists."""
        body = shapes.compact(obj)
        cols = columns_for(obj)
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO objects (id, type, created, customer, lookup, charge, payment_intent,"
                " subscription, parent, status, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET customer=excluded.customer, lookup=excluded.lookup,"
                " charge=excluded.charge, payment_intent=excluded.payment_intent,"
                " subscription=excluded.subscription, parent=excluded.parent,"
                " status=excluded.status, body=excluded.body",
                (obj["id"], obj["object"], shapes.created_of(obj), *cols, body),
            )
        return obj

    def delete(self, object_id: str, tombstone: bool = False) -> None:
        with self.tx() as conn:
            row = conn.execute("SELECT type FROM objects WHERE id = ?", (object_id,)).fetchone()
            conn.execute("DELETE FROM objects WHERE id = ?", (object_id,))
            if tombstone and row:
                conn.execute("INSERT OR REPLACE INTO tombstones VALUES (?, ?)", (object_id, row[0]))

    def tombstone_type(self, object_id: str) -> str | None:
        row = self.conn.execute("SELECT type FROM tombstones WHERE id = ?", (object_id,)).fetchone()
        return row[0] if row else None

    def insert_rows(self, rows: list[tuple]) -> int:
        """Fast path for seeding (rows from :func:`rows_for`); caller wraps in :meth:`tx`."""
        self.conn.executemany(
            "INSERT INTO objects (id, type, created, customer, lookup, charge, payment_intent,"
            " subscription, parent, status, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        return len(rows)

    # -- queries --------------------------------------------------------------------------------

    def key_of(self, object_id: str, type_: str) -> tuple[int, int] | None:
        row = self.conn.execute(
            "SELECT created, seq FROM objects WHERE id = ? AND type = ?", (object_id, type_)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def _where(self, type_: str, where: dict | None, created: Any) -> tuple[str, list]:
        clauses, args = ["type = ?"], [type_]
        for col, value in (where or {}).items():
            if col not in COLUMNS:
                raise ValueError(col)
            if isinstance(value, (list, tuple, set)):
                clauses.append(f"{col} IN ({','.join('?' * len(value))})")
                args.extend(value)
            elif isinstance(value, Not):
                clauses.append(f"({col} IS NULL OR {col} != ?)")
                args.append(value.value)
            elif value is None:
                clauses.append(f"{col} IS NULL")
            elif isinstance(value, Prefix):
                clauses.append(f"{col} >= ? AND {col} < ?")
                args.extend([value.value, value.value + "\uffff"])
            else:
                clauses.append(f"{col} = ?")
                args.append(value)
        if isinstance(created, int):
            clauses.append("created = ?")
            args.append(created)
        elif isinstance(created, dict):
            for op, sym in (("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")):
                if created.get(op) is not None:
                    clauses.append(f"created {sym} ?")
                    args.append(int(created[op]))
        return " AND ".join(clauses), args

    def page(
        self,
        type_: str,
        *,
        where: dict | None = None,
        created: Any = None,
        after: tuple[int, int] | None = None,
        before: tuple[int, int] | None = None,
        limit: int = 10,
        predicate: Callable[[dict], bool] | None = None,
    ) -> Page:
        sql, args = self._where(type_, where, created)
        order = "DESC"
        if after is not None:
            sql += " AND (created, seq) < (?, ?)"
            args += list(after)
        elif before is not None:
            sql += " AND (created, seq) > (?, ?)"
            args += list(before)
            order = "ASC"
        query = f"SELECT id, created, seq, body FROM objects WHERE {sql} ORDER BY created {order}, seq {order}"
        if predicate is None:
            query += f" LIMIT {int(limit) + 1}"
        found: list[tuple] = []
        for object_id, created_at, seq, body in self.conn.execute(query, args):
            obj = shapes.inflate(type_, object_id, created_at, body)
            if predicate is not None and not predicate(obj):
                continue
            found.append(((created_at, seq), obj))
            if len(found) > limit:
                break
        has_more = len(found) > limit
        found = found[:limit]
        if order == "ASC":
            found.reverse()
        last_key = found[-1][0] if found else None
        return Page([o for _, o in found], has_more, last_key)

    def find(self, type_: str, where: dict | None = None, limit: int = 1000) -> list[dict]:
        return self.page(type_, where=where, limit=limit).items

    def first(self, type_: str, where: dict | None = None) -> dict | None:
        items = self.page(type_, where=where, limit=1).items
        return items[0] if items else None

    def count(self, type_: str | None = None) -> int:
        if type_ is None:
            return self.conn.execute("SELECT COUNT(*) FROM objects").fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM objects WHERE type = ?", (type_,)).fetchone()[0]

    # -- small key/value store for fake-wide settings -----------------------------------------

    def meta_get(self, key: str, default=None):
        row = self.conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def meta_set(self, key: str, value) -> None:
        with self.tx() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))


class Not:
    """Filter value meaning ``column != value`` (NULLs included)."""

    def __init__(self, value: str):
        self.value = value


class Prefix:
    """Filter value meaning ``column`` starts with ``value``."""

    def __init__(self, value: str):
        self.value = value
