"""Drop a set of tables' indexes and constraints for a bulk load, then put back exactly what was there.

The definitions are read from the catalog (`pg_get_indexdef`, `pg_get_constraintdef`) before dropping, so
what is recreated is byte for byte what the migrations made; `snapshot()` before and after proves it.
CHECK and NOT NULL constraints stay in place (they cost little per row and nothing references them).
"""

from __future__ import annotations

from dataclasses import dataclass

# Constraint kinds that own an index or a trigger: primary key, unique, foreign key, exclusion.
_HEAVY = ("p", "u", "f", "x")


@dataclass(frozen=True)
class Saved:
    constraints: list[tuple[str, str, str, str]]  # (table, name, kind, definition)
    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX ...)


def snapshot(cursor, tables: list[str]) -> list[tuple]:
    """Every index and constraint touching `tables`, as definitions, sorted: equal snapshots = same schema."""
    rows = cursor.execute(
        """
        SELECT 'index', c.relname, i.relname, pg_get_indexdef(i.oid)
          FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
         WHERE c.relname = ANY(%(t)s)
        UNION ALL
        SELECT 'constraint', c.relname, k.conname, pg_get_constraintdef(k.oid) || ' valid=' || k.convalidated
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE c.relname = ANY(%(t)s) OR k.confrelid IN (SELECT oid FROM pg_class WHERE relname = ANY(%(t)s))
        """,
        {"t": tables},
    ).fetchall()
    return sorted(rows)


def drop(cursor, tables: list[str]) -> Saved:
    """Drop foreign keys into and out of `tables`, their primary/unique constraints and plain indexes."""
    constraints = cursor.execute(
        """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE k.contype = ANY(%(kinds)s)
           AND (c.relname = ANY(%(t)s) OR k.confrelid IN (SELECT oid FROM pg_class WHERE relname = ANY(%(t)s)))
        """,
        {"t": tables, "kinds": list(_HEAVY)},
    ).fetchall()
    indexes = cursor.execute(
        """
        SELECT c.relname, i.relname, pg_get_indexdef(i.oid)
          FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
         WHERE c.relname = ANY(%(t)s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
        """,
        {"t": tables},
    ).fetchall()
    # Foreign keys first: they depend on the referenced table's primary key.
    for table, name, kind, _ in sorted(constraints, key=lambda row: row[2] != "f"):
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for _, name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return Saved(constraints=list(constraints), indexes=list(indexes))


def restore(cursor, saved: Saved, progress=lambda message: None) -> None:
    """Recreate what `drop` removed: keys and unique constraints, then indexes, then foreign keys."""
    order = {"p": 0, "u": 1, "x": 1, "f": 3}
    for table, name, kind, definition in sorted(saved.constraints, key=lambda row: order[row[2]]):
        if kind == "f":
            continue
        progress(f"constraint {name}")
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for _, name, definition in saved.indexes:
        progress(f"index {name}")
        cursor.execute(definition)
    for table, name, kind, definition in saved.constraints:
        if kind == "f":
            progress(f"foreign key {name}")
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
