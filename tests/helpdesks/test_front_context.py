"""The plugin SDK's context → DeskContext, from captured contexts in the SDK's documented shape (Context,
Conversation.recipient, Recipient.contact, Teammate), and typed errors for contexts that are not one
conversation."""

from __future__ import annotations

import pytest

from chargeside.helpdesks.base import DeskPayloadError, DeskRequest
from chargeside.helpdesks.front.adapter import FrontAdapter

from .front_desk_helpers import fixture_text

WORKSPACE = object()


def context(body: str | bytes, **settings):
    adapter = FrontAdapter(settings=settings, credentials={})
    raw = body.encode() if isinstance(body, str) else body
    return adapter.extract_context(DeskRequest("POST", "https://x/", {}, {}, raw), workspace=WORKSPACE)


def test_a_single_conversation_with_its_recipient_contact_and_teammate():
    found = context(fixture_text("context_single.json"))

    assert found.workspace is WORKSPACE
    assert found.emails == ("jane@example.com", "jane.doe@work.example")  # the phone handle is not an email
    assert (found.name, found.requester_id) == ("Jane Doe", "crd_2n4a6")
    assert (found.ticket, found.ticket_url) == ("cnv_55c8c149", "https://app.frontapp.com/open/cnv_55c8c149")
    assert (found.agent, found.lang) == ("Sam.Agent@acme.test", "")  # the SDK sends no locale


def test_a_teammate_without_email_is_known_by_its_front_id_and_a_phone_recipient_has_no_email():
    found = context(fixture_text("context_sms_no_email_teammate.json"), web_url="https://acme.frontapp.com/")

    assert (found.emails, found.name, found.agent) == ((), "", "front:tea_9x1")
    assert found.ticket_url == "https://acme.frontapp.com/open/cnv_9a"


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b"\xff", b'"x"', b'{"type": "noConversation", "teammate": {}}',
                                  b'{"type": "multiConversations", "conversations": [{"id": "cnv_1"}]}',
                                  b'{"type": "singleConversation", "conversation": {"id": ""}}',
                                  b'{"type": "singleConversation", "conversation": "cnv_1"}',
                                  b'{"type": "singleConversation", "conversation": {"id": ["cnv_1"]}}'])
def test_contexts_that_are_not_one_conversation_are_typed_errors(body):
    with pytest.raises(DeskPayloadError):
        context(body)


@pytest.mark.parametrize("recipient, emails", [
    ({"handle": 5, "type": "email"}, ()),
    ({"handle": "a@b.c", "type": "email", "contact": {"handles": "a@b.c"}}, ("a@b.c",)),
    ({"handle": "a@b.c", "type": "email", "contact": {"handles": [None, {"handle": "a@b.c"}, {"handle": "d@e.f", "source": "email"}]}},
     ("a@b.c", "d@e.f")),
    ({"handle": "@someone", "type": "twitter"}, ()),
])
def test_odd_recipients_give_what_can_be_trusted(recipient, emails):
    import json

    body = json.dumps({"type": "singleConversation", "conversation": {"id": "cnv_1", "recipient": recipient}, "teammate": 7})
    found = context(body)
    assert (found.emails, found.agent) == (emails, "")


def test_a_context_larger_than_any_sdk_context_is_refused():
    with pytest.raises(DeskPayloadError, match="too large"):
        context(b'{"type": "singleConversation", "x": "' + b"a" * 70000 + b'"}')
