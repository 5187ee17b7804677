"""What ingest remembers: every webhook delivery as received, the events applied, and sync progress.

`WebhookDelivery` is also the work queue: the webhook view writes a row per request and the pipeline
claims pending rows in batches (one django.tasks task per batch, never one per webhook). `next_attempt_at`
serves both as the retry backoff and as the claim lease, so a worker that dies mid-batch only delays its
rows until the lease runs out.
"""

from __future__ import annotations

from django.db import connections, models, router
from django.utils import timezone

from chargeside.connections.models import Connection
from chargeside.workspaces.models import Workspace


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # verified, waiting for (or between attempts of) processing
        PROCESSED = "processed"
        REJECTED = "rejected"  # failed verification or unreadable: never processed
        IGNORED = "ignored"  # verified, but only event types we do not act on
        FAILED = "failed"  # gave up after the last attempt; reconcile repairs what it carried

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="webhook_deliveries")
    received_at = models.DateTimeField(default=timezone.now)
    body = models.BinaryField()  # the request body byte for byte: signatures are over these bytes
    headers = models.JSONField(default=dict)  # selected headers; never Authorization, cookies or secrets
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(max_length=300, blank=True, default="")
    error = models.TextField(blank=True, default="")  # last processing error (redacted)
    event_ids = models.JSONField(default=list, blank=True)
    event_types = models.JSONField(default=list, blank=True)
    events_applied = models.PositiveIntegerField(default=0)  # 0 for a duplicate delivery
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_queue"),
            models.Index(fields=["connection", "-received_at"], name="delivery_by_connection"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"

    @classmethod
    def insert(cls, **values) -> None:
        """Write one row with a single INSERT, bypassing model instances: the webhook endpoint's hot path
        (measured on SQLite: ~0.2 ms against ~0.7 ms for `objects.create`). Values are keyed by column
        attribute (`connection_id`); each field prepares its own value exactly as save() would, and fields
        not given get their defaults. A datetime given for two fields is prepared once, and None, "" and 0 once
        per process. On PostgreSQL the parameters are bound by the server (see `_server_binding_cursor`)."""
        db = connections[router.db_for_write(cls)]
        statement = _insert_statement(cls, db)
        unknown = values.keys() - statement.attnames
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(unknown))}")
        prepared: dict[tuple, object] = {}
        params = []
        for field in statement.fields:
            value = values[field.attname] if field.attname in values else field.get_default()
            params.append(statement.prepare(field, value, db, prepared))
        if db.vendor == "postgresql":
            with db.wrap_database_errors:
                _server_binding_cursor(db).execute(statement.sql, params)
            return
        with db.cursor() as cursor:
            cursor.execute(statement.sql, params)

    @property
    def body_text(self) -> str:
        """The body for people to read (undecodable bytes shown as �); `body` stays the record."""
        return bytes(self.body).decode("utf-8", errors="replace")


def _server_binding_cursor(db):
    """A psycopg cursor that sends the parameters apart from the statement, kept for the life of the database
    connection. Django's default binds them on the client: quoting the body into the SQL text was a fifth of
    a webhook worker's CPU, and PostgreSQL then parses a literal twice the body's size. A new cursor per row
    through Django's wrapper (health check, thread check, wrapper objects) cost as much again as the INSERT
    itself, so this one is reused; database errors are still Django's (`wrap_database_errors` at the call)
    but the statement is not added to `connection.queries`. Statements are prepared only if the connection's
    `prepare_threshold` says so (Django's default: never, which keeps connection poolers working)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    cursor = getattr(db, "_chargeside_insert_cursor", None)
    if cursor is None or cursor.closed or cursor.connection is not db.connection:
        cursor = db._chargeside_insert_cursor = ServerBindingCursor(db.connection)
    return cursor


class _InsertStatement:
    """A model's INSERT for one database vendor (quoting differs), and the values of its fields that are the
    same in every row prepared once: None, "" and 0 (what most deliveries carry in several columns)."""

    def __init__(self, model, db):
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.attnames = frozenset(field.attname for field in self.fields)
        columns = ", ".join(db.ops.quote_name(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        self._constants: dict[tuple, object] = {}

    def prepare(self, field, value, db, prepared: dict):
        if value is None or (type(value) in (str, int) and not value):  # exactly None, "" or 0 (not False)
            key = (field.attname, value)
            if key not in self._constants:
                self._constants[key] = field.get_db_prep_save(value, connection=db)
            return self._constants[key]
        if type(field) is models.DateTimeField:  # received_at and next_attempt_at are the same `now`
            key = id(value)
            if key not in prepared:
                prepared[key] = (value, field.get_db_prep_save(value, connection=db))  # holding value keeps its id
            return prepared[key][1]
        return field.get_db_prep_save(value, connection=db)


_insert_statements: dict[tuple[type, str], _InsertStatement] = {}


def _insert_statement(model, db) -> _InsertStatement:
    """The INSERT statement of a model, built once per database vendor."""
    key = (model, db.vendor)
    if key not in _insert_statements:
        _insert_statements[key] = _InsertStatement(model, db)
    return _insert_statements[key]


class ProcessedEvent(models.Model):
    """One row per provider event applied: the dedupe key for retried and duplicated deliveries."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, blank=True, default="")
    remote_id = models.CharField(max_length=128, blank=True, default="")
    occurred_at = models.DateTimeField(null=True, blank=True)
    delivery = models.ForeignKey(WebhookDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "event_id"], name="processed_event_once")]
        # "What is the newest event already applied to this object?" (see resolve.py)
        indexes = [models.Index(fields=["connection", "remote_id"], name="processed_event_by_object")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class SyncCursor(models.Model):
    """Where the backfill of one kind stands, stored after every page so an interrupted run resumes."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_cursors")
    kind = models.CharField(max_length=32)
    cursor = models.TextField(blank=True, default="")  # "" with done=False: not started
    done = models.BooleanField(default=False)
    objects_synced = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "kind"], name="sync_cursor_per_kind")]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.kind} {'done' if self.done else self.cursor or 'start'}"


class SyncRun(models.Model):
    """One backfill or reconcile run of a connection, for the console's sync status."""

    class Mode(models.TextChoices):
        BACKFILL = "backfill"
        RECONCILE = "reconcile"

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        INTERRUPTED = "interrupted"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    kinds = models.JSONField(default=list)
    objects_synced = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # kind → objects written in this run
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["connection", "-started_at"], name="syncrun_by_connection")]

    def __str__(self) -> str:
        return f"{self.mode} {self.connection_id} {self.status}"

    def finish(self, status: str, error: str = "") -> None:
        from chargeside.core.redaction import redact

        self.status = status
        self.error = redact(error)[:2000]
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at", "objects_synced", "pages", "counts"])


class ScheduledJob(models.Model):
    """When a periodic job is next due. Several `chargeside worker` processes share it: the one whose
    conditional update moves `next_run_at` forward runs the job, the others skip that round."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
