"""What each role sees and may do: hidden in the page AND refused by the server."""

from __future__ import annotations


def test_viewer_sees_the_summary_but_no_actions_cards_or_audit(login, viewer, ada):
    customer, charge = ada
    # when a viewer opens the customer
    page = login(viewer).get(f"/customers/{customer.pk}/").content.decode()
    # then the payment shows, but no refund button, no card, no audit link or recent actions
    assert "ch_test1" in page
    assert "€50.00" in page
    assert "/actions/refund/" not in page
    assert "4242" not in page
    assert "Payment methods" not in page
    assert "Recent actions" not in page
    assert 'href="/audit/"' not in page


def test_viewer_is_refused_the_audit_and_an_action_url(login, viewer, ada):
    customer, charge = ada
    client = login(viewer)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    response = client.post(f"/customers/{customer.pk}/actions/refund/charge/{charge.pk}/", {"step": "confirm", "reason": "x"})
    assert response.status_code == 403


def test_agent_sees_card_and_refund_but_no_admin_pages(login, agent, ada):
    customer, charge = ada
    client = login(agent)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "•••• 4242" in page
    assert f"/customers/{customer.pk}/actions/refund/charge/{charge.pk}/" in page
    assert 'href="/connections/"' not in page
    assert 'href="/members/"' not in page
    for url in ("/connections/", "/members/", "/limits/", "/panel-settings/", "/approvals/", "/audit/export.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post("/members/", {"username": "x", "email": "x@example.com", "role": "owner"}).status_code == 403
    assert client.get("/audit/").status_code == 200


def test_finance_can_export_the_audit_trail(login, finance):
    client = login(finance)
    page = client.get("/audit/").content.decode()
    assert 'href="/audit/export.csv?' in page
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_agent_has_no_export_link(login, agent):
    assert "export.csv" not in login(agent).get("/audit/").content.decode()


def test_admin_sees_every_admin_page(login, admin):
    client = login(admin)
    for url in ("/connections/", "/members/", "/limits/", "/panel-settings/", "/approvals/", "/audit/"):
        assert client.get(url).status_code == 200, url
