"""Customers through the official SDK: CRUD, pagination, email filter, search, errors, auth."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest
import stripe
from sandbox_stripe_client import API_KEY, make_client

from chargeside.sandbox.stripe import StripeFake


def _raw(fake, method, path, headers=None, body=None):
    request = urllib.request.Request(fake.base_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_customer_crud_round_trip(client):
    created = client.v1.customers.create(params={
        "email": "ayse@example.com", "name": "Ayşe Yılmaz", "metadata": {"crm": "42"},
        "address": {"city": "İstanbul", "country": "TR"},
    })
    assert created.id.startswith("cus_") and len(created.id) == 18
    assert created.livemode is False and created.address.city == "İstanbul"

    fetched = client.v1.customers.retrieve(created.id)
    assert (fetched.email, fetched.name, fetched.metadata.to_dict()) == ("ayse@example.com", "Ayşe Yılmaz", {"crm": "42"})

    updated = client.v1.customers.update(created.id, params={"name": "Ayşe Y.", "metadata": {"crm": "", "tier": "gold"}})
    assert updated.name == "Ayşe Y." and updated.metadata.to_dict() == {"tier": "gold"}

    deleted = client.v1.customers.delete(created.id)
    assert (deleted.id, deleted.deleted) == (created.id, True)
    assert client.v1.customers.retrieve(created.id).deleted is True


def test_auto_paging_crosses_pages_and_ending_before_walks_back(client, fake):
    ids = [client.v1.customers.create(params={"email": f"page{i}@example.com"}).id for i in range(130)]

    walked = [c.id for c in client.v1.customers.list(params={"limit": 50}).auto_paging_iter()]
    assert walked == list(reversed(ids))  # newest first, every customer exactly once

    first = client.v1.customers.list(params={"limit": 3})
    assert first.has_more is True and first.url == "/v1/customers"
    second = client.v1.customers.list(params={"limit": 3, "starting_after": first.data[-1].id})
    back = client.v1.customers.list(params={"limit": 3, "ending_before": second.data[0].id})
    assert [c.id for c in back.data] == [c.id for c in first.data]

    newer = [c.id for c in client.v1.customers.list(params={"limit": 10, "ending_before": ids[5]}).auto_paging_iter()]
    assert newer == list(reversed(ids[6:])) or sorted(newer) == sorted(ids[6:])


def test_email_filter_and_search_with_pagination(client):
    for i in range(3):
        client.v1.customers.create(params={"email": "twin@example.com", "name": f"Twin {i}"})
    client.v1.customers.create(params={"email": "other@example.com"})

    listed = client.v1.customers.list(params={"email": "twin@example.com"})
    assert [c.name for c in listed.data] == ["Twin 2", "Twin 1", "Twin 0"]

    page = client.v1.customers.search(params={"query": "email:'twin@example.com'", "limit": 2})
    assert (len(page.data), page.has_more, page.object) == (2, True, "search_result")
    rest = client.v1.customers.search(params={"query": "email:'twin@example.com'", "limit": 2, "page": page.next_page})
    assert [c.name for c in rest.data] == ["Twin 0"] and rest.has_more is False and rest.next_page is None
    everyone = [c.name for c in client.v1.customers.search(params={"query": "name~'twin'"}).auto_paging_iter()]
    assert everyone == ["Twin 2", "Twin 1", "Twin 0"]


def test_missing_customer_is_a_stripe_shaped_404(client, fake):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_doesnotexist")
    err = caught.value
    assert (err.http_status, err.code, err.param) == (404, "resource_missing", "id")
    assert err.user_message == "No such customer: 'cus_doesnotexist'"
    assert err.headers["Request-Id"].startswith("req_")

    status, headers, body = _raw(fake, "GET", "/v1/nothing_here", {"Authorization": f"Bearer {API_KEY}"})
    assert status == 404 and body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/nothing_here)")


def test_missing_required_param_names_the_param(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"amount": 100})
    assert caught.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.prices.create(params={"product": "prod_x"})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "currency")
    assert caught.value.user_message == "Missing required param: currency."


def test_auth_wrong_key_missing_key_and_basic_auth():
    with StripeFake(api_keys={API_KEY}) as fake:
        fake.start()
        with pytest.raises(stripe.AuthenticationError) as caught:
            make_client(fake.base_url, "sk_test_wrong_key_123456").v1.customers.list()
        assert caught.value.http_status == 401
        assert caught.value.user_message == "Invalid API Key provided: sk_test_************3456"

        status, _, body = _raw(fake, "GET", "/v1/customers")
        assert status == 401 and body["error"]["message"].startswith("You did not provide an API key.")

        basic = base64.b64encode(f"{API_KEY}:".encode()).decode()
        status, headers, body = _raw(fake, "GET", "/v1/customers", {"Authorization": f"Basic {basic}"})
        assert headers["Content-Type"] == "application/json"
        assert status == 200 and body["object"] == "list" and headers["Request-Id"].startswith("req_")


def test_default_keys_accept_only_test_mode():
    with StripeFake() as fake:
        fake.start()
        assert make_client(fake.base_url, "rk_test_restricted").v1.customers.list().object == "list"
        with pytest.raises(stripe.AuthenticationError):
            make_client(fake.base_url, "sk_live_realmoney").v1.customers.list()


def test_payment_methods_attach_list_detach_and_expand(client, customer):
    attached = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": customer.id})
    assert attached.id.startswith("pm_") and attached.customer == customer.id
    assert (attached.card.brand, attached.card.last4) == ("mastercard", "4444")
    assert "number" not in json.dumps(attached.to_dict())

    by_query = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    nested = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    assert [p.id for p in by_query.data] == [p.id for p in nested.data] and len(nested.data) == 2

    expanded = client.v1.customers.list(params={"email": customer.email, "expand": ["data.invoice_settings.default_payment_method"]})
    assert expanded.data[0].invoice_settings.default_payment_method.card.last4 == "4242"

    detached = client.v1.payment_methods.detach(customer.invoice_settings.default_payment_method)
    assert detached.customer is None
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None


def test_card_numbers_are_never_stored(client, fake):
    pm = client.v1.payment_methods.create(params={
        "type": "card", "card": {"number": "4000056655665556", "exp_month": 4, "exp_year": 2031, "cvc": "123"},
    })
    assert (pm.card.last4, pm.card.funding, pm.card.exp_year) == ("5556", "debit", 2031)
    stored = fake.store.conn.execute("SELECT body FROM objects WHERE id = ?", (pm.id,)).fetchone()[0]
    assert "4000056655665556" not in stored and "123" not in json.loads(stored).get("card", {}).values()


def test_customer_tax_ids(client, customer):
    tax_id = client.v1.customers.tax_ids.create(customer.id, params={"type": "eu_vat", "value": "DE123456789"})
    assert (tax_id.id[:4], tax_id.country, tax_id.verification.status) == ("txi_", "DE", "pending")
    assert [t.id for t in client.v1.customers.tax_ids.list(customer.id).data] == [tax_id.id]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.tax_ids.create(customer.id, params={"type": "tr_tin", "value": "12"})
    assert (caught.value.code, caught.value.param) == ("tax_id_invalid", "value")
    assert client.v1.customers.tax_ids.delete(customer.id, tax_id.id).deleted is True


def test_wsgi_entry_point_and_no_connection_leak(fake, client):
    import io

    seen = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/customers", "QUERY_STRING": "limit=1",
               "HTTP_AUTHORIZATION": f"Bearer {API_KEY}", "wsgi.input": io.BytesIO(b"")}
    body = b"".join(fake.wsgi_app(environ, lambda status, headers: seen.update(status=status, headers=dict(headers))))
    assert seen["status"] == "200 OK" and json.loads(body)["object"] == "list"
    for _ in range(30):  # short-lived connections, one server thread each
        urllib.request.urlopen(urllib.request.Request(fake.base_url + "/v1/customers",
                                                      headers={"Authorization": f"Bearer {API_KEY}"})).read()
    assert len(fake.store._conns) <= 3


def test_expansions_deeper_than_four_levels_are_refused_before_anything_runs(client, customer):
    path = "data.items.data.price.product"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.subscriptions.list(params={"expand": [path]})
    assert (caught.value.http_status, caught.value.user_message) == (
        400, f"You cannot expand more than 4 levels of a property. Property: {path}")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.update(customer.id, params={"name": "Renamed", "expand": ["a.b.c.d.e"]})
    assert client.v1.customers.retrieve(customer.id).name == "Jenny Rosen"
    client.v1.payment_intents.create(params={"amount": 1_000, "currency": "usd", "customer": customer.id, "confirm": True,
                                             "payment_method": customer.invoice_settings.default_payment_method})
    deepest = client.v1.charges.list(params={"expand": ["data.payment_intent.latest_charge.customer"]})
    assert deepest.data[0].payment_intent.latest_charge.customer.email == "jenny.rosen@example.com"
