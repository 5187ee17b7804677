"""The audit trail page: filters, pages, CSV export that follows the filters."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from chargeside.actions.audit import audit_append


def _entries(workspace, agent, finance, customer):
    audit_append(workspace=workspace, event="succeeded", member=agent, action="refund", customer=customer, target="stripe:ch_1",
                 amount=1250, currency="EUR", reason="=HYPERLINK(\"x\")", ticket_url="https://desk.example/t/1", outcome="succeeded")
    audit_append(workspace=workspace, event="failed", member=finance, action="capture", target="stripe:ch_2", amount=900,
                 currency="USD", reason="Card expired", outcome="failed")
    audit_append(workspace=workspace, event="rejected", member=finance, action="refund", customer=customer, target="stripe:ch_3",
                 amount=70000, currency="EUR", reason="Too much", outcome="rejected")


def test_filters_by_member_action_outcome_and_customer(login, finance, agent, ada):
    customer, _ = ada
    _entries(finance.workspace, agent, finance, customer)
    client = login(finance)
    assert client.get("/audit/?action=refund").content.decode().count("stripe:ch_") == 2
    page = client.get(f"/audit/?member={finance.pk}&outcome=failed").content.decode()
    assert "stripe:ch_2" in page and "stripe:ch_1" not in page and "stripe:ch_3" not in page
    page = client.get(f"/audit/?customer={customer.pk}&action=refund&outcome=succeeded").content.decode()
    assert "stripe:ch_1" in page and "€12.50" in page and 'href="https://desk.example/t/1"' in page


def test_date_range_is_inclusive_and_bad_dates_are_explained(login, finance, agent, ada):
    customer, _ = ada
    _entries(finance.workspace, agent, finance, customer)
    today = timezone.now().date()
    client = login(finance)
    assert client.get(f"/audit/?from={today}&to={today}").content.decode().count("stripe:ch_") == 3
    tomorrow = today + dt.timedelta(days=1)
    assert "No entries match." in client.get(f"/audit/?from={tomorrow}").content.decode()
    response = client.get("/audit/?from=27/11/2026")
    assert response.status_code == 200
    assert "from: must be a date like 2026-11-27" in response.content.decode()


def test_pages_hold_fifty_entries(login, finance):
    for n in range(55):
        audit_append(workspace=finance.workspace, event="note", member=finance, target=f"t:{n}", outcome="succeeded")
    client = login(finance)
    first = client.get("/audit/").content.decode()
    second = client.get("/audit/?page=2").content.decode()
    assert "Page 1 of 2 (55 entries)" in first
    assert "t:54" in first and "t:4<" not in first
    assert "t:4<" in second and "t:5<" not in second


def test_csv_export_respects_filters_and_neutralises_formulas(login, finance, agent, ada):
    customer, _ = ada
    _entries(finance.workspace, agent, finance, customer)
    response = login(finance).get("/audit/export.csv?action=refund")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["seq", "at", "actor", "event", "action", "outcome", "target", "customer_id", "customer", "amount_minor",
                       "currency", "reason", "ticket_url", "hash"]
    assert [(r[0], r[2], r[4], r[5], r[6], r[9], r[10], r[11]) for r in rows[1:]] == [
        ("3", "Acme-Finance", "refund", "rejected", "stripe:ch_3", "70000", "EUR", "Too much"),
        ("1", "Acme-Agent", "refund", "succeeded", "stripe:ch_1", "1250", "EUR", "'=HYPERLINK(\"x\")"),
    ]
    assert rows[2][7] == str(customer.pk) and rows[2][8] == "Ada Lovelace"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-acme-')


def test_javascript_ticket_links_are_not_rendered_as_links(login, finance):
    audit_append(workspace=finance.workspace, event="note", member=finance, ticket_url="javascript:alert(1)", outcome="succeeded",
                 reason="<script>alert(2)</script>")
    page = login(finance).get("/audit/").content.decode()
    assert 'href="javascript:' not in page
    assert "<script>alert(2)</script>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_entry_details_are_shown_escaped(login, finance):
    audit_append(workspace=finance.workspace, event="failed", member=finance, action="refund", outcome="failed",
                 detail={"error": "<b>Card declined</b>", "request_id": "req_123"})
    page = login(finance).get("/audit/").content.decode()
    assert "<dt>request_id</dt><dd class=\"mono\">req_123</dd>" in page
    assert "&lt;b&gt;Card declined&lt;/b&gt;" in page
