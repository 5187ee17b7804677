"""Canvas Kit request bodies (captured shapes under fixtures/intercom/) → DeskContext and the submitted
interaction: requester email and name, Intercom's contact id, the conversation id and its Inbox URL, the
teammate (email, else "intercom:<admin id>"), the teammate's locale."""

from __future__ import annotations

import json

import pytest

from chargeside.helpdesks.base import DeskPayloadError
from chargeside.helpdesks.intercom.context import (
    canvas_context,
    parse_request,
    submitted,
)

from .test_intercom_support import fixture


def context(payload: dict):
    return canvas_context(payload, workspace=None, desk_key="intercom", inbox_url="https://app.intercom.com")


def test_initialize_gives_the_contact_conversation_and_admin():
    found = context(parse_request(fixture("initialize.json")))
    assert found.emails == ("jane@example.com",) and found.name == "Jane Doe"
    assert found.requester_id == "6657a1b2c3d4e5f601234567"
    assert found.ticket == "4321"
    assert found.ticket_url == "https://app.intercom.com/a/inbox/abc123/inbox/conversation/4321"
    assert found.agent == "sam.agent@example.com" and found.lang == "en"


def test_the_vector_body_without_a_conversation_object_uses_the_context_id():
    found = context(parse_request(fixture("vector_initialize.json")))
    assert (found.ticket, found.emails, found.agent, found.requester_id) == ("111", ("jane@example.com",), "agent@example.com", "c1")


def test_submit_gives_the_component_inputs_and_stored_data_and_the_teammate_locale():
    payload = parse_request(fixture("submit_review.json"))
    found, interaction = context(payload), submitted(payload)
    assert found.lang == "tr-TR" and found.ticket == "4321"
    assert interaction.component_id == "review:refund:7"
    assert interaction.input_values == {"amount": "45.50", "reason": "Charged twice"}
    assert interaction.stored_data == {"step": "form"} and interaction.admin_id == "814860"


def test_an_admin_without_email_is_known_by_desk_identity_and_a_contact_without_email_has_none():
    payload = json.loads(fixture("initialize.json"))
    payload["admin"].pop("email")
    payload["contact"].pop("email")
    found = context(payload)
    assert found.agent == "intercom:814860" and found.emails == ()


def test_outside_a_conversation_there_is_no_ticket():
    payload = json.loads(fixture("initialize.json"))
    payload.pop("conversation")
    payload["context"] = {"location": "home"}
    assert context(payload).ticket == "" and context(payload).ticket_url == ""


@pytest.mark.parametrize("body", [b"\xff", b"null", b'"text"', b'{"contact": []}', b'{"admin": 1}'])
def test_malformed_bodies_are_typed_errors(body):
    with pytest.raises(DeskPayloadError):
        context(parse_request(body))
