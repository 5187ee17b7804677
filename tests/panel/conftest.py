"""Panel fixtures: a rich customer written through the one write path (upsert_many), and signed links.

`ayse` is a customer of `workspace` on a Stripe connection that points nowhere (these tests never call a
gateway); integration tests use the shared `stripe_connection` fixture and the fake instead.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.http import QueryDict
from django.utils import timezone

from chargeside.gateways import types as t

AYSE_EMAIL = "ayse.yilmaz@example.com"


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


@pytest.fixture
def offline_connection(workspace):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline"})
    connection.save()
    return connection


def ayse_dtos(name: str = "Ayşe Yılmaz") -> list:
    C = t.ChargeStatus
    return [
        t.CustomerDTO(remote_id="cus_ayse", email=AYSE_EMAIL, name=name, created_at=days(-400),
                      default_payment_method_remote_id="pm_visa"),
        t.PaymentMethodDTO(remote_id="pm_visa", customer_remote_id="cus_ayse", brand="visa", last4="4242", exp_month=12,
                           exp_year=2030, created_at=days(-300)),
        t.PaymentMethodDTO(remote_id="pm_old", customer_remote_id="cus_ayse", brand="mastercard", last4="4444", exp_month=1,
                           exp_year=2020, created_at=days(-399)),
        t.ChargeDTO(remote_id="ch_try_big", customer_remote_id="cus_ayse", amount=123456, currency="TRY", status=C.SUCCEEDED,
                    amount_captured=123456, description="Order #1001", created_at=days(-1)),
        t.ChargeDTO(remote_id="ch_try_part", customer_remote_id="cus_ayse", amount=50000, currency="TRY",
                    status=C.PARTIALLY_REFUNDED, amount_captured=50000, amount_refunded=20000, created_at=days(-10)),
        t.ChargeDTO(remote_id="ch_jpy", customer_remote_id="cus_ayse", amount=5000, currency="JPY", status=C.SUCCEEDED,
                    amount_captured=5000, created_at=days(-20)),
        t.ChargeDTO(remote_id="ch_kwd", customer_remote_id="cus_ayse", amount=12345, currency="KWD", status=C.REFUNDED,
                    amount_captured=12345, amount_refunded=12345, created_at=days(-30)),
        t.ChargeDTO(remote_id="ch_failed", customer_remote_id="cus_ayse", amount=9900, currency="TRY", status=C.FAILED,
                    failure_code="insufficient_funds", failure_message="Your card has insufficient funds.", created_at=days(-2)),
        t.ChargeDTO(remote_id="ch_held", customer_remote_id="cus_ayse", amount=7000, currency="TRY", status=C.AUTHORIZED,
                    created_at=days(-0.1)),
        t.RefundDTO(remote_id="re_part", charge_remote_id="ch_try_part", amount=20000, currency="TRY",
                    status=t.RefundStatus.SUCCEEDED, reason="requested_by_customer", created_at=days(-9)),
        t.RefundDTO(remote_id="re_kwd", charge_remote_id="ch_kwd", amount=12345, currency="KWD", status=t.RefundStatus.SUCCEEDED,
                    created_at=days(-29)),
        t.SubscriptionDTO(remote_id="sub_pro", customer_remote_id="cus_ayse", status=t.SubscriptionStatus.ACTIVE, plan_name="Pro",
                          amount=29900, currency="TRY", interval="month", current_period_start=days(-10),
                          current_period_end=days(20), created_at=days(-100)),
        t.SubscriptionDTO(remote_id="sub_basic", customer_remote_id="cus_ayse", status=t.SubscriptionStatus.PAST_DUE,
                          plan_name="Basic", amount=9900, currency="TRY", interval="month", current_period_end=days(-1),
                          created_at=days(-200)),
        t.InvoiceDTO(remote_id="in_open", customer_remote_id="cus_ayse", status=t.InvoiceStatus.OPEN, currency="TRY", total=9900,
                     amount_due=9900, amount_remaining=9900, number="INV-0042", hosted_url="https://pay.example.com/in_open",
                     due_at=days(-1), created_at=days(-8)),
        t.InvoiceDTO(remote_id="in_paid", customer_remote_id="cus_ayse", status=t.InvoiceStatus.PAID, currency="TRY", total=29900,
                     amount_paid=29900, number="INV-0041", created_at=days(-40)),
        t.DisputeDTO(remote_id="dp_1", charge_remote_id="ch_try_big", amount=123456, currency="TRY",
                     status=t.DisputeStatus.NEEDS_RESPONSE, reason="duplicate", evidence_due_by=days(2), created_at=days(-0.5)),
        t.TaxIdDTO(remote_id="txi_1", customer_remote_id="cus_ayse", type="tr_tin", value="1234567890", country="TR"),
    ]


@pytest.fixture
def ayse(offline_connection):
    from chargeside.billing.models import Customer
    from chargeside.billing.upsert import upsert_many

    upsert_many(offline_connection, ayse_dtos())
    return Customer.objects.get(workspace=offline_connection.workspace, email=AYSE_EMAIL)


def signed_query(workspace, **overrides) -> str:
    from chargeside.helpdesks.signing import panel_query

    params = {"emails": [AYSE_EMAIL], "name": "Ayşe Yılmaz", "ticket": "1042", "ticket_url": "https://desk.example.com/t/1042",
              "agent": "", "lang": "", "ttl": 600}
    params.update(overrides)
    return panel_query(workspace, **params)


def query_dict(query: str) -> QueryDict:
    return QueryDict(query)


def now() -> float:
    return time.time()


@pytest.fixture
def erasable_audit(transactional_db):
    """For live-server tests: the audit trail's append-only triggers would refuse the flush that ends a
    transactional test on SQLite, so remove this test's audit rows with the triggers briefly lifted."""
    yield
    from importlib import import_module

    from django.db import connection

    triggers = import_module("chargeside.actions.migrations.0002_audit_append_only_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in triggers.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute("DELETE FROM actions_auditevent")
            for statement in triggers.SQLITE_UP:
                cursor.execute(statement)
        else:
            cursor.execute("ALTER TABLE actions_auditevent DISABLE TRIGGER actions_auditevent_append_only")
            cursor.execute("DELETE FROM actions_auditevent")
            cursor.execute("ALTER TABLE actions_auditevent ENABLE TRIGGER actions_auditevent_append_only")
