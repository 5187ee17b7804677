"""The callback's JSON → DeskContext, from captured payloads (the protocols file's vector body, a draft with an
agent that sends email and locale, FreeScout's minimal body), and typed errors for bodies no desk sends."""

from __future__ import annotations

import pytest

from chargeside.helpdesks.base import DeskPayloadError, DeskRequest
from chargeside.helpdesks.freescout.adapter import FreeScoutAdapter
from chargeside.helpdesks.helpscout.adapter import HelpScoutAdapter

from .desk_helpers import fixture_bytes

WORKSPACE = object()


def context(adapter, body: bytes):
    return adapter.extract_context(DeskRequest("POST", "https://x/", {}, {}, body), workspace=WORKSPACE)


def helpscout():
    return HelpScoutAdapter(settings={"web_url": "https://secure.helpscout.net"}, credentials={})


def test_a_conversation_callback():
    found = context(helpscout(), fixture_bytes("helpscout_callback.json"))

    assert found.workspace is WORKSPACE
    assert (found.emails, found.name, found.requester_id) == (("jane@example.com",), "Jane Doe", "789")
    assert (found.ticket, found.ticket_url) == ("123", "https://secure.helpscout.net/conversation/123/456/")
    assert (found.agent, found.lang) == ("helpscout:42", "")  # no email in the documented user object


def test_a_draft_has_no_ticket_and_the_agent_email_and_locale_are_used_when_sent():
    found = context(helpscout(), fixture_bytes("helpscout_callback_draft.json"))

    assert (found.ticket, found.ticket_url) == ("", "")
    assert found.emails == ("AYSE.YILMAZ@example.com", "ayse@work.example")  # null email skipped; matching normalises
    assert (found.name, found.agent, found.lang) == ("Ayşe Yılmaz", "al@acme.test", "tr")


def test_freescout_links_its_own_conversation_pages():
    adapter = FreeScoutAdapter(settings={"web_url": "https://support.example.com/"}, credentials={})
    found = context(adapter, b'{"ticket":{"id":77},"customer":{"id":7,"email":"jane@example.com","emails":["jane@example.com"]}}')

    assert (found.ticket, found.ticket_url, found.agent) == ("77", "https://support.example.com/conversation/77", "")
    assert context(adapter, fixture_bytes("freescout_callback.json")).emails == ("jane@example.com",)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'"text"', b"\xff\xfe", b'{"customer": "jane@example.com"}',
                                  b'{"ticket": [1]}', b'{"user": 42}'])
def test_bodies_no_desk_sends_are_typed_errors(body):
    with pytest.raises(DeskPayloadError):
        context(helpscout(), body)


@pytest.mark.parametrize("body, emails", [
    (b'{"customer": {}}', ()),
    (b'{"customer": {"email": 5, "emails": "x@y.z"}}', ()),  # wrong types are ignored, not trusted
    (b'{"customer": {"emails": ["a@b.c", "a@b.c", "no-at-sign", null, 3]}}', ("a@b.c",)),
    (b'{"ticket": {"id": "12; DROP"}, "customer": {"email": "a@b.c"}}', ("a@b.c",)),
])
def test_odd_but_well_formed_bodies_give_what_can_be_trusted(body, emails):
    found = context(helpscout(), body)
    assert found.emails == emails and found.ticket == ""
