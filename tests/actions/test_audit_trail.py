"""The audit trail: hash chain, first broken link on tampering, append-only triggers, verify/export commands."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from chargeside.actions.audit import audit_append, audit_verify
from chargeside.actions.models import AuditEvent


def _entries(workspace, member, n):
    return [
        audit_append(workspace=workspace, event="requested", member=member, action="refund", target=f"stripe:ch_{i}",
                     amount=100 * i, currency="EUR", reason=f"reason {i}", outcome="pending")
        for i in range(1, n + 1)
    ]


def _disable_append_only_triggers():
    # Only for simulating an attacker with DDL rights; the test transaction rolls this back.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while deferred FK checks are pending
            cursor.execute("ALTER TABLE actions_auditevent DISABLE TRIGGER actions_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER actions_auditevent_no_update")
            cursor.execute("DROP TRIGGER actions_auditevent_no_delete")


def test_chain_of_appended_entries_verifies(workspace, agent):
    _entries(workspace, agent, 5)
    report = audit_verify(workspace)
    assert (report.checked, report.broken_at_seq, report.problem) == (5, None, "")


def test_each_workspace_has_its_own_chain(workspace, other_workspace, agent, make_member):
    _entries(workspace, agent, 3)
    other = make_member(other_workspace, "agent")
    entry = _entries(other_workspace, other, 1)[0]
    assert entry.seq == 1
    assert entry.prev_hash == "0" * 64
    assert audit_verify(other_workspace).checked == 1


def test_changed_amount_is_reported_at_its_entry(workspace, agent):
    _entries(workspace, agent, 5)
    _disable_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_auditevent SET amount = 1 WHERE workspace_id = %s AND seq = 3", [workspace.id])
    report = audit_verify(workspace)
    assert (report.broken_at_seq, report.checked, report.problem) == (3, 2, "entry content does not match its hash")


def test_deleted_entry_is_reported_as_missing(workspace, agent):
    _entries(workspace, agent, 5)
    _disable_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM actions_auditevent WHERE workspace_id = %s AND seq = 4", [workspace.id])
    report = audit_verify(workspace)
    assert (report.broken_at_seq, report.problem) == (4, "entry 4 is missing")


def test_forged_row_with_recomputed_hash_breaks_the_next_link(workspace, agent):
    entries = _entries(workspace, agent, 4)
    _disable_append_only_triggers()
    # The forger rewrites entry 2 and even recomputes its hash; entry 3 still links to the old hash.
    from chargeside.actions.audit import _digest

    forged = AuditEvent.objects.get(pk=entries[1].pk)
    forged.reason = "nothing to see"
    new_hash = _digest(forged.prev_hash, forged)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_auditevent SET reason = %s, hash = %s WHERE id = %s", ["nothing to see", new_hash, forged.pk])
    report = audit_verify(workspace)
    assert (report.broken_at_seq, report.problem) == (3, "link to the previous entry does not match")


def test_inserted_row_at_the_end_is_caught_by_the_head(workspace, agent):
    last = _entries(workspace, agent, 2)[-1]
    _disable_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO actions_auditevent (workspace_id, seq, at, actor, event, action, target, reason, ticket_url, outcome, "
            "detail, prev_hash, hash, currency) VALUES (%s, 3, %s, 'x', 'succeeded', 'refund', '', '', '', '', '{}', %s, %s, '')",
            [workspace.id, last.at, last.hash, "f" * 64],
        )
    report = audit_verify(workspace)
    assert report.broken_at_seq == 3


def test_orm_update_and_delete_are_refused(workspace, agent):
    entry = _entries(workspace, agent, 1)[0]
    entry.reason = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


def test_queryset_update_and_delete_are_refused_by_the_database(workspace, agent):
    _entries(workspace, agent, 2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(workspace=workspace).update(reason="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(workspace=workspace).delete()
    assert list(AuditEvent.objects.filter(workspace=workspace).order_by("seq").values_list("reason", flat=True)) == ["reason 1", "reason 2"]


def test_raw_sql_update_and_delete_are_refused_by_the_database(workspace, agent):
    _entries(workspace, agent, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE actions_auditevent SET amount = 0")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM actions_auditevent")
    assert AuditEvent.objects.filter(workspace=workspace).count() == 1
    assert audit_verify(workspace).broken_at_seq is None


def test_verify_command_reports_each_workspace(workspace, other_workspace, agent):
    _entries(workspace, agent, 2)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().splitlines() == ["acme: intact (2 entries)", "globex: intact (0 entries)"]


def test_verify_command_exits_1_and_names_the_first_broken_entry(workspace, other_workspace, agent):
    _entries(workspace, agent, 3)
    _disable_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_auditevent SET actor = 'someone else' WHERE workspace_id = %s AND seq = 2", [workspace.id])
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=out)
    assert failure.value.returncode == 1
    assert out.getvalue().splitlines() == [
        "acme: BROKEN at entry 2: entry content does not match its hash (entries before it verified: 1)",
        "globex: intact (0 entries)",
    ]


def test_verify_command_for_an_unknown_workspace_is_an_error(db):
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        call_command("audit", "verify", "--workspace", "nope")


def test_export_writes_filtered_csv(workspace, agent, admin, tmp_path):
    _entries(workspace, agent, 2)
    audit_append(workspace=workspace, event="approved", member=admin, action="refund", target="stripe:ch_1", amount=100,
                 currency="KWD", reason="=HYPERLINK(\"http://evil\")", outcome="approved", detail={"request_id": "req_9"})
    path = tmp_path / "audit.csv"
    call_command("audit", "export", "--workspace", "acme", "--csv", str(path), "--member", "acme-admin", stdout=io.StringIO())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 1
    row = rows[0]
    assert (row["seq"], row["event"], row["member"], row["amount_minor"], row["amount"], row["currency"]) == (
        "3", "approved", "acme-admin", "100", "0.100", "KWD")
    assert row["reason"] == "'=HYPERLINK(\"http://evil\")"
    assert row["gateway_request_id"] == "req_9"


def test_export_filters_by_event_and_action(workspace, agent, tmp_path):
    _entries(workspace, agent, 2)
    audit_append(workspace=workspace, event="merged", member=agent, action="customer_merge", outcome="succeeded")
    path = tmp_path / "audit.csv"
    call_command("audit", "export", "--workspace", "acme", "--csv", str(path), "--event", "requested", "--action", "refund",
                 "--since", "2000-01-01", stdout=io.StringIO())
    assert [row["seq"] for row in csv.DictReader(path.open(encoding="utf-8"))] == ["1", "2"]
    call_command("audit", "export", "--workspace", "acme", "--csv", str(path), "--until", "2000-01-01", stdout=io.StringIO())
    assert list(csv.DictReader(path.open(encoding="utf-8"))) == []


def test_export_refuses_a_bad_date(workspace, tmp_path):
    with pytest.raises(CommandError, match="not a date"):
        call_command("audit", "export", "--workspace", "acme", "--csv", str(tmp_path / "x.csv"), "--since", "yesterday")


def test_export_to_standard_output(workspace, agent):
    _entries(workspace, agent, 2)
    out = io.StringIO()
    call_command("audit", "export", "--workspace", "acme", "--csv", "-", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["seq"], row["target"], row["amount"]) for row in rows] == [("1", "stripe:ch_1", "1.00"), ("2", "stripe:ch_2", "2.00")]
