"""Merging and splitting customers from the customer page (billing/identity.py does the work)."""

from __future__ import annotations

from chargeside.actions.models import AuditEvent
from chargeside.billing.models import Customer, GatewayCustomer

from .factories import make_offline_connection, seed_customer


def test_agent_merges_a_customer_by_email_and_splits_it_again(login, agent, offline_connection, workspace):
    # given the same person as two customers (different emails, two gateways)
    ada, _ = seed_customer(offline_connection, email="ada@example.com", suffix="1")
    seed_customer(make_offline_connection(workspace, name="Stripe US"), email="ada.l@example.org", suffix="2")
    client = login(agent)
    # when the agent merges the second into the first by email
    page = client.post(f"/customers/{ada.pk}/merge/", {"source": "ada.l@example.org"}, follow=True).content.decode()
    # then one customer holds both accounts and the trail says so
    assert "was merged into this one." in page
    assert set(GatewayCustomer.objects.filter(customer=ada).values_list("remote_id", flat=True)) == {"cus_test1", "cus_test2"}
    assert AuditEvent.objects.filter(workspace=workspace, event="merged", customer=ada).count() == 1
    # when the agent splits the second account off again
    account = GatewayCustomer.objects.get(remote_id="cus_test2")
    response = client.post(f"/customers/{ada.pk}/split/", {"account": account.pk})
    account.refresh_from_db()
    assert account.customer_id != ada.pk
    assert response["Location"] == f"/customers/{account.customer_id}/"
    assert Customer.objects.get(pk=account.customer_id).email == "ada.l@example.org"
    assert AuditEvent.objects.filter(workspace=workspace, event="split").count() == 1


def test_merge_errors_are_shown_not_raised(login, agent, ada):
    customer, _ = ada
    client = login(agent)
    page = client.post(f"/customers/{customer.pk}/merge/", {"source": str(customer.pk)}, follow=True).content.decode()
    assert "A customer cannot be merged into itself." in page
    page = client.post(f"/customers/{customer.pk}/merge/", {"source": "nobody@example.com"}, follow=True).content.decode()
    assert "No other customer matches “nobody@example.com”." in page


def test_viewer_and_finance_cannot_merge(login, viewer, finance, ada):
    customer, _ = ada
    assert "Merge or split" not in login(viewer).get(f"/customers/{customer.pk}/").content.decode()
    assert login(viewer).post(f"/customers/{customer.pk}/merge/", {"source": "1"}).status_code == 403
    assert login(finance).post(f"/customers/{customer.pk}/merge/", {"source": "1"}).status_code == 403


def test_merging_a_foreign_customer_is_not_found(login, agent, ada, other_workspace):
    customer, _ = ada
    theirs, _ = seed_customer(make_offline_connection(other_workspace), suffix="g")
    page = login(agent).post(f"/customers/{customer.pk}/merge/", {"source": str(theirs.pk)}, follow=True).content.decode()
    assert "Customer was not found in this workspace." in page
    assert GatewayCustomer.objects.get(remote_id="cus_testg").customer_id == theirs.pk
