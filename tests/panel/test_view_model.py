"""billing.selectors: the unified customer view, built from the local database only."""

from __future__ import annotations

import pytest

from chargeside.billing.selectors import customer_item, customer_search, customer_section, customer_view
from chargeside.billing.upsert import upsert_many
from chargeside.gateways import types as t

from .conftest import days

pytestmark = pytest.mark.django_db


def test_totals_are_per_currency_in_minor_units_and_formatted_for_the_language(workspace, ayse, agent):
    # given Ayşe paid in TRY, JPY (no decimals) and KWD (three decimals), with refunds in TRY and KWD
    # when the view is built in English and in Turkish
    english = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, language="en")
    turkish = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, language="tr")

    # then failed and authorised-only charges do not count, and each currency keeps its own exponent
    assert [(x.currency, x.paid, x.refunded, x.net, x.count) for x in english.totals] == [
        ("TRY", 173456, 20000, 153456, 4),
        ("JPY", 5000, 0, 5000, 1),
        ("KWD", 12345, 12345, 0, 1),
    ]
    assert [(x.paid_display, x.refunded_display, x.net_display) for x in english.totals] == [
        ("TRY\u00a01,734.56", "TRY\u00a0200.00", "TRY\u00a01,534.56"),
        ("¥5,000", "¥0", "¥5,000"),
        ("KWD\u00a012.345", "KWD\u00a012.345", "KWD\u00a00.000"),
    ]
    assert [x.net_display for x in turkish.totals] == ["₺1.534,56", "¥5.000", "KWD\u00a00,000"]


def test_identity_shows_names_emails_and_every_gateway_identity(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    assert view.name == "Ayşe Yılmaz"
    assert view.emails == ("ayse.yilmaz@example.com",)
    assert [(i.provider, i.connection, i.remote_id, i.deleted) for i in view.identities] == [("Stripe", "Stripe", "cus_ayse", False)]


def test_charges_put_recent_failures_first_and_say_what_can_still_be_refunded(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, language="en")

    charges = view.charges
    assert charges.total == 6 and charges.more == 1
    assert [c.remote_id for c in charges.items] == ["ch_failed", "ch_held", "ch_try_big", "ch_try_part", "ch_jpy"]
    failed, held, disputed, partial, jpy = charges.items
    assert failed.decline_reason == "The card has insufficient funds."
    assert (partial.refunded, partial.refundable, partial.refundable_display) == (20000, 30000, "TRY\u00a0300.00")
    assert (jpy.refundable, jpy.refundable_display) == (5000, "¥5,000")
    assert held.refundable == 0 and failed.refundable == 0
    assert disputed.disputed is True


def test_agent_gets_the_actions_the_state_allows(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    actions = {item.remote_id: item.actions for item in view.charges.items}
    assert actions == {
        "ch_failed": (), "ch_held": ("capture", "void"), "ch_try_big": (),  # disputed: no refund
        "ch_try_part": ("refund",), "ch_jpy": ("refund",),
    }
    assert {s.remote_id: s.actions for s in view.subscriptions.items} == {
        "sub_basic": ("subscription_cancel",), "sub_pro": ("subscription_cancel", "subscription_change"),
    }
    assert {i.remote_id: i.actions for i in view.invoices.items} == {"in_open": ("invoice_send",), "in_paid": ()}


def test_viewer_sees_no_payment_methods_no_audit_and_no_buttons(workspace, ayse, viewer):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=viewer)

    assert view.payment_methods is None and view.recent_actions is None
    assert view.can_view_payment_methods is False and view.can_view_audit is False
    assert all(item.actions == () for section in view.sections.values() for item in section.items)
    assert view.charges.total == 6  # the billing summary itself is visible


def test_finance_may_refund_but_not_change_plans(workspace, ayse, finance):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=finance)

    assert {c.remote_id: c.actions for c in view.charges.items}["ch_jpy"] == ("refund",)
    assert {s.remote_id: s.actions for s in view.subscriptions.items}["sub_pro"] == ("subscription_cancel",)


def test_no_member_means_a_read_only_view(workspace, ayse):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=None)

    assert view.payment_methods is None
    assert all(item.actions == () for item in view.charges.items)


def test_a_member_of_another_workspace_gets_no_actions(workspace, other_workspace, ayse, make_member):
    stranger = make_member(other_workspace, "owner", username="stranger")

    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=stranger)

    assert all(item.actions == () for item in view.charges.items)
    assert view.payment_methods is None


def test_payment_methods_default_first_with_expiry(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    assert [(p.brand, p.last4, p.expiry, p.expired, p.is_default) for p in view.payment_methods.items] == [
        ("visa", "4242", "12/30", False, True),
        ("mastercard", "4444", "01/20", True, False),
    ]


def test_subscriptions_invoices_and_disputes_put_trouble_first(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, language="tr")

    assert [(s.remote_id, s.status) for s in view.subscriptions.items] == [("sub_basic", "past_due"), ("sub_pro", "active")]
    basic, pro = view.subscriptions.items
    assert pro.renews_display == pro.renews_at.strftime("%d.%m.%Y") and pro.cancel_at_period_end is False
    assert basic.renews_display == ""  # past due: waiting on a failed payment, not renewing
    assert [(i.remote_id, i.overdue, i.remaining_display) for i in view.invoices.items] == [("in_open", True, "₺99,00"), ("in_paid", False, "₺0,00")]
    assert view.invoices.items[0].hosted_url == "https://pay.example.com/in_open"
    dispute = view.disputes.items[0]
    assert (dispute.remote_id, dispute.open, dispute.due_soon, dispute.reason) == ("dp_1", True, True, "mükerrer ödeme")
    assert [(r.remote_id, r.amount_display) for r in view.refunds.items] == [("re_part", "₺200,00"), ("re_kwd", "KWD\u00a012,345")]
    assert [(x.type, x.value) for x in view.tax_ids.items] == [("Vergi kimlik numarası (VKN)", "1234567890")]


def test_alerts_list_what_needs_attention_most_urgent_first(workspace, ayse, agent):
    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent, language="en")

    assert [(a.kind, a.level) for a in view.alerts] == [
        ("dispute_due", "danger"), ("failed_payment", "danger"), ("past_due", "warning"), ("open_invoice", "warning"),
    ]
    assert view.alerts[1].message == "1 failed payment in the last 30 days."
    assert view.alerts[3].message == "Invoice INV-0042 is overdue: TRY\u00a099.00 unpaid."


def test_subscription_set_to_cancel_shows_its_end_and_offers_no_second_cancel(workspace, ayse, agent, offline_connection):
    upsert_many(offline_connection, [t.SubscriptionDTO(
        remote_id="sub_pro", customer_remote_id="cus_ayse", status=t.SubscriptionStatus.ACTIVE, plan_name="Pro", amount=29900,
        currency="TRY", interval="month", current_period_end=days(20), cancel_at_period_end=True, created_at=days(-100),
    )])

    pro = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent).subscriptions.items[1]

    assert pro.renews_display == "" and pro.ends_display != ""
    assert "subscription_cancel" not in pro.actions


def test_query_count_is_bounded_whatever_the_customer_size(workspace, ayse, agent, offline_connection, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    upsert_many(offline_connection, [
        t.ChargeDTO(remote_id=f"ch_bulk_{n}", customer_remote_id="cus_ayse", amount=100 + n, currency="EUR",
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=100 + n, created_at=days(-50 - n))
        for n in range(60)
    ])
    with django_assert_max_num_queries(10):
        view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)
    assert view.charges.total == 66
    assert [x.currency for x in view.totals] == ["EUR", "TRY", "JPY", "KWD"]
    assert view.totals[0].paid == sum(100 + n for n in range(60))


def test_show_more_pages_through_a_section(workspace, ayse, agent):
    second = customer_section(workspace=workspace, customer_ids=[ayse.id], section="charges", member=agent, offset=5, limit=5)

    assert second.total == 6 and [c.remote_id for c in second.items] == ["ch_kwd"]
    assert customer_section(workspace=workspace, customer_ids=[ayse.id], section="payment_methods", member=None) is None
    assert customer_section(workspace=workspace, customer_ids=[ayse.id], section="nonsense", member=agent) is None


def test_one_item_is_found_only_among_the_customers_own(workspace, ayse, agent, offline_connection):
    from chargeside.billing.models import Charge

    charge = Charge.objects.get(remote_id="ch_jpy")
    upsert_many(offline_connection, [
        t.CustomerDTO(remote_id="cus_other", email="other@example.com", name="Other"),
        t.ChargeDTO(remote_id="ch_other", customer_remote_id="cus_other", amount=100, currency="EUR",
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=100),
    ])
    foreign = Charge.objects.get(remote_id="ch_other")

    found = customer_item(workspace=workspace, customer_ids=[ayse.id], kind="charge", item_id=charge.id, member=agent)
    assert (found.remote_id, found.actions) == ("ch_jpy", ("refund",))
    assert customer_item(workspace=workspace, customer_ids=[ayse.id], kind="charge", item_id=foreign.id, member=agent) is None


def test_another_workspace_sees_nothing_of_this_customer(other_workspace, ayse):
    view = customer_view(workspace=other_workspace, customer_ids=[ayse.id])

    assert view.customer_ids == () and view.totals == () and view.charges.total == 0


def test_recent_actions_come_from_the_audit_trail_with_outcomes_only(workspace, ayse, agent, admin):
    from chargeside.actions.audit import audit_append

    audit_append(workspace=workspace, event="requested", member=admin, action="refund", customer=ayse, target="stripe:ch_jpy",
                 amount=1000, currency="JPY", reason="duplicate", outcome="pending")
    audit_append(workspace=workspace, event="succeeded", member=admin, action="refund", customer=ayse, target="stripe:ch_jpy",
                 amount=1000, currency="JPY", reason="duplicate", outcome="succeeded")

    view = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent)

    assert [(a.event, a.actor, a.by_me, a.remote_id, a.amount_display, a.reason) for a in view.recent_actions.items] == [
        ("succeeded", "Acme-Admin", False, "ch_jpy", "¥1,000", "duplicate"),
    ]


def test_search_by_email_last4_remote_id_and_name(workspace, ayse):
    assert [c.id for c in customer_search(workspace, "AYSE.yilmaz@example.com")] == [ayse.id]
    assert [c.id for c in customer_search(workspace, "4444")] == [ayse.id]
    assert [c.id for c in customer_search(workspace, "ch_try_part")] == [ayse.id]
    assert [c.id for c in customer_search(workspace, "dp_1")] == []  # too short to be an id, and no name starts so
    assert [c.id for c in customer_search(workspace, "ayşe")] == [ayse.id]
    assert customer_search(workspace, "nobody@example.com") == []
    assert customer_search(workspace, "") == []


def test_search_never_crosses_workspaces(other_workspace, ayse):
    assert customer_search(other_workspace, "ayse.yilmaz@example.com") == []
    assert customer_search(other_workspace, "ch_try_part") == []
    assert customer_search(other_workspace, "4242") == []


def test_only_web_links_from_the_gateway_become_links(workspace, ayse, agent, offline_connection):
    upsert_many(offline_connection, [t.InvoiceDTO(
        remote_id="in_open", customer_remote_id="cus_ayse", status=t.InvoiceStatus.OPEN, currency="TRY", total=9900,
        amount_remaining=9900, number="INV-0042", hosted_url="javascript:alert(1)", pdf_url="https://pay.example.com/in.pdf",
        created_at=days(-8),
    )])

    invoice = customer_view(workspace=workspace, customer_ids=[ayse.id], member=agent).invoices.items[0]

    assert (invoice.hosted_url, invoice.pdf_url) == ("", "https://pay.example.com/in.pdf")
