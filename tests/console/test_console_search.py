"""Customer search: full page, and the htmx fragment the search box asks for as you type."""

from __future__ import annotations


def test_search_by_email_last4_and_remote_id(login, agent, ada):
    customer, charge = ada
    client = login(agent)
    for query in ("ADA@example.com", "4242", "ch_test1", "cus_test1", "Ada"):
        page = client.get("/customers/", {"q": query}).content.decode()
        assert f'href="/customers/{customer.pk}/"' in page, query


def test_no_match_is_said_plainly_and_the_query_is_escaped(login, agent):
    page = login(agent).get("/customers/", {"q": "<b>nobody</b>"}).content.decode()
    assert "No customer matches “&lt;b&gt;nobody&lt;/b&gt;”." in page


def test_htmx_request_gets_only_the_results_fragment(login, agent, ada):
    customer, _ = ada
    response = login(agent).get("/customers/", {"q": "ada"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert f'href="/customers/{customer.pk}/"' in body
