"""Refuse UPDATE and DELETE on the audit trail inside the database itself, on PostgreSQL and SQLite.

The application never updates or deletes audit rows; these triggers make sure nothing else connected
with the application's credentials does either. The hash chain catches what a superuser might still do.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION chargeside_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'actions_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER actions_auditevent_append_only
    BEFORE UPDATE OR DELETE ON actions_auditevent
    FOR EACH ROW EXECUTE FUNCTION chargeside_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS actions_auditevent_append_only ON actions_auditevent;
DROP FUNCTION IF EXISTS chargeside_audit_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER actions_auditevent_no_update BEFORE UPDATE ON actions_auditevent
       BEGIN SELECT RAISE(ABORT, 'actions_auditevent is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER actions_auditevent_no_delete BEFORE DELETE ON actions_auditevent
       BEGIN SELECT RAISE(ABORT, 'actions_auditevent is append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS actions_auditevent_no_update;", "DROP TRIGGER IF EXISTS actions_auditevent_no_delete;"]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [PG_UP], "sqlite": SQLITE_UP}),
            _run({"postgresql": [PG_DOWN], "sqlite": SQLITE_DOWN}),
        )
    ]
