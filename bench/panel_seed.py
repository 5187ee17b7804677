"""Seed the panel benchmark's PostgreSQL database by COPY into the real billing tables.

One workspace with one Stripe connection; per customer: a Customer, its email identifier, a gateway
customer and a card; charges with a long tail (10 % of customers have 30–70, the rest 0–11, ~10 on
average), a refund for every refunded charge, a subscription for one customer in five with three
invoices each. `raw` holds a compact Stripe-shaped payload (~300–450 bytes, not the full 2–3 KB object)
so that 10 M charges fit in a few GB while every read still decodes real JSON.

Everything happens in one transaction: TRUNCATE, drop indexes/keys (`--index-mode drop`), COPY … FREEZE
(rows land frozen and all-visible, so no vacuum is needed and index-only scans work at once), restore the
exact index/constraint definitions, set the id sequences, ANALYZE, and finally write the marker that says
the data is complete. An interrupted seed leaves nothing behind.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

from psycopg.copy import QueuedLibpqWriter

from . import schema
from .common import log

MARKER_KEY = "bench_seed"
FIRST_NAMES = "Ada Alan Grace Linus Ken Barbara Edsger Donald Margaret Dennis Frances John Radia Tim Sophie Guido".split()
LAST_NAMES = "Lovelace Turing Hopper Torvalds Thompson Liskov Dijkstra Knuth Hamilton Ritchie Allen Backus Perlman Lee Wilson Rossum".split()
BRANDS = ["visa", "visa", "visa", "mastercard", "mastercard", "amex", "discover"]
CURRENCIES = ["usd"] * 7 + ["eur", "gbp", "jpy"]
AMOUNTS = [500, 900, 1200, 1900, 2500, 4900, 9900, 14900, 29900]
NOW = int(time.time())
THREE_YEARS = 3 * 365 * 86400
CHUNK_ROWS = 20_000


def seeded_marker(connection_settings: dict, customers: int) -> dict | None:
    marker = (connection_settings or {}).get(MARKER_KEY) or {}
    return marker if marker.get("complete") and marker.get("customers") == customers else None


def _ts(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


class Table:
    """COPY text rows for one model: the generator supplies some columns, the model's defaults fill the rest."""

    def __init__(self, model, supplied: list[str]):
        self.model = model
        self.name = model._meta.db_table
        self.columns = [field.column for field in model._meta.concrete_fields]
        unknown = set(supplied) - set(self.columns)
        if unknown:
            raise RuntimeError(f"{self.name} has no columns {sorted(unknown)}: the bench seeder is out of date")
        parts = []
        for field in model._meta.concrete_fields:
            if field.column in supplied:
                parts.append("{%d}" % supplied.index(field.column))
            else:
                parts.append(_default_text(field).replace("{", "{{").replace("}", "}}"))
        self.format = ("\t".join(parts) + "\n").format
        self.rows = 0

    def copy(self, cursor, rows: Iterator[tuple], freeze: bool) -> int:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        options = " (FREEZE)" if freeze else ""
        fmt = self.format
        count = 0
        # A writer thread sends to PostgreSQL while this thread formats the next chunk (2 cores: overlap).
        writer = QueuedLibpqWriter(cursor)
        with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN{options}', writer=writer) as copy:
            buffer = []
            for row in rows:
                buffer.append(fmt(*row))
                if len(buffer) >= CHUNK_ROWS:
                    copy.write("".join(buffer))
                    count += len(buffer)
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
                count += len(buffer)
        self.rows = count
        return count


def _default_text(field) -> str:
    import json

    from django.db.models import NOT_PROVIDED

    if field.has_default() or field.default is not NOT_PROVIDED:
        value = field.get_default()
    elif field.null:
        return r"\N"
    else:
        value = ""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _plan(customers: int, seed: int) -> list[int]:
    """Charges per customer: a long tail so that the '50 newest' limit matters for one customer in ten."""
    rng = random.Random(seed)
    return [rng.randint(30, 70) if rng.random() < 0.10 else rng.randint(0, 11) for _ in range(customers)]


def seed(cursor, *, workspace_id: int, connection_id: int, customers: int, seed_value: int, index_mode: str,
         progress: Callable[[str], None] = log) -> dict:
    """Load everything inside the caller's transaction; returns row counts and timings."""
    from chargeside.billing import models as m

    plan = _plan(customers, seed_value)
    # Columns that later migrations added and that must be computed, not defaulted.
    folded = any(f.column == "search_name" for f in m.Customer._meta.concrete_fields)
    customer_columns = ["id", "workspace_id", "email", "name", "created_at", "updated_at"] + (["search_name"] if folded else [])
    tables = {
        "customer": Table(m.Customer, customer_columns),
        "identifier": Table(m.CustomerIdentifier, ["id", "workspace_id", "customer_id", "kind", "value"]),
        "gateway_customer": Table(m.GatewayCustomer, ["id", "workspace_id", "connection_id", "remote_id", "raw",
                                                      "remote_created_at", "synced_at", "customer_id", "email", "name",
                                                      "default_payment_method_remote_id"]),
        "payment_method": Table(m.PaymentMethod, ["id", "workspace_id", "connection_id", "remote_id", "raw", "remote_created_at",
                                                  "synced_at", "gateway_customer_id", "customer_remote_id", "brand", "last4",
                                                  "exp_month", "exp_year"]),
        "charge": Table(m.Charge, ["id", "workspace_id", "connection_id", "remote_id", "raw", "remote_created_at", "synced_at",
                                   "gateway_customer_id", "customer_remote_id", "amount", "currency", "status",
                                   "amount_captured", "amount_refunded", "payment_method_remote_id", "description"]),
        "refund": Table(m.Refund, ["id", "workspace_id", "connection_id", "remote_id", "raw", "remote_created_at", "synced_at",
                                   "charge_id", "charge_remote_id", "amount", "currency", "status", "reason"]),
        "subscription": Table(m.Subscription, ["id", "workspace_id", "connection_id", "remote_id", "raw", "remote_created_at",
                                               "synced_at", "gateway_customer_id", "customer_remote_id", "status",
                                               "price_remote_id", "plan_name", "amount", "currency", "interval",
                                               "current_period_start", "current_period_end"]),
        "invoice": Table(m.Invoice, ["id", "workspace_id", "connection_id", "remote_id", "raw", "remote_created_at", "synced_at",
                                     "gateway_customer_id", "customer_remote_id", "status", "number", "currency", "total",
                                     "amount_due", "amount_paid", "subscription_remote_id", "period_start", "period_end"]),
    }
    names = [table.name for table in tables.values()]
    timings: dict[str, float] = {}
    started = time.monotonic()
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cursor.execute("SET LOCAL synchronous_commit = off")
    # TRUNCATE lets COPY write frozen rows; CASCADE empties bench-only rows that point at them (attempts...).
    cursor.execute("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE")
    before = schema.snapshot(cursor, names)
    saved = schema.drop(cursor, names) if index_mode == "drop" else None
    ctx = _Context(workspace_id, connection_id, plan, seed_value, fold_names=folded)
    freeze = True
    for key, rows in (
        ("customer", ctx.customers()), ("identifier", ctx.identifiers()), ("gateway_customer", ctx.gateway_customers()),
        ("payment_method", ctx.payment_methods()), ("charge", ctx.charges()), ("refund", ctx.refunds()),
        ("subscription", ctx.subscriptions()), ("invoice", ctx.invoices()),
    ):
        t0 = time.monotonic()
        count = tables[key].copy(cursor, rows, freeze)
        timings[f"copy_{key}_s"] = round(time.monotonic() - t0, 1)
        progress(f"COPY {tables[key].name}: {count:,} rows in {timings[f'copy_{key}_s']}s")
    timings["copy_total_s"] = round(time.monotonic() - started, 1)
    if saved is not None:
        t0 = time.monotonic()
        schema.restore(cursor, saved, progress=lambda what: progress(f"recreating {what}"))
        timings["indexes_s"] = round(time.monotonic() - t0, 1)
    after = schema.snapshot(cursor, names)
    if before != after:
        raise RuntimeError("the recreated indexes/constraints differ from the migrations' schema")
    for name in names:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), GREATEST((SELECT max(id) FROM \"{name}\"), 1))")
    t0 = time.monotonic()
    for name in names:
        cursor.execute(f'ANALYZE "{name}"')
    timings["analyze_s"] = round(time.monotonic() - t0, 1)
    timings["seed_total_s"] = round(time.monotonic() - started, 1)
    counts = {key: table.rows for key, table in tables.items()}
    return {"rows": counts, "timings": timings, "schema_objects_checked": len(after)}


class _Context:
    """Deterministic row generators (one random stream per table, seeded)."""

    def __init__(self, workspace_id: int, connection_id: int, plan: list[int], seed_value: int, fold_names: bool = False):
        self.fold_names = fold_names
        self.ws = workspace_id
        self.conn = connection_id
        self.plan = plan
        self.seed = seed_value
        self.synced = _ts(NOW)
        self.refunded: list[tuple[int, str, int, str, int]] = []  # (charge id, remote id, amount, currency, created)

    def _customer_created(self, i: int) -> int:
        return NOW - THREE_YEARS + (i * 7919) % THREE_YEARS

    def _email(self, i: int) -> str:
        return f"customer{i}@bench.example"

    def _name(self, i: int) -> str:
        return f"{FIRST_NAMES[i % 16]} {LAST_NAMES[(i // 16) % 16]}"

    def customers(self):
        if self.fold_names:  # Customer.search_name, as Customer.save() fills it
            from chargeside.billing.matching import fold
        for i in range(1, len(self.plan) + 1):
            created, name = _ts(self._customer_created(i)), self._name(i)
            row = (i, self.ws, self._email(i), name, created, created)
            yield (*row, fold(name)) if self.fold_names else row

    def identifiers(self):
        for i in range(1, len(self.plan) + 1):
            yield (i, self.ws, i, "email", self._email(i))

    def gateway_customers(self):
        for i in range(1, len(self.plan) + 1):
            created = self._customer_created(i)
            remote, email, name = f"cus_B{i:013d}", self._email(i), self._name(i)
            raw = (f'{{"id": "{remote}", "object": "customer", "created": {created}, "email": "{email}", "name": "{name}", '
                   f'"currency": "usd", "livemode": false, "metadata": {{}}, '
                   f'"invoice_settings": {{"default_payment_method": "pm_B{i:013d}"}}}}')
            yield (i, self.ws, self.conn, remote, raw, _ts(created), self.synced, i, email, name, f"pm_B{i:013d}")

    def payment_methods(self):
        rng = random.Random(self.seed + 1)
        for i in range(1, len(self.plan) + 1):
            brand, last4 = rng.choice(BRANDS), f"{rng.randrange(10000):04d}"
            month, year = rng.randint(1, 12), rng.randint(2026, 2031)
            created = self._customer_created(i)
            raw = (f'{{"id": "pm_B{i:013d}", "object": "payment_method", "type": "card", "customer": "cus_B{i:013d}", '
                   f'"created": {created}, "card": {{"brand": "{brand}", "last4": "{last4}", "exp_month": {month}, "exp_year": {year}}}}}')
            yield (i, self.ws, self.conn, f"pm_B{i:013d}", raw, _ts(created), self.synced, i, f"cus_B{i:013d}", brand, last4, month, year)

    def charges(self):
        rng = random.Random(self.seed + 2)
        rand, choice = rng.random, rng.choice
        j = 0
        for i, count in enumerate(self.plan, start=1):
            start = self._customer_created(i)
            span = max(NOW - start, 1)
            cus, pm = f"cus_B{i:013d}", f"pm_B{i:013d}"
            for _ in range(count):
                j += 1
                created = start + int(rand() * span)
                amount, currency = choice(AMOUNTS), choice(CURRENCIES)
                roll = rand()
                if roll < 0.90:
                    status, captured, refunded, stripe_status = "succeeded", amount, 0, "succeeded"
                elif roll < 0.95:
                    status, captured, refunded, stripe_status = "failed", 0, 0, "failed"
                elif roll < 0.98:
                    status, captured, refunded, stripe_status = "refunded", amount, amount, "succeeded"
                else:
                    status, captured, refunded, stripe_status = "partially_refunded", amount, amount // 2, "succeeded"
                remote = f"ch_B{j:013d}"
                if refunded:
                    self.refunded.append((j, remote, refunded, currency, created))
                description = f"Order {j}"
                raw = (f'{{"id": "{remote}", "object": "charge", "amount": {amount}, "amount_captured": {captured}, '
                       f'"amount_refunded": {refunded}, "currency": "{currency}", "customer": "{cus}", "created": {created}, '
                       f'"status": "{stripe_status}", "paid": {"true" if captured else "false"}, '
                       f'"refunded": {"true" if refunded == amount else "false"}, "description": "{description}", '
                       f'"payment_method": "{pm}", "livemode": false}}')
                yield (j, self.ws, self.conn, remote, raw, _ts(created), self.synced, i, cus, amount, currency.upper(), status,
                       captured, refunded, pm, description)

    def refunds(self):
        for k, (charge_id, charge_remote, amount, currency, created) in enumerate(self.refunded, start=1):
            remote = f"re_B{k:013d}"
            raw = (f'{{"id": "{remote}", "object": "refund", "amount": {amount}, "charge": "{charge_remote}", '
                   f'"currency": "{currency}", "created": {created + 3600}, "status": "succeeded", "reason": "requested_by_customer"}}')
            yield (k, self.ws, self.conn, remote, raw, _ts(created + 3600), self.synced, charge_id, charge_remote, amount,
                   currency.upper(), "succeeded", "requested_by_customer")

    def _subscribed(self):
        return range(5, len(self.plan) + 1, 5)

    def subscriptions(self):
        for k, i in enumerate(self._subscribed(), start=1):
            remote, created = f"sub_B{i:013d}", self._customer_created(i)
            period_start = NOW - (NOW - created) % (30 * 86400)
            status = "active" if k % 10 else "canceled"
            raw = (f'{{"id": "{remote}", "object": "subscription", "customer": "cus_B{i:013d}", "status": "{status}", '
                   f'"created": {created}, "items": {{"object": "list", "data": [{{"id": "si_B{i:013d}", "price": '
                   f'{{"id": "price_Bpro", "unit_amount": 2900, "currency": "usd", "recurring": {{"interval": "month"}}}}, '
                   f'"current_period_start": {period_start}, "current_period_end": {period_start + 30 * 86400}}}]}}}}')
            yield (k, self.ws, self.conn, remote, raw, _ts(created), self.synced, i, f"cus_B{i:013d}", status, "price_Bpro",
                   "Pro monthly", 2900, "USD", "month", _ts(period_start), _ts(period_start + 30 * 86400))

    def invoices(self):
        k = 0
        for i in self._subscribed():
            created = self._customer_created(i)
            for n in range(3):
                k += 1
                start = created + n * 30 * 86400
                remote = f"in_B{k:013d}"
                raw = (f'{{"id": "{remote}", "object": "invoice", "customer": "cus_B{i:013d}", "status": "paid", '
                       f'"number": "BENCH-{k:08d}", "currency": "usd", "total": 2900, "amount_due": 2900, "amount_paid": 2900, '
                       f'"created": {start}, "period_start": {start}, "period_end": {start + 30 * 86400}}}')
                yield (k, self.ws, self.conn, remote, raw, _ts(start), self.synced, i, f"cus_B{i:013d}", "paid",
                       f"BENCH-{k:08d}", "USD", 2900, 2900, 2900, f"sub_B{i:013d}", _ts(start), _ts(start + 30 * 86400))
