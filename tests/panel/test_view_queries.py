"""billing.view_queries: the customer view's plain-SQL reads, their round trips and the types they answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from chargeside.billing.selectors import customer_item, customer_section, customer_view, panel_view
from chargeside.billing.upsert import upsert_many
from chargeside.gateways import types as t

from .conftest import AYSE_EMAIL, days

pytestmark = pytest.mark.django_db


def test_sections_without_rows_cost_no_query(workspace, offline_connection, agent, django_assert_num_queries):
    # given a customer with one charge and nothing else
    from chargeside.billing.models import Customer

    upsert_many(offline_connection, [
        t.CustomerDTO(remote_id="cus_solo", email="solo@example.com", name="Solo"),
        t.ChargeDTO(remote_id="ch_solo", customer_remote_id="cus_solo", amount=500, currency="EUR",
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=500, created_at=days(-1)),
    ])
    solo = Customer.objects.get(workspace=workspace, email="solo@example.com")

    # when the view is built, then: identities, the one aggregate, the charges page
    with django_assert_num_queries(3):
        view = customer_view(workspace=workspace, customer_ids=[solo.id], member=agent)

    assert [c.remote_id for c in view.charges.items] == ["ch_solo"]
    assert (view.refunds.total, view.subscriptions.total, view.payment_methods.total, view.recent_actions.total) == (0, 0, 0, 0)
    assert [(x.currency, x.paid) for x in view.totals] == [("EUR", 500)]


def test_the_panel_finds_the_person_by_email_with_the_view_and_account_menu_in_one_context(
    workspace, ayse, agent, django_assert_num_queries,
):
    # identities by email (1), the aggregate (1), one page per non-empty section (7; no audit trail yet)
    with django_assert_num_queries(9):
        view, accounts = panel_view(workspace=workspace, emails=[AYSE_EMAIL], member=agent)

    assert view.customer_ids == (ayse.id,) and view.charges.total == 6
    assert [(a.kind, a.remote_id, a.connection) for a in accounts] == [("account", "cus_ayse", "Stripe")]
    assert panel_view(workspace=workspace, emails=["nobody@example.com"], member=agent) == (None, ())


def test_first_pages_equal_show_more_from_the_start(workspace, ayse, agent):
    # The view counts up front and pages without a window count; "show more" pages with one: same rows.
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, limit=3)

    for name, section in view.sections.items():
        again = customer_section(workspace=workspace, customer_ids=[ayse.id], section=name, member=agent, offset=0, limit=3)
        assert (again.total, again.items) == (section.total, section.items), name


def test_paging_past_the_end_still_tells_the_total(workspace, ayse, agent):
    page = customer_section(workspace=workspace, customer_ids=[ayse.id], section="charges", member=agent, offset=50, limit=5)

    assert (page.items, page.total) == ((), 6)


def test_rows_come_back_with_the_orm_types(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    charge = view.charges.items[0]
    assert isinstance(charge.created_at, dt.datetime) and charge.created_at.utcoffset() == dt.timedelta(0)
    assert {type(c.disputed) for c in view.charges.items} == {bool}
    assert {type(s.cancel_at_period_end) for s in view.subscriptions.items} == {bool}
    assert view.disputes.items[0].evidence_due_by.tzinfo is not None


def test_ids_no_database_integer_can_hold_match_nothing(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[2**70], member=agent)

    assert view.customer_ids == () and view.charges.total == 0
    assert customer_item(workspace=workspace, customer_ids=[ayse.id], kind="charge", item_id=2**70, member=agent) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are a PostgreSQL matter")
def test_on_postgresql_the_statements_are_prepared_unless_turned_off(workspace, ayse, agent, settings):
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    # a number of emails no other test asks with, so the statement cannot be prepared already
    def emails(count: int) -> list[str]:
        return [AYSE_EMAIL, *(f"other{n}@example.com" for n in range(count - 1))]

    settings.CHARGESIDE_PREPARED_VIEW_QUERIES = False
    before = prepared()
    assert panel_view(workspace=workspace, emails=emails(6), member=agent)[0].customer_ids == (ayse.id,)
    assert prepared() == before

    settings.CHARGESIDE_PREPARED_VIEW_QUERIES = True
    assert panel_view(workspace=workspace, emails=emails(7), member=agent)[0].customer_ids == (ayse.id,)
    assert prepared() > before
