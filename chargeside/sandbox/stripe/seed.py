"""Bulk seeding: realistic Stripe data written straight into the store (no HTTP, no events).

``seed(fake_or_store_or_path, customers=50)`` adds a product catalogue, coupons and
promotion codes, the always-present demo customer Ayşe Yılmaz (``DEMO_CUSTOMER``) and
``customers`` generated customers with cards, one-off charges (some declined), refunds,
subscriptions in every state with their invoices, disputes and tax ids. Same ``rng_seed``
→ same data (timestamps are relative to ``now``). Seed into a fresh state file; seeding the
same rng_seed twice into one store is refused.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import random
import time
from collections.abc import Callable

from . import shapes
from .seeder import DEMO_CUSTOMER, DEMO_EMAIL, Seeder
from .store import Store

__all__ = ["DEMO_CUSTOMER", "DEMO_EMAIL", "Seeder", "seed"]


def _store_of(target) -> tuple[Store, bool]:
    if isinstance(target, Store):
        return target, False
    if isinstance(target, str):
        return Store(target), True
    return target.store, False  # a StripeFake


_worker: Seeder | None = None


def _worker_init(path: str, rng_seed: int, now: int) -> None:
    global _worker
    _worker = Seeder(Store(path, readonly=True), rng_seed, now)
    _worker.load_catalog()
    shapes.shallow_defaults().__enter__()


def _worker_chunk(task: tuple[int, int, int]) -> tuple[list[tuple], dict]:
    chunk, first, last = task
    return _generate(_worker, chunk, first, last)


def _generate(seeder: Seeder, chunk: int, first: int, last: int) -> tuple[list[tuple], dict]:
    seeder.counts = {}
    for i in range(first, last):
        # One rng per customer: data depends on (rng_seed, index) only, not on batches or workers.
        seeder.reseed(random.Random(f"{seeder.rng_seed}:{i}"))
        seeder.random_customer(i)
    return seeder.take_rows(), seeder.counts


def seed(state_or_fake, customers: int = 50, rng_seed: int = 42,
         progress: Callable[[int, int], None] | None = None, *, now: int | None = None,
         batch: int = 1000, workers: int | None = None, bulk: bool | None = None) -> dict:
    """Seed ``customers`` generated customers (plus catalogue and demo data); returns counts.

    Big seeds (≥ 20,000 customers) drop and rebuild the secondary indexes around the load and
    generate in ``workers`` processes (default: one per CPU, at most 4) while this process
    writes.
    """
    store, owned = _store_of(state_or_fake)
    started = time.perf_counter()
    seeder = Seeder(store, rng_seed, int(now or time.time()))
    if bulk is None:
        bulk = customers >= 20000
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if bulk else 0
    totals: dict[str, int] = {}
    shallow = shapes.shallow_defaults()
    shallow.__enter__()
    try:
        used = store.meta_get("seeded_rng_seeds", [])
        if customers and rng_seed in used:
            raise ValueError(f"this store was already seeded with rng_seed={rng_seed}; use another one")
        if store.exists(DEMO_CUSTOMER):
            seeder.load_catalog()
        else:
            seeder.catalog()
            seeder.demo()
            seeder.flush()
            totals.update(seeder.counts)
        if bulk:
            store.drop_secondary_indexes()  # rebuilt once at the end: much faster than per-row upkeep
            store.conn.execute("PRAGMA synchronous=OFF")  # a crashed seed is simply re-run
        tasks = [(n, first, min(customers, first + batch)) for n, first in enumerate(range(0, customers, batch))]
        if workers > 1:
            # fork: workers start instantly and need no importable __main__ (spawn would).
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            with ctx.Pool(workers, _worker_init, (store.path, rng_seed, seeder.now)) as pool:
                _write(store, _bounded(pool, tasks, 2 * workers), tasks, totals, progress, customers)
        else:
            _write(store, (_generate(seeder, *t) for t in tasks), tasks, totals, progress, customers)
        if customers:
            store.meta_set("seeded_rng_seeds", used + [rng_seed])
    finally:
        shallow.__exit__()
        if bulk:
            # Sort on disk, not in RAM: building the id index of millions of rows would
            # otherwise hold the whole sort in memory (temp_store=MEMORY is the default here).
            store.conn.execute("PRAGMA temp_store=FILE")
            store.conn.execute("PRAGMA cache_size=-131072")
            store.create_indexes()
            store.conn.execute("PRAGMA cache_size=-32000")
            store.conn.execute("PRAGMA temp_store=MEMORY")
            store.conn.execute("PRAGMA synchronous=NORMAL")
        if owned:
            store.close()
    return {**totals, "customers_seeded": customers, "demo_customer": DEMO_CUSTOMER,
            "demo_email": DEMO_EMAIL, "seconds": round(time.perf_counter() - started, 2)}


def _bounded(pool, tasks, ahead: int):
    """Chunk results in order, with at most ``ahead`` chunks generated but not yet written
    (``imap`` would buffer without limit when workers outpace the writer)."""
    pending = collections.deque()
    queue = iter(tasks)
    for task in itertools.islice(queue, ahead):
        pending.append(pool.apply_async(_worker_chunk, (task,)))
    while pending:
        result = pending.popleft().get()
        task = next(queue, None)
        if task is not None:
            pending.append(pool.apply_async(_worker_chunk, (task,)))
        yield result


def _write(store: Store, results, tasks, totals, progress, customers) -> None:
    for (rows, counts), (_, _, last) in zip(results, tasks):
        with store.tx():
            store.insert_rows(rows)
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        if progress:
            progress(last, customers)
