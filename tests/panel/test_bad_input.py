"""Bad input to the panel's follow-up requests is a 4xx (with a message on the form), never a 500."""

from __future__ import annotations

import re

import pytest

from .conftest import signed_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def headers(client, workspace, ayse, agent):
    page = client.get("/panel/?" + signed_query(workspace, agent=agent.user.email)).content.decode()
    return {"X-Panel-Token": re.search(r'"X-Panel-Token": "([^"]+)"', page).group(1), "HX-Request": "true"}


@pytest.mark.parametrize("path", [
    "/panel/action/refund/99999999999999999999/",
    "/panel/action/refund/0/",
    "/panel/section/nonsense/",
    "/panel/section/charges/?offset=abc",
    "/panel/section/charges/?offset=99999999999999999999",
])
def test_odd_get_requests_are_answered_without_a_crash(client, headers, path):
    assert client.get(path, headers=headers).status_code in (200, 404)


@pytest.mark.parametrize("amount", ["abc", "NaN", "-5", "1e400", "12.345", "1,2,3"])
def test_odd_amounts_come_back_as_a_message_on_the_form(client, headers, amount):
    from chargeside.billing.models import Charge

    charge = Charge.objects.get(remote_id="ch_jpy")
    response = client.post(f"/panel/action/refund/{charge.id}/preview/", {"mode": "partial", "amount": amount, "reason": "x"},
                           headers=headers)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() and 'name="amount"' in response.content.decode()


def test_a_get_on_a_post_only_url_is_refused_politely(client, headers):
    assert client.get("/panel/action/refund/1/run/", headers=headers).status_code == 405
