"""The CRM card data fetch's query string → DeskContext, from the fixtures written in HubSpot's documented shape
(a contact card with additional emails, a ticket card whose user has no visible email), and typed errors."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from chargeside.helpdesks.base import DeskPayloadError, DeskRequest
from chargeside.helpdesks.hubspot.adapter import HubSpotAdapter

from .hubspot_helpers import fixture_query

WORKSPACE = object()


def context(query: str, **settings):
    adapter = HubSpotAdapter(settings={"portal_id": "62515", **settings}, credentials={})
    parsed = parse_qs(query, keep_blank_values=True)
    return adapter.extract_context(DeskRequest("GET", f"https://x/?{query}", {}, parsed, b""), workspace=WORKSPACE)


def test_a_contact_card():
    found = context(fixture_query("contact_card_query.txt"))

    assert found.workspace is WORKSPACE
    assert found.emails == ("jane@example.com", "jane.doe@work.example", "JANE@example.com")  # matching normalises
    assert (found.name, found.requester_id, found.ticket) == ("Jane Doe", "501", "contact:501")
    assert found.ticket_url == "https://app.hubspot.com/contacts/62515/record/0-1/501"
    assert (found.agent, found.lang) == ("acme-agent@example.com", "")  # HubSpot sends no user locale


def test_a_ticket_card_and_a_user_known_by_id():
    found = context(fixture_query("ticket_card_query.txt"), web_url="https://app-eu1.hubspot.com/")

    assert (found.emails, found.name, found.requester_id) == (("ayse.yilmaz@example.com",), "", "")
    assert (found.ticket, found.ticket_url) == ("ticket:9001", "https://app-eu1.hubspot.com/contacts/62515/record/0-5/9001")
    assert found.agent == "hubspot:4242"


def test_the_email_properties_are_the_connections_choice():
    query = fixture_query("ticket_card_query.txt") + "&customer_email=b%40example.com"
    assert context(query, email_properties="customer_email").emails == ("b@example.com",)
    assert context(query, email_properties="customer_email, email").emails == ("b@example.com", "ayse.yilmaz@example.com")


def test_a_record_without_an_email():
    found = context("associatedObjectId=7&associatedObjectType=COMPANY&portalId=62515&userId=1")
    assert (found.emails, found.ticket, found.agent) == ((), "company:7", "hubspot:1")


@pytest.mark.parametrize("query", ["", "associatedObjectId=1", "associatedObjectType=CONTACT",
                                   "associatedObjectType=LEAD&associatedObjectId=1", "associatedObjectType=CONTACT&associatedObjectId=1x",
                                   "associatedObjectType=CONTACT&associatedObjectId=-1"])
def test_queries_hubspot_does_not_send_are_typed_errors(query):
    with pytest.raises(DeskPayloadError):
        context(query)


def test_garbage_emails_are_dropped_not_trusted():
    found = context("associatedObjectId=1&associatedObjectType=CONTACT&email=no-at-sign&hs_additional_emails=%3B%3Ba%40b.c%3Ba%40b.c")
    assert found.emails == ("a@b.c",)
