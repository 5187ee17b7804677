"""The customer view's reads as plain SQL: who the customers are, how much each section holds, and one page
of a section, in as few round trips as the view allows.

Why not the ORM here: the panel's queries are tiny index scans (well under a millisecond in the database)
and building their SQL through the ORM cost more than running them. The statements below are fixed text
with `%s` parameters, portable across SQLite and PostgreSQL, and read only the columns the view shows
(never the raw payloads). Tenancy: every statement filters by the workspace, or by ids that came out of a
statement that did.

Rows come back as dicts keyed like the ORM's `values()` (`gateway_customers__id`, `_disputed`, ...) with
the ORM's Python types (aware datetimes, bools, ints), so the section builders cannot tell the difference.
Adding a column to a section means adding it to its statement in `SECTION_SQL`.

On PostgreSQL these statements are prepared (server-side binding, `prepare=True`): planning them cost the
database several times what running them does, and a prepared statement is planned once per connection
(persistent connections: CONN_MAX_AGE). They still go through Django's cursor wrapper, so query logging,
`django_assert_num_queries` and execute wrappers see them. A connection pooler in transaction mode needs
protocol-level prepared statements (PgBouncer >= 1.21, `max_prepared_statements`); without one, set
`CHARGESIDE_PREPARED_VIEW_QUERIES = False`.
"""

from __future__ import annotations

import json

import datetime as dt
from collections.abc import Iterable

from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from chargeside.gateways.types import ChargeStatus as CS
from chargeside.gateways.types import InvoiceStatus as IS
from chargeside.gateways.types import SubscriptionStatus as SS

from .models import CustomerIdentifier
from .view_model import FAILED_RECENT_DAYS, OPEN_DISPUTES, PAID, TROUBLED_SUBSCRIPTIONS

# --- statements ----------------------------------------------------------------------------------------

_IDENTITY_COLUMNS = (
    "id", "name", "email", "gateway_customers__id", "gateway_customers__remote_id", "gateway_customers__email",
    "gateway_customers__name", "gateway_customers__deleted", "gateway_customers__connection_id",
    "gateway_customers__connection__provider", "gateway_customers__connection__name",
    "gateway_customers__connection__status", "gateway_customers__connection__settings",
    # What the customer-level actions need to know of each gateway account (see account_rows()).
    "gateway_customers__remote_created_at", "gateway_customers__coupon_remote_id",
    "gateway_customers__default_payment_method_remote_id", "gateway_customers___has_methods",
    "gateway_customers___has_prices",
)
# The customers and each of their gateway identities with its connection: one LEFT JOIN. Per identity also
# whether it has a saved payment method and whether its connection has a recurring price to subscribe to.
_IDENTITY_SQL = """
SELECT c.id, c.name, c.email, g.id, g.remote_id, g.email, g.name, g.deleted, g.connection_id, k.provider, k.name, k.status, k.settings,
  g.remote_created_at, g.coupon_remote_id, g.default_payment_method_remote_id,
  EXISTS(SELECT 1 FROM billing_paymentmethod p WHERE p.gateway_customer_id = g.id),
  EXISTS(SELECT 1 FROM billing_price r WHERE r.connection_id = g.connection_id AND r.active = %s AND NOT (r.interval = %s))
FROM billing_customer c
LEFT JOIN billing_gatewaycustomer g ON g.customer_id = c.id AND g.workspace_id = c.workspace_id
LEFT JOIN connections_connection k ON k.id = g.connection_id
WHERE c.workspace_id = %s AND c.id IN ({customers})
ORDER BY c.id, g.id
"""
# The customers any of these emails identifies (the identifier index), as the IN list of the statement above.
_BY_EMAILS = "SELECT i.customer_id FROM billing_customeridentifier i WHERE i.workspace_id = %s AND i.kind = %s AND i.value IN ({emails})"

_IDENTITY_PARAMS = (True, "")  # active prices, with an interval (recurring)

_RECENT = "{t}.remote_created_at DESC NULLS LAST, {t}.id DESC"


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


_BIGINT = range(-(2**63), 2**63)  # ids outside it match no row (and the databases refuse them as parameters)


class _Section:
    """One section's statement in parts: the columns as the ORM names them, the SELECT list, FROM/WHERE with
    the owners' ids as {owners} (gateway customer ids; customer ids for the audit trail), ORDER BY; the
    parameters of the SELECT list, of the WHERE clause after the owners, and of ORDER BY (a function of
    the view context); the columns to convert to aware datetimes and to bools."""

    def __init__(self, columns, select, source, order, *, select_params=(), where_params=(), order_params=None,
                 datetimes=(), booleans=()):
        self.columns, self.select, self.source, self.order = columns, select, source, order
        self.select_params, self.where_params = select_params, where_params
        self.order_params = order_params or (lambda ctx: ())
        self.datetimes, self.booleans = datetimes, booleans


def _failed_since(ctx):
    return _db_datetime(ctx.now - dt.timedelta(days=FAILED_RECENT_DAYS))


_BASE = ("id", "connection_id", "remote_id", "remote_created_at")

SECTION_SQL = {
    "charges": _Section(
        (*_BASE, "status", "amount", "currency", "amount_captured", "amount_refunded", "description", "failure_code",
         "failure_message", "receipt_url", "_disputed"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.status, x.amount, x.currency, x.amount_captured, "
        "x.amount_refunded, x.description, x.failure_code, x.failure_message, x.receipt_url, "
        f"EXISTS(SELECT 1 FROM billing_dispute d WHERE d.charge_id = x.id AND d.status IN ({_marks(len(OPEN_DISPUTES))}))",
        "FROM billing_charge x WHERE x.workspace_id = %s AND x.gateway_customer_id IN ({owners})",
        # Recent failed payments first (what the customer is writing about), then the newest.
        "CASE WHEN x.remote_created_at >= %s AND x.status = %s THEN 0 ELSE 1 END, " + _RECENT.format(t="x"),
        select_params=OPEN_DISPUTES, order_params=lambda ctx: (_failed_since(ctx), CS.FAILED),
        datetimes=("remote_created_at",), booleans=("_disputed",),
    ),
    "refunds": _Section(
        (*_BASE, "status", "amount", "currency", "reason", "charge_remote_id"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.status, x.amount, x.currency, x.reason, x.charge_remote_id",
        "FROM billing_refund x INNER JOIN billing_charge c ON x.charge_id = c.id "
        "WHERE x.workspace_id = %s AND c.gateway_customer_id IN ({owners})",
        _RECENT.format(t="x"), datetimes=("remote_created_at",),
    ),
    "subscriptions": _Section(
        (*_BASE, "status", "plan_name", "amount", "currency", "interval", "interval_count", "quantity", "current_period_end",
         "cancel_at_period_end", "canceled_at", "trial_end"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.status, x.plan_name, x.amount, x.currency, x.interval, "
        "x.interval_count, x.quantity, x.current_period_end, x.cancel_at_period_end, x.canceled_at, x.trial_end",
        "FROM billing_subscription x WHERE x.workspace_id = %s AND x.gateway_customer_id IN ({owners})",
        f"CASE WHEN x.status IN ({_marks(len(TROUBLED_SUBSCRIPTIONS))}) THEN 0 WHEN x.status = %s THEN 2 ELSE 1 END, "
        + _RECENT.format(t="x"),
        order_params=lambda ctx: (*TROUBLED_SUBSCRIPTIONS, SS.CANCELED),
        datetimes=("remote_created_at", "current_period_end", "canceled_at", "trial_end"), booleans=("cancel_at_period_end",),
    ),
    "invoices": _Section(
        (*_BASE, "status", "number", "currency", "total", "amount_remaining", "hosted_url", "pdf_url", "due_at"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.status, x.number, x.currency, x.total, "
        "x.amount_remaining, x.hosted_url, x.pdf_url, x.due_at",
        "FROM billing_invoice x WHERE x.workspace_id = %s AND x.gateway_customer_id IN ({owners})",
        "CASE WHEN x.status = %s THEN 0 WHEN x.status = %s THEN 1 ELSE 2 END, " + _RECENT.format(t="x"),
        order_params=lambda ctx: (IS.OPEN, IS.DRAFT), datetimes=("remote_created_at", "due_at"),
    ),
    "disputes": _Section(
        (*_BASE, "status", "amount", "currency", "reason", "evidence_due_by", "charge_remote_id"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.status, x.amount, x.currency, x.reason, "
        "x.evidence_due_by, x.charge_remote_id",
        "FROM billing_dispute x INNER JOIN billing_charge c ON x.charge_id = c.id "
        "WHERE x.workspace_id = %s AND c.gateway_customer_id IN ({owners})",
        f"CASE WHEN x.status IN ({_marks(len(OPEN_DISPUTES))}) THEN 0 ELSE 1 END, x.evidence_due_by ASC NULLS LAST, "
        + _RECENT.format(t="x"),
        order_params=lambda ctx: OPEN_DISPUTES, datetimes=("remote_created_at", "evidence_due_by"),
    ),
    "payment_methods": _Section(
        (*_BASE, "type", "brand", "last4", "exp_month", "exp_year", "wallet", "_rank"),
        # _rank 0: the gateway customer's default method, listed first.
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.type, x.brand, x.last4, x.exp_month, x.exp_year, "
        "x.wallet, CASE WHEN g.default_payment_method_remote_id = x.remote_id THEN 0 ELSE 1 END",
        "FROM billing_paymentmethod x LEFT JOIN billing_gatewaycustomer g ON x.gateway_customer_id = g.id "
        "WHERE x.workspace_id = %s AND x.gateway_customer_id IN ({owners})",
        "CASE WHEN g.default_payment_method_remote_id = x.remote_id THEN 0 ELSE 1 END, " + _RECENT.format(t="x"),
        datetimes=("remote_created_at",),
    ),
    "tax_ids": _Section(
        (*_BASE, "type", "value", "country", "verification_status"),
        "x.id, x.connection_id, x.remote_id, x.remote_created_at, x.type, x.value, x.country, x.verification_status",
        "FROM billing_taxid x WHERE x.workspace_id = %s AND x.gateway_customer_id IN ({owners})",
        _RECENT.format(t="x"), datetimes=("remote_created_at",),
    ),
    # "requested" rows are the first half of every action; the outcome row says what happened.
    "recent_actions": _Section(
        ("id", "seq", "at", "member_id", "actor", "event", "action", "target", "amount", "currency", "reason", "outcome"),
        "x.id, x.seq, x.at, x.member_id, x.actor, x.event, x.action, x.target, x.amount, x.currency, x.reason, x.outcome",
        "FROM actions_auditevent x WHERE x.workspace_id = %s AND x.customer_id IN ({owners}) AND NOT (x.event = %s)",
        "x.seq DESC", where_params=("requested",), datetimes=("at",),
    ),
}

# How many rows each section holds, and the charge totals per currency: one statement, one branch per
# section asked for. Charges answer one row per currency (count, paid, refunded, recent failures); the
# others one row with their count.
_CHARGE_SUMMARY = (
    "SELECT 'charges', x.currency, COUNT(*), "
    f"SUM(CASE WHEN x.status IN ({_marks(len(PAID))}) THEN x.amount_captured END), "
    f"SUM(CASE WHEN x.status IN ({_marks(len(PAID))}) THEN x.amount_refunded END), "
    "COUNT(CASE WHEN x.status = %s AND x.remote_created_at >= %s THEN 1 END) "
    "{source} GROUP BY x.currency"
)


# --- running them --------------------------------------------------------------------------------------

def _db():
    # The connection itself: `django.db.connection` is a proxy that looks it up again on every attribute.
    return connections[DEFAULT_DB_ALIAS]


def _aware(value):
    """A datetime as the ORM answers it: SQLite gives naive UTC datetimes (or text for computed columns)."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    return timezone.make_aware(value, _db().timezone)


def _db_datetime(value: dt.datetime):
    return _db().ops.adapt_datetimefield_value(value)


def _fetch(sql: str, params: list) -> list[tuple]:
    db = _db()
    if db.vendor == "postgresql" and not db.queries_logged and getattr(settings, "CHARGESIDE_PREPARED_VIEW_QUERIES", True):
        # One preparing cursor per database connection, reused: a new one through Django's wrapper per statement
        # cost about as much CPU as running the statement. (With query logging on, e.g. in tests counting
        # queries, the logged path below runs instead.)
        cursor = _reused_cursor(db)
        with db.wrap_database_errors:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _reused_cursor(db):
    db.close_if_health_check_failed()
    db.ensure_connection()
    cursor = getattr(db, "_chargeside_view_cursor", None)
    if cursor is None or cursor.closed or cursor.connection is not db.connection:
        if db.connection.prepare_threshold is None:
            db.connection.prepare_threshold = _NEVER_BY_COUNT  # see _cursor()
        cursor = db._chargeside_view_cursor = _preparing_cursor_class()(db.connection)
    return cursor


def _bigints(params: list) -> list:
    """psycopg sends a small int as int2, a larger one as int4: one statement would be prepared (and planned)
    once per combination. As int8 (what the id columns are) it is one statement."""
    from psycopg.types.numeric import Int8

    return [Int8(value) if type(value) is int else value for value in params]


def _cursor():
    db = _db()
    if db.vendor != "postgresql" or not getattr(settings, "CHARGESIDE_PREPARED_VIEW_QUERIES", True):
        return db.cursor()
    # What connection.cursor() does, with a cursor that prepares what it runs (see the module docstring).
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        if db.connection.prepare_threshold is None:
            # Django turns preparing off (None) for poolers' sake; a huge threshold keeps it off for every
            # other cursor (client-side binding never prepares anyway) while prepare=True works here.
            db.connection.prepare_threshold = _NEVER_BY_COUNT
        raw = _preparing_cursor_class()(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


_NEVER_BY_COUNT = 2**31 - 1


@cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            params = _bigints(params) if params else params
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

    return PreparingCursor


def identity_rows(workspace_id: int, customer_ids: Iterable[int]) -> list[dict]:
    """The customers (of this workspace) with these ids and each of their gateway identities."""
    ids = [int(i) for i in customer_ids if int(i) in _BIGINT]
    if not ids:
        return []
    return _identity(_IDENTITY_SQL.format(customers=_marks(len(ids))), [*_IDENTITY_PARAMS, workspace_id, *ids])


def identity_rows_for_emails(workspace_id: int, emails: Iterable[str]) -> list[dict]:
    """The customers one of these (normalised) emails identifies, and their gateway identities, at once."""
    emails = list(emails)
    if not emails:
        return []
    customers = _BY_EMAILS.format(emails=_marks(len(emails)))
    return _identity(_IDENTITY_SQL.format(customers=customers),
                     [*_IDENTITY_PARAMS, workspace_id, workspace_id, CustomerIdentifier.Kind.EMAIL, *emails])


def _identity(sql: str, params: list) -> list[dict]:
    rows = [dict(zip(_IDENTITY_COLUMNS, row, strict=True)) for row in _fetch(sql, params)]
    for row in rows:
        if row["gateway_customers__id"] is not None:
            row["gateway_customers__remote_created_at"] = _aware(row["gateway_customers__remote_created_at"])
            if isinstance(settings := row["gateway_customers__connection__settings"], str):  # SQLite: JSON text
                row["gateway_customers__connection__settings"] = json.loads(settings)
            for column in ("deleted", "_has_methods", "_has_prices"):
                row[f"gateway_customers__{column}"] = bool(row[f"gateway_customers__{column}"])
    return rows


def account_rows(ctx) -> list[dict]:
    """The gateway accounts of the view (`ctx.only_id`: just that one), oldest first, keyed like the ORM's
    GatewayCustomer values() (connection__name, _has_methods, _has_prices, ...). Read from the identity rows
    the context was built from: no query of its own."""
    rows = []
    for identity in ctx.identities:
        account_id = identity["gateway_customers__id"]
        if account_id is None or (ctx.only_id is not None and account_id != ctx.only_id):
            continue
        rows.append({column: identity[f"gateway_customers__{column}"] for column in _ACCOUNT_COLUMNS})
    return sorted(rows, key=lambda row: row["id"])


_ACCOUNT_COLUMNS = (
    "id", "connection_id", "remote_id", "remote_created_at", "email", "name", "deleted", "coupon_remote_id",
    "default_payment_method_remote_id", "connection__name", "_has_methods", "_has_prices",
)


def _owners(ctx, name: str) -> tuple[int, ...]:
    return ctx.customer_ids if name == "recent_actions" else ctx.gateway_customer_ids


def section_summary(ctx, names: Iterable[str]) -> tuple[dict[str, int], list[dict], int]:
    """(rows per section, charge totals per currency as dicts, failed payments since the alert window).
    Sections without owners are 0 without asking."""
    branches, params, counts = [], [], {}
    for name in names:
        owners = _owners(ctx, name)
        counts[name] = 0
        if not owners:
            continue
        spec = SECTION_SQL[name]
        source = spec.source.format(owners=_marks(len(owners)))
        if name == "charges":
            branches.append(_CHARGE_SUMMARY.format(source=source))
            params += [*PAID, *PAID, CS.FAILED, _failed_since(ctx)]
        else:
            branches.append(f"SELECT '{name}', NULL, COUNT(*), NULL, NULL, NULL {source}")
        params += [ctx.workspace_id, *owners, *spec.where_params]
    totals, failed = [], 0
    if branches:
        for name, currency, count, paid, refunded, recent_failures in _fetch(" UNION ALL ".join(branches), params):
            counts[name] += int(count)
            if name == "charges":
                totals.append({"currency": currency, "count": int(count), "paid": int(paid or 0), "refunded": int(refunded or 0)})
                failed += int(recent_failures)
    return counts, totals, failed


def page(ctx, name: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of a section's rows, most relevant first, and the section's total. The total comes from
    `ctx.counts` when the view counted already (an empty section then costs nothing), else from a window
    count in the same statement."""
    known = ctx.counts.get(name) if ctx.counts is not None else None
    owners = _owners(ctx, name)
    if known == 0 or not owners or (ctx.only_id is not None and ctx.only_id not in _BIGINT):
        return [], 0
    spec = SECTION_SQL[name]
    source = spec.source.format(owners=_marks(len(owners)))
    where = [ctx.workspace_id, *owners, *spec.where_params]
    if ctx.only_id is not None:
        source += " AND x.id = %s"
        where.append(ctx.only_id)
    window = ", COUNT(*) OVER ()" if known is None else ""
    # LIMIT and OFFSET are written into the text (ints): as parameters, PostgreSQL's generic plan for the
    # prepared statement guesses 10 % of the rows and is never chosen, so each run would be planned anew.
    sql = f"SELECT {spec.select}{window} {source} ORDER BY {spec.order} LIMIT {int(limit)} OFFSET {int(offset)}"
    rows = _fetch(sql, [*spec.select_params, *where, *spec.order_params(ctx)])
    columns = spec.columns + (("_total",) if known is None else ())
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    for row in found:
        for column in spec.datetimes:
            row[column] = _aware(row[column])
        for column in spec.booleans:
            row[column] = bool(row[column])
    if known is not None:
        return found, known
    if found:
        return found, found[0]["_total"]
    if not offset:
        return found, 0
    count = _fetch(f"SELECT COUNT(*) {source}", where)[0][0]  # past the end: the total still matters
    return found, int(count)
