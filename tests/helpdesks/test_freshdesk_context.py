"""The context of a Freshdesk panel request, from bodies in the shape our app sends (the FDK data methods'
objects, keyed by their names: tests/helpdesks/fixtures/freshdesk/)."""

from __future__ import annotations

import pytest

from chargeside.helpdesks.base import DeskPayloadError
from chargeside.helpdesks.freshdesk.context import panel_context, parse_body

from .freshdesk_helpers import fd_fixture

WEB = "https://acme.freshdesk.com"


def context(name: str, workspace=None):
    return panel_context(parse_body(fd_fixture(name)), workspace=workspace, web_url=WEB)


def test_requester_ticket_and_agent():
    found = context("panel_request.json")
    assert found.emails == ("jane@example.com", "jane.doe@work.example")
    assert (found.name, found.requester_id) == ("Jane Doe", "5678")
    assert (found.ticket, found.ticket_url) == ("1234", "https://acme.freshdesk.com/a/tickets/1234")
    assert (found.agent, found.lang) == ("sam@freshdesk.example", "en")


def test_an_agent_without_an_email_is_known_by_its_freshdesk_id_and_the_language_comes_from_the_agent():
    found = context("panel_request_tr_no_agent_email.json")
    assert (found.agent, found.lang, found.name) == ("freshdesk:42", "tr", "Ayşe Yılmaz")
    assert found.emails == ("ayse.yilmaz@example.com",)


def test_a_requester_without_an_email_has_none_and_the_ticket_requester_id_stands_in():
    found = context("panel_request_no_email.json")
    assert found.emails == () and found.requester_id == "9002" and found.lang == ""


def test_the_ticket_link_comes_from_the_connection_not_from_the_body():
    body = parse_body(fd_fixture("panel_request.json").replace(b"acme.freshdesk.com", b"evil.example"))
    assert panel_context(body, workspace=None, web_url=WEB).ticket_url == "https://acme.freshdesk.com/a/tickets/1234"


@pytest.mark.parametrize("payload, expected", [
    ({}, ("", "", "", ())),
    ({"ticket": {"id": "12; drop"}, "contact": {"email": "nobody"}}, ("", "", "", ())),
    ({"ticket": {"id": True}, "loggedInUser": {"id": 7}}, ("", "", "freshdesk:7", ())),
    ({"contact": {"email": "A@Example.com", "other_emails": "b@example.com"}}, ("", "", "", ("A@Example.com",))),
])
def test_odd_but_valid_bodies(payload, expected):
    found = panel_context(payload, workspace=None, web_url=WEB)
    assert (found.ticket, found.ticket_url, found.agent, found.emails) == expected


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"\xff", b'{"ticket": "1234"}', b'{"contact": [1]}'])
def test_malformed_bodies_are_typed_errors(body):
    with pytest.raises(DeskPayloadError):
        panel_context(parse_body(body), workspace=None, web_url=WEB)
