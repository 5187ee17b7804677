"""upsert_many: idempotent writes, identity matching across connections, children before parents."""

import datetime as dt

import pytest

from chargeside.billing import models as m
from chargeside.billing.matching import find_customers
from chargeside.billing.upsert import upsert, upsert_many
from chargeside.connections.models import Connection
from chargeside.gateways import types as t

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _connection(workspace, provider="stripe", name="main"):
    return Connection.objects.create(workspace=workspace, provider=provider, name=name)


def _charge(remote_id, customer, amount=5000, refunded=0, status=t.ChargeStatus.SUCCEEDED, currency="EUR"):
    return t.ChargeDTO(remote_id=remote_id, customer_remote_id=customer, amount=amount, currency=currency, status=status,
                       amount_captured=amount, amount_refunded=refunded, created_at=NOW, raw={"id": remote_id})


def test_same_dto_twice_leaves_one_row(workspace):
    connection = _connection(workspace)
    customer = t.CustomerDTO(remote_id="cus_1", email="Ayse@Example.com ", name="Ayşe Yılmaz", raw={"id": "cus_1"})
    upsert(connection, customer)
    upsert(connection, customer)
    assert m.GatewayCustomer.objects.count() == 1
    assert m.Customer.objects.get().email == "ayse@example.com"


def test_update_changes_fields_and_keeps_raw(workspace):
    connection = _connection(workspace)
    upsert_many(connection, [t.CustomerDTO(remote_id="cus_1", email="a@example.com"), _charge("ch_1", "cus_1")])
    upsert(connection, _charge("ch_1", "cus_1", refunded=1200, status=t.ChargeStatus.PARTIALLY_REFUNDED))
    charge = m.Charge.objects.get(remote_id="ch_1")
    assert (charge.amount_refunded, charge.status, charge.refundable) == (1200, "partially_refunded", 3800)
    assert charge.raw == {"id": "ch_1"}


def test_same_email_on_two_gateways_is_one_customer(workspace):
    stripe, paypal = _connection(workspace, "stripe"), _connection(workspace, "paypal")
    upsert(stripe, t.CustomerDTO(remote_id="cus_1", email="same@example.com"))
    upsert(paypal, t.CustomerDTO(remote_id="PAYER1", email="SAME@example.com"))
    assert m.Customer.objects.count() == 1
    assert m.GatewayCustomer.objects.filter(customer=m.Customer.objects.get()).count() == 2


def test_same_email_in_another_workspace_is_another_customer(workspace, other_workspace):
    upsert(_connection(workspace), t.CustomerDTO(remote_id="cus_1", email="same@example.com"))
    upsert(_connection(other_workspace), t.CustomerDTO(remote_id="cus_1", email="same@example.com"))
    assert m.Customer.objects.filter(workspace=workspace).count() == 1
    assert m.Customer.objects.filter(workspace=other_workspace).count() == 1
    assert find_customers(other_workspace, emails=["same@example.com"])[0].workspace == other_workspace


def test_two_new_identities_in_one_batch_sharing_an_email_become_one_customer(workspace):
    connection = _connection(workspace)
    upsert_many(connection, [t.CustomerDTO(remote_id="cus_1", email="x@example.com"), t.CustomerDTO(remote_id="cus_2", email="x@example.com")])
    assert m.Customer.objects.count() == 1


def test_phone_and_metadata_key_match(workspace):
    workspace.identity_metadata_key = "account_id"
    workspace.save()
    a, b = _connection(workspace, "stripe"), _connection(workspace, "recurly")
    upsert(a, t.CustomerDTO(remote_id="cus_1", email="one@example.com", metadata={"account_id": "A-17"}))
    upsert(b, t.CustomerDTO(remote_id="acc_1", email="other@example.com", metadata={"account_id": "A-17"}))
    upsert(b, t.CustomerDTO(remote_id="acc_2", phone="+90 (532) 111 22 33"))
    upsert(a, t.CustomerDTO(remote_id="cus_3", phone="+905321112233"))
    assert m.Customer.objects.count() == 2


def test_charge_before_its_customer_is_linked_when_the_customer_arrives(workspace):
    connection = _connection(workspace)
    upsert(connection, _charge("ch_1", "cus_late"))
    assert m.Charge.objects.get().gateway_customer is None
    upsert(connection, t.CustomerDTO(remote_id="cus_late", email="late@example.com"))
    assert m.Charge.objects.get().gateway_customer.remote_id == "cus_late"


def test_refund_before_its_charge_is_linked_when_the_charge_arrives(workspace):
    connection = _connection(workspace)
    upsert(connection, t.RefundDTO(remote_id="re_1", charge_remote_id="ch_1", amount=100, currency="eur", status=t.RefundStatus.SUCCEEDED))
    upsert(connection, _charge("ch_1", "cus_1"))
    refund = m.Refund.objects.get()
    assert (refund.charge.remote_id, refund.currency) == ("ch_1", "EUR")


def test_unknown_dto_type_is_refused(workspace):
    with pytest.raises(TypeError):
        upsert(_connection(workspace), object())


def test_names_are_found_without_turkish_letters_or_capitals(workspace):
    from chargeside.billing.search import customer_ids_for_query

    connection = _connection(workspace)
    upsert_many(connection, [t.CustomerDTO(remote_id="cus_1", email="a@example.com", name="Ayşe Yılmaz"),
                             t.CustomerDTO(remote_id="cus_2", email="b@example.com", name="İsmail Çelik")])
    ayse, ismail = (m.GatewayCustomer.objects.get(remote_id=r).customer_id for r in ("cus_1", "cus_2"))
    assert customer_ids_for_query(workspace, "ayse") == [ayse]
    assert customer_ids_for_query(workspace, "AYŞE yıl") == [ayse]
    assert customer_ids_for_query(workspace, "ismail c") == [ismail]
    assert customer_ids_for_query(workspace, "yilmaz") == []  # prefixes of the whole name, not of each word
