"""What Crisp sends → DeskContext, from captured-shape fixtures (tests/helpdesks/fixtures/crisp/): the iFrame
widget's query (Crisp's website_id/session_id/token/locale plus our data bindings) and signed hook bodies."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from chargeside.helpdesks.base import DeskPayloadError
from chargeside.helpdesks.crisp.context import (
    conversation_url,
    hook_context,
    parse_hook,
    widget_context,
)

FIXTURES = Path(__file__).parent / "fixtures" / "crisp"
APP = "https://app.crisp.chat"
WEBSITE = "a63d1c82-809d-4ff0-be7b-9c82b24cfcf3"
SESSION = "session_4396ad07-53d9-47a7-81ba-3b6278bf5fae"
INBOX = f"https://app.crisp.chat/website/{WEBSITE}/inbox/{SESSION}/"


def query(name: str) -> dict:
    return parse_qs((FIXTURES / name).read_text(), keep_blank_values=True)


def test_the_widget_load_gives_the_visitor_conversation_and_operator():
    context = widget_context(query("widget_load.query"), workspace=None, app_url=APP)

    assert context.emails == ("ayse.yilmaz@example.com",) and context.name == "Ayşe Yılmaz"
    assert (context.ticket, context.ticket_url) == (SESSION, INBOX)
    assert context.agent == "sam@acme.example" and context.lang == "tr"
    assert context.requester_id == "0c3f1a8e-5b1d-4a55-9a55-3f1e2d3c4b5a"


def test_unfilled_bindings_are_absent_and_the_operator_falls_back_to_its_user_id():
    context = widget_context(query("widget_load_unbound.query"), workspace=None, app_url=APP)

    assert context.emails == () and context.name == "" and context.requester_id == ""
    assert context.agent == "crisp:f1e2d3c4-0000-4000-8000-000000000042" and context.ticket == SESSION


def test_a_session_id_that_is_not_crisps_is_no_ticket():
    bad = query("widget_load.query") | {"session_id": ["../../v1/website/x"]}
    context = widget_context(bad, workspace=None, app_url=APP)

    assert context.ticket == "" and context.ticket_url == ""


def test_a_plain_hook_names_the_conversation_and_the_visitor():
    context = hook_context(parse_hook((FIXTURES / "hook_message_send.json").read_bytes()), workspace=None, app_url=APP)

    assert (context.ticket, context.ticket_url, context.name, context.emails) == (SESSION, INBOX, "Ayşe Yılmaz", ())


def test_a_hook_with_visitor_and_operator():
    context = hook_context(parse_hook((FIXTURES / "hook_with_visitor.json").read_bytes()), workspace=None, app_url=APP)

    assert context.emails == ("ayse.yilmaz@example.com",) and context.agent == "sam@acme.example" and context.lang == "tr"


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"data": "x"}', b"\xff"])
def test_malformed_hooks_are_typed_errors(body):
    with pytest.raises(DeskPayloadError):
        parse_hook(body)


def test_conversation_urls():
    assert conversation_url("https://app.crisp.chat/", WEBSITE, SESSION) == INBOX
    assert conversation_url(APP, "not-a-uuid", SESSION) == "" and conversation_url(APP, WEBSITE, "") == ""
