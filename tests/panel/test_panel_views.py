"""The panel page and its follow-up requests: headers, rendering, languages, read-only mode, the token."""

from __future__ import annotations

import re

import pytest

from chargeside.billing.models import Charge
from chargeside.billing.upsert import upsert_many
from chargeside.gateways import types as t

from .conftest import AYSE_EMAIL, ayse_dtos, days, signed_query

pytestmark = pytest.mark.django_db


def open_panel(client, workspace, **overrides):
    response = client.get("/panel/?" + signed_query(workspace, **overrides))
    assert response.status_code == 200, response.content[:300]
    token = re.search(r'"X-Panel-Token": "([^"]+)"', response.content.decode()).group(1)
    return response, token


def test_frame_ancestors_names_the_workspace_origins_and_x_frame_options_is_gone(client, workspace, ayse):
    # given origins as an admin typed them, including junk that must not become CSP directives
    workspace.panel_frame_origins = "https://acme.zendesk.com  https://acme.freshdesk.com:8443 'unsafe-inline'; script-src *"
    workspace.save()

    response, _ = open_panel(client, workspace)

    csp = response["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors 'self' https://acme.zendesk.com https://acme.freshdesk.com:8443")
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"


def test_other_pages_keep_x_frame_options_deny(client, workspace):
    assert client.get("/demo/")["X-Frame-Options"] == "DENY"


def test_panel_shows_header_totals_alerts_and_sections(client, workspace, ayse, agent):
    response, _ = open_panel(client, workspace, agent=agent.user.email, lang="en")

    body = response.content.decode()
    assert "ayse.yilmaz@example.com" in body and "cus_ayse" in body
    assert "TRY\u00a01,534.56" in body and "¥5,000" in body and "KWD\u00a00.000" in body
    assert "1 failed payment in the last 30 days." in body
    assert "The card has insufficient funds." in body
    assert "Show 1 more" in body
    assert 'hx-get="/panel/action/refund/' in body
    assert "•••• 4242" in body
    assert "Read-only" not in body


def test_turkish_panel_formats_money_and_dates_for_turkey(client, workspace, ayse, agent):
    response, _ = open_panel(client, workspace, agent=agent.user.email, lang="tr")

    body = response.content.decode()
    assert '<html lang="tr">' in body
    assert "₺1.534,56" in body and "₺1.234,56" in body and "¥5.000" in body
    assert "Ödemeler" in body and "İade et" in body
    assert re.search(r"\d\d\.\d\d\.20\d\d", body)


def test_language_falls_back_to_the_members_preference(client, workspace, ayse, make_member):
    turkish_agent = make_member(workspace, "agent", username="deniz", language="tr")

    response, _ = open_panel(client, workspace, agent=turkish_agent.user.email)

    assert '<html lang="tr">' in response.content.decode()


def test_agent_is_found_by_desk_identity(client, workspace, ayse, make_member):
    make_member(workspace, "agent", username="zed", desk_identities=["zendesk:12345"])

    response, _ = open_panel(client, workspace, agent="zendesk:12345")

    assert "Read-only" not in response.content.decode()


def test_unmapped_agent_gets_a_read_only_panel(client, workspace, ayse, agent):
    response, _ = open_panel(client, workspace, agent="stranger@elsewhere.example")

    body = response.content.decode()
    assert "Read-only: your helpdesk account is not linked" in body
    assert "/panel/action/" not in body
    assert "4242" not in body  # payment methods need a role that may see them


def test_viewer_sees_no_payment_methods_audit_or_buttons(client, workspace, ayse, viewer):
    response, _ = open_panel(client, workspace, agent=viewer.user.email)

    body = response.content.decode()
    assert "4242" not in body and "Recent actions" not in body and "/panel/action/" not in body


def test_no_customer_found_says_so_helpfully(client, workspace, ayse):
    response, _ = open_panel(client, workspace, emails=["nobody@example.com"])

    body = response.content.decode()
    assert "No billing found for nobody@example.com" in body
    assert "ask which email they used" in body


def test_every_requester_email_is_used_to_find_the_customer(client, workspace, ayse):
    response, _ = open_panel(client, workspace, emails=["old-address@example.com", AYSE_EMAIL.upper()])

    assert "Ayşe Yılmaz" in response.content.decode()


def test_gateway_and_desk_strings_are_inert_text(client, workspace, offline_connection, agent):
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    dtos = ayse_dtos(name=hostile)
    dtos.append(t.ChargeDTO(remote_id="ch_xss", customer_remote_id="cus_ayse", amount=100, currency="TRY",
                            status=t.ChargeStatus.FAILED, description=hostile, failure_code="weird_code",
                            failure_message='"><svg onload=alert(3)>', created_at=days(-0.2)))
    upsert_many(offline_connection, dtos)

    response, _ = open_panel(client, workspace, agent=agent.user.email, name=hostile)

    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body and "<img src=x" not in body and "<svg onload" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&gt;&lt;svg onload=alert(3)&gt;" in body and "\"><svg" not in body


def test_show_more_needs_the_token_and_returns_the_next_items(client, workspace, ayse, agent):
    _, token = open_panel(client, workspace, agent=agent.user.email)

    refused = client.get("/panel/section/charges/?offset=5")
    more = client.get("/panel/section/charges/?offset=5", headers={"X-Panel-Token": token})

    assert refused.status_code == 403
    assert more.status_code == 200 and "ch_kwd" in more.content.decode() and "Show" not in more.content.decode()


def test_action_post_without_or_with_a_forged_token_is_refused(client, workspace, ayse, agent):
    _, token = open_panel(client, workspace, agent=agent.user.email)
    charge = Charge.objects.get(remote_id="ch_jpy")
    url = f"/panel/action/refund/{charge.id}/run/"
    data = {"mode": "full", "reason": "duplicate"}

    assert client.post(url, data).status_code == 403
    assert client.post(url, data, headers={"X-Panel-Token": token[:-4] + "0000"}).status_code == 403
    assert client.post(url, {**data, "panel_token": token}).status_code == 403  # only the header counts
    assert client.post(url, data, headers={"X-Panel-Token": token, "HX-Request": "true"}).status_code != 403


def test_refusal_inside_an_open_panel_is_a_short_message(client, workspace, ayse):
    response = client.post("/panel/action/refund/1/run/", {}, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "<html" not in response.content.decode() and "Reload the ticket" in response.content.decode()


def test_action_form_is_prefilled_with_what_remains(client, workspace, ayse, agent):
    _, token = open_panel(client, workspace, agent=agent.user.email)
    charge = Charge.objects.get(remote_id="ch_try_part")

    response = client.get(f"/panel/action/refund/{charge.id}/", headers={"X-Panel-Token": token})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="300.00"' in body and "TRY\u00a0300.00" in body and 'name="reason"' in body


def test_preview_needs_a_reason_then_shows_what_remains(client, workspace, ayse, agent):
    _, token = open_panel(client, workspace, agent=agent.user.email, lang="en")
    charge = Charge.objects.get(remote_id="ch_try_part")
    url = f"/panel/action/refund/{charge.id}/preview/"
    headers = {"X-Panel-Token": token}

    missing = client.post(url, {"mode": "partial", "amount": "100", "reason": ""}, headers=headers).content.decode()
    empty = client.post(url, {"mode": "partial", "amount": "", "reason": "x"}, headers=headers).content.decode()
    too_much = client.post(url, {"mode": "partial", "amount": "300.01", "reason": "x"}, headers=headers).content.decode()
    confirm = client.post(url, {"mode": "partial", "amount": "100", "reason": "double charge"}, headers=headers).content.decode()

    assert "Give a reason" in missing
    assert "Enter an amount." in empty
    assert "Only TRY\u00a0300.00 of this charge can still be refunded." in too_much
    assert "Confirm: Refund" in confirm
    assert 'name="amount_minor" value="10000"' in confirm
    assert "Remaining after" in confirm and "TRY\u00a0200.00" in confirm


def test_turkish_confirmation_translates_the_preview_lines(client, workspace, ayse, agent):
    _, token = open_panel(client, workspace, agent=agent.user.email, lang="tr")
    charge = Charge.objects.get(remote_id="ch_try_part")

    confirm = client.post(f"/panel/action/refund/{charge.id}/preview/", {"mode": "full", "reason": "çift ödeme"},
                          headers={"X-Panel-Token": token}).content.decode()

    assert "Kalan" in confirm and "₺300,00" in confirm


def test_viewer_cannot_open_an_action_form(client, workspace, ayse, viewer):
    _, token = open_panel(client, workspace, agent=viewer.user.email)
    charge = Charge.objects.get(remote_id="ch_jpy")

    assert client.get(f"/panel/action/refund/{charge.id}/", headers={"X-Panel-Token": token}).status_code == 403


def test_an_item_of_another_customer_is_not_found(client, workspace, ayse, agent, offline_connection):
    upsert_many(offline_connection, [
        t.CustomerDTO(remote_id="cus_other", email="other@example.com"),
        t.ChargeDTO(remote_id="ch_other", customer_remote_id="cus_other", amount=100, currency="EUR",
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=100),
    ])
    _, token = open_panel(client, workspace, agent=agent.user.email)
    foreign = Charge.objects.get(remote_id="ch_other")

    response = client.get(f"/panel/action/refund/{foreign.id}/", headers={"X-Panel-Token": token})

    assert response.status_code == 404
    assert client.get("/panel/action/nonsense/1/", headers={"X-Panel-Token": token}).status_code == 404


def test_gateway_failure_is_reported_in_plain_words_and_audited(client, workspace, ayse, agent):
    # given the connection points at a closed port: the gateway is unreachable
    _, token = open_panel(client, workspace, agent=agent.user.email, lang="en")
    charge = Charge.objects.get(remote_id="ch_jpy")

    headers = {"X-Panel-Token": token, "HX-Request": "true"}
    confirm = client.post(f"/panel/action/refund/{charge.id}/preview/", {"mode": "full", "reason": "duplicate"}, headers=headers)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm.content.decode()))

    response = client.post(f"/panel/action/refund/{charge.id}/run/", hidden, headers=headers)

    from chargeside.actions.models import ActionAttempt, AuditEvent

    assert response.status_code == 200
    assert "Refund failed:" in response.content.decode()
    attempt = ActionAttempt.objects.get()
    assert (attempt.status, attempt.source, attempt.ticket_url) == ("failed", "panel", "https://desk.example.com/t/1042")
    assert list(AuditEvent.objects.order_by("seq").values_list("event", flat=True)) == ["requested", "failed"]
