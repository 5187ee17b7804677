"""Garbage in any console form is a 4xx or a page that says what is wrong, never a 500."""

from __future__ import annotations

import pytest

JUNK = {"workspace": "x", "role": "superuser", "active": "maybe", "decision": "perhaps", "scope": "member:abc", "currency": "€€",
        "per_action": "NaN", "per_day": "1e999", "origins": "javascript:alert(1)", "source": "' OR 1=1 --", "account": "-1",
        "username": "x" * 400, "email": "not-an-email", "language": "klingon", "name": "", "step": "confirm",
        "as_of": "\x00", "proration_date": "1e999", "amount": "12,34,56", "reason": "r", "ticket_url": "ftp://x", "q": "\x00"}


@pytest.mark.parametrize("path", [
    "/workspace/", "/members/", "/members/{admin}/role/", "/members/{admin}/active/", "/account/language/", "/account/tokens/",
    "/limits/", "/approvals/1/", "/panel-settings/", "/customers/{customer}/merge/", "/customers/{customer}/split/",
    "/customers/{customer}/actions/refund/charge/{charge}/", "/connections/add/stripe/", "/connections/{connection}/",
    "/login/",
])
def test_junk_posts_never_fail_with_500(login, owner, admin, ada, offline_connection, path):
    customer, charge = ada
    client = login(owner)
    url = path.format(admin=admin.pk, customer=customer.pk, charge=charge.pk, connection=offline_connection.pk)
    response = client.post(url, JUNK)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "member=x", "customer=1e9", "from=2026-13-45", "to=yesterday",
                                   "outcome=%00", "action=" + "a" * 500])
def test_junk_audit_filters_never_fail_with_500(login, finance, query):
    client = login(finance)
    assert client.get(f"/audit/?{query}").status_code == 200
    assert client.get(f"/audit/export.csv?{query}").status_code in (200, 400)


@pytest.mark.parametrize("query", ["%00", "a%00b", "x" * 300, "%F0%9F%92%B3", "cus_%00"])
def test_junk_search_never_fails_with_500(login, agent, query):
    assert login(agent).get(f"/customers/?q={query}").status_code == 200


def test_nul_in_the_login_form_is_a_failed_login(client, agent):
    response = client.post("/login/", {"username": "acme-agent\x00", "password": "x"})
    assert response.status_code == 200
