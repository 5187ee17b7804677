"""Signed panel links: the canonical form, acceptance, and refusal of every kind of tampering (403)."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import pytest

from chargeside.core.signing import SignatureError, hmac_hex
from chargeside.helpdesks.signing import canonical_query, panel_query, session_issue, session_verify, verify_link

from .conftest import AYSE_EMAIL, query_dict, signed_query

pytestmark = pytest.mark.django_db


def test_canonical_form_sorts_by_key_then_value_and_percent_encodes_everything():
    pairs = [("ws", "acme"), ("email", "b@example.com"), ("email", "a b@example.com"), ("name", "Ayşe Yılmaz"),
             ("exp", "1790000000"), ("sig", "ignored")]

    assert canonical_query(pairs) == (
        "email=a%20b%40example.com&email=b%40example.com&exp=1790000000&name=Ay%C5%9Fe%20Y%C4%B1lmaz&ws=acme"
    )


def test_a_link_signed_by_hand_with_the_documented_recipe_verifies(workspace):
    # given an integrator who follows the docstring with nothing but hmac
    exp = str(int(time.time()) + 300)
    canonical = f"agent=sam%40acme.test&email=ayse.yilmaz%40example.com&exp={exp}&ws=acme"
    sig = hmac_hex(workspace.panel_secret, canonical)

    link = verify_link(query_dict(f"ws=acme&email=ayse.yilmaz@example.com&agent=sam@acme.test&exp={exp}&sig={sig}"))

    assert (link.workspace.pk, link.emails, link.agent, link.exp) == (workspace.pk, (AYSE_EMAIL,), "sam@acme.test", int(exp))


def test_signed_link_opens_the_panel(client, workspace, ayse):
    response = client.get("/panel/?" + signed_query(workspace))

    assert response.status_code == 200
    assert "Ayşe Yılmaz" in response.content.decode()


def _tampered(query: str, key: str, value: str) -> str:
    pairs = [(k, value if k == key else v) for k, v in parse_qsl(query, keep_blank_values=True)]
    return urlencode(pairs)


@pytest.mark.parametrize("key,value", [
    ("ws", "globex"), ("email", "someone.else@example.com"), ("name", "Mallory"), ("ticket", "9999"),
    ("ticket_url", "https://evil.example.com/"), ("agent", "boss@acme.test"), ("lang", "en"), ("exp", "4102444800"),
    ("sig", "0" * 64),
])
def test_changing_any_signed_field_is_refused(client, workspace, other_workspace, ayse, key, value):
    query = signed_query(workspace, agent="sam@acme.test", lang="tr")

    response = client.get("/panel/?" + _tampered(query, key, value))

    assert response.status_code == 403
    assert "Ayşe" not in response.content.decode()


def test_an_added_parameter_is_refused(client, workspace, ayse):
    response = client.get("/panel/?" + signed_query(workspace) + "&email=extra@example.com")

    assert response.status_code == 403


def test_missing_signature_is_refused_with_a_styled_page_that_explains_nothing(client, workspace, ayse):
    query = "&".join(part for part in signed_query(workspace).split("&") if not part.startswith("sig="))

    response = client.get("/panel/?" + query)

    body = response.content.decode()
    assert response.status_code == 403
    assert "This billing panel link is not valid or has expired." in body
    assert "panel.css" in body
    assert "signature" not in body.lower() and "acme" not in body.lower()


def test_expired_link_is_refused(client, workspace, ayse):
    query = panel_query(workspace, emails=[AYSE_EMAIL], ttl=60, now=time.time() - 120)

    assert client.get("/panel/?" + query).status_code == 403


def test_link_living_longer_than_allowed_is_refused(client, workspace, ayse, settings):
    settings.CHARGESIDE_PANEL_MAX_TTL = 3600

    assert client.get("/panel/?" + panel_query(workspace, emails=[AYSE_EMAIL], ttl=7200)).status_code == 403
    assert client.get("/panel/?" + panel_query(workspace, emails=[AYSE_EMAIL], ttl=1800)).status_code == 200


def test_link_signed_with_one_workspace_secret_naming_another_is_refused(client, workspace, other_workspace, ayse):
    # given a link for globex signed with acme's secret (an acme admin trying to read globex)
    pairs = [("ws", "globex"), ("email", AYSE_EMAIL), ("exp", str(int(time.time()) + 300))]
    canonical = canonical_query(pairs)
    forged = f"{canonical}&sig={hmac_hex(workspace.panel_secret, canonical)}"

    assert client.get("/panel/?" + forged).status_code == 403


def test_unknown_workspace_is_refused_like_a_bad_signature(client, workspace):
    pairs = [("ws", "nope"), ("email", AYSE_EMAIL), ("exp", str(int(time.time()) + 300))]
    canonical = canonical_query(pairs)

    assert client.get(f"/panel/?{canonical}&sig={hmac_hex('guess', canonical)}").status_code == 403


def test_two_signatures_are_refused(client, workspace, ayse):
    query = signed_query(workspace)

    assert client.get(f"/panel/?{query}&sig={'a' * 64}").status_code == 403


def test_session_token_verifies_and_refuses_tampering_and_expiry(workspace, other_workspace):
    token = session_issue(workspace=workspace, link_sig="ab" * 32, customer_ids=[7], member_id=3, emails=["a@example.com"],
                          ticket_url="https://desk.example.com/t/1", language="tr")

    session = session_verify(token)
    assert (session.workspace.pk, session.customer_ids, session.member_id, session.language) == (workspace.pk, (7,), 3, "tr")

    slug, payload, mac = token.split(".")
    with pytest.raises(SignatureError):
        session_verify(f"{slug}.{payload[:-2]}xx.{mac}")
    with pytest.raises(SignatureError):
        session_verify(f"globex.{payload}.{mac}")
    with pytest.raises(SignatureError):
        session_verify(token, now=time.time() + 9 * 3600)
    with pytest.raises(SignatureError):
        session_verify("")
