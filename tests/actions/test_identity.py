"""customer_merge / customer_split: accounts and identifiers move, links become manual, audited, tenancy-checked."""

import pytest

from chargeside.actions.audit import audit_append, audit_verify
from chargeside.actions.base import ActionError, Forbidden, NotFoundError
from chargeside.actions.models import AuditEvent
from chargeside.billing import models as m
from chargeside.billing.identity import customer_merge, customer_split
from chargeside.billing.matching import find_customers
from chargeside.billing.upsert import upsert, upsert_many
from chargeside.connections.models import Connection
from chargeside.gateways import types as t


@pytest.fixture
def stripe(workspace):
    return Connection.objects.create(workspace=workspace, provider="stripe", name="main")


@pytest.fixture
def paypal(workspace):
    return Connection.objects.create(workspace=workspace, provider="paypal", name="main")


def _account(connection, remote_id, email, phone="", name=""):
    return upsert(connection, t.CustomerDTO(remote_id=remote_id, email=email, phone=phone, name=name))


def _identifiers(customer):
    return sorted(customer.identifiers.values_list("kind", "value"))


def test_merge_moves_accounts_and_identifiers_and_audits(workspace, agent, stripe, paypal):
    ayse = _account(stripe, "cus_1", "ayse@example.com", phone="+90 532 000 00 01").customer
    other = _account(paypal, "PAYER1", "ayse.work@example.com", name="Ayşe Y.").customer
    upsert(stripe, t.ChargeDTO(remote_id="ch_1", customer_remote_id="cus_1", amount=100, currency="EUR", status=t.ChargeStatus.SUCCEEDED))

    merged = customer_merge(member=agent, source=other, into=ayse)

    assert merged.pk == ayse.pk
    assert sorted(merged.gateway_customers.values_list("remote_id", "link")) == [("PAYER1", "manual"), ("cus_1", "manual")]
    assert _identifiers(merged) == [("email", "ayse.work@example.com"), ("email", "ayse@example.com"), ("phone", "+905320000001")]
    assert merged.name == "Ayşe Y."  # a blank field of `into` is filled from the source
    assert not m.Customer.objects.filter(pk=other.pk).exists()
    assert find_customers(workspace, emails=["ayse.work@example.com"]) == [merged]
    entry = AuditEvent.objects.get(event="merged")
    assert (entry.member, entry.customer, entry.target, entry.detail["identifiers_moved"]) == (agent, merged, f"customer:{other.pk}", 1)
    assert audit_verify(workspace).broken_at_seq is None


def test_merge_keeps_a_source_that_audit_entries_point_at(workspace, agent, stripe):
    first = _account(stripe, "cus_1", "a@example.com").customer
    second = _account(stripe, "cus_2", "b@example.com").customer
    audit_append(workspace=workspace, event="succeeded", member=agent, action="refund", customer=second)
    customer_merge(member=agent, source=second, into=first)
    shell = m.Customer.objects.get(pk=second.pk)
    assert (shell.gateway_customers.count(), shell.identifiers.count()) == (0, 0)


def test_manual_link_survives_later_syncs(agent, stripe):
    first = _account(stripe, "cus_1", "a@example.com").customer
    second = _account(stripe, "cus_2", "b@example.com").customer
    customer_merge(member=agent, source=second, into=first)
    upsert_many(stripe, [t.CustomerDTO(remote_id="cus_2", email="b@example.com", name="B again")])
    assert m.GatewayCustomer.objects.get(remote_id="cus_2").customer_id == first.pk


def test_split_gives_the_account_its_own_customer(workspace, agent, stripe, paypal):
    ayse = _account(stripe, "cus_1", "ayse@example.com").customer
    _account(paypal, "PAYER1", "AYSE@example.com")  # matched by email: same person
    _account(paypal, "PAYER2", "mehmet@example.com")
    customer_merge(member=agent, source=m.GatewayCustomer.objects.get(remote_id="PAYER2").customer, into=ayse)
    m.CustomerIdentifier.objects.create(workspace=workspace, customer=ayse, kind="desk_requester", value="zendesk:77")

    mehmet = customer_split(member=agent, gateway_customer="PAYER2")

    assert mehmet.email == "mehmet@example.com"
    assert list(mehmet.gateway_customers.values_list("remote_id", "link")) == [("PAYER2", "manual")]
    assert _identifiers(mehmet) == [("email", "mehmet@example.com")]
    assert _identifiers(ayse) == [("desk_requester", "zendesk:77"), ("email", "ayse@example.com")]
    assert find_customers(workspace, emails=["mehmet@example.com"]) == [mehmet]
    entry = AuditEvent.objects.get(event="split")
    assert (entry.customer, entry.target, entry.detail["from"]) == (mehmet, "paypal:PAYER2", ayse.pk)


def test_split_of_the_only_account_is_refused(agent, stripe):
    _account(stripe, "cus_1", "a@example.com")
    with pytest.raises(ActionError, match="only one"):
        customer_split(member=agent, gateway_customer="cus_1")


def test_merge_into_itself_is_refused(agent, stripe):
    customer = _account(stripe, "cus_1", "a@example.com").customer
    with pytest.raises(ActionError, match="into itself"):
        customer_merge(member=agent, source=customer, into=customer.pk)


def test_foreign_customer_is_not_found_and_nothing_moves(agent, stripe, other_workspace):
    mine = _account(stripe, "cus_1", "a@example.com").customer
    foreign_connection = Connection.objects.create(workspace=other_workspace, provider="stripe", name="main")
    foreign = _account(foreign_connection, "cus_9", "z@example.com").customer
    with pytest.raises(NotFoundError):
        customer_merge(member=agent, source=foreign, into=mine)
    with pytest.raises(NotFoundError):
        customer_split(member=agent, gateway_customer="cus_9")
    assert foreign.gateway_customers.get().link == "auto"
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "finance"])
def test_roles_without_customer_merge_are_refused(role, workspace, make_member, stripe):
    member = make_member(workspace, role)
    first = _account(stripe, "cus_1", "a@example.com").customer
    second = _account(stripe, "cus_2", "b@example.com").customer
    with pytest.raises(Forbidden):
        customer_merge(member=member, source=second, into=first)
    assert m.Customer.objects.filter(pk=second.pk).exists()


def test_odd_references_are_not_found(agent, stripe):
    customer = _account(stripe, "cus_1", "a@example.com").customer
    for ref in ("99999999999999999999999", "abc"):
        with pytest.raises(NotFoundError):
            customer_merge(member=agent, source=ref, into=customer)
    with pytest.raises(NotFoundError):
        customer_split(member=agent, gateway_customer="99999999999999999999999")
