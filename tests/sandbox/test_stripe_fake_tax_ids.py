"""The owner-based Tax ID API (``client.v1.tax_ids``: ``/v1/tax_ids``) next to the customer one."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def vat(client, customer):
    return client.v1.customers.tax_ids.create(customer.id, params={"type": "eu_vat", "value": "DE123456789"})


def test_retrieve_a_customers_tax_id_by_id_alone(client, customer, vat):
    got = client.v1.tax_ids.retrieve(vat.id)
    assert (got.id, got.customer, got.type, got.value, got.country) == (vat.id, customer.id, "eu_vat", "DE123456789", "DE")
    assert got.owner.to_dict() == {"account": None, "application": None, "customer": customer.id,
                                   "customer_account": None, "type": "customer"}
    assert got.verification.status == "pending"
    assert client.v1.customers.tax_ids.retrieve(customer.id, vat.id).to_dict() == got.to_dict()
    expanded = client.v1.tax_ids.retrieve(vat.id, params={"expand": ["owner.customer"]})
    assert expanded.owner.customer.email == "jenny.rosen@example.com"


def test_an_unknown_tax_id_is_a_404(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.tax_ids.retrieve("txi_nope")
    assert (caught.value.http_status, caught.value.code, caught.value.user_message) == (
        404, "resource_missing", "No such tax_id: 'txi_nope'")


def test_list_by_owner(client, customer, vat):
    other = client.v1.customers.create(params={"email": "other@example.com"})
    client.v1.customers.tax_ids.create(other.id, params={"type": "gb_vat", "value": "GB123456789"})
    theirs = client.v1.tax_ids.list(params={"owner": {"type": "customer", "customer": customer.id}})
    assert [t.id for t in theirs.data] == [vat.id] and theirs.url == "/v1/tax_ids"
    assert client.v1.tax_ids.list().data == []  # owner[type] defaults to self: the account's own ids
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.tax_ids.list(params={"owner": {"type": "customer"}})
    assert (caught.value.param, caught.value.code) == ("owner[customer]", "parameter_missing")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.tax_ids.list(params={"owner": {"type": "customer", "customer": "cus_nope"}})
    assert (caught.value.http_status, caught.value.param) == (404, "owner[customer]")


def test_create_and_delete_through_tax_ids(client, customer, fake):
    created = client.v1.tax_ids.create(params={"type": "tr_tin", "value": "1234567890",
                                               "owner": {"type": "customer", "customer": customer.id}})
    assert (created.customer, created.country, created.owner.type) == (customer.id, "TR", "customer")
    assert [t.id for t in client.v1.customers.tax_ids.list(customer.id).data] == [created.id]
    own = client.v1.tax_ids.create(params={"type": "us_ein", "value": "12-3456789"})
    assert (own.customer, own.owner.type, own.country) == (None, "self", "US")
    assert [t.id for t in client.v1.tax_ids.list().data] == [own.id]

    deleted = client.v1.tax_ids.delete(created.id)
    assert (deleted.id, deleted.deleted) == (created.id, True)
    assert client.v1.customers.tax_ids.list(customer.id).data == []
    types = [e["type"] for e in fake.control.events() if e["type"].startswith("customer.tax_id.")]
    assert types == ["customer.tax_id.deleted", "customer.tax_id.created"]
