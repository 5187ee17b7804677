"""What a note says (in the agent's language, escaped for desks that take HTML), and which actions leave one."""

from __future__ import annotations

import pytest

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Customer
from chargeside.connections.models import Connection
from chargeside.helpdesks.base import DeskNoteText
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import note_after_action, note_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(workspace, agent, stripe_connection):
    customer = Customer.objects.create(workspace=workspace, email="ayse.yilmaz@example.com", name="Ayşe Yılmaz")
    return ActionAttempt.objects.create(
        workspace=workspace, key="k1", action="refund", member=agent, connection=stripe_connection, customer=customer,
        target_remote_id="ch_123", params={}, params_hash="h", amount=4550, currency="TRY",
        reason="<script>alert(1)</script> charged twice", status=ActionAttempt.Status.SUCCEEDED, source="desk:helpscout",
    )


def test_the_note_says_what_for_how_much_by_whom_why_and_links_the_audit_trail(attempt, agent, settings):
    text = note_text(attempt, "en")

    assert text.title == "Chargeside: Refund made: TRY\u00a045.50"
    assert text.lines == (("Customer", "Ayşe Yılmaz"), ("At", "Stripe ch_123"), ("By", agent.display_name),
                          ("Reason", "<script>alert(1)</script> charged twice"))
    assert text.link_url == f"{settings.CHARGESIDE_PUBLIC_URL}/audit/?action=refund&customer={attempt.customer_id}"


def test_the_note_is_in_the_agents_language(attempt):
    text = note_text(attempt, "tr")

    assert text.title.startswith("Chargeside: İade yapıldı: ") and "45,50" in text.title
    assert [label for label, _value in text.lines] == ["Müşteri", "Nerede", "Yapan", "Neden"]


def test_html_notes_escape_what_people_typed():
    html = DeskNoteText(title="Refund <b>", lines=(("Reason", "<script>x</script>"),), link_label="Audit",
                        link_url='https://c.example/audit/?a=1&b="2"').html()

    assert html == ("<b>Refund &lt;b&gt;</b><br>Reason: &lt;script&gt;x&lt;/script&gt;<br>"
                    '<a href="https://c.example/audit/?a=1&amp;b=&quot;2&quot;">Audit</a>')


def test_one_note_per_attempt_and_desk_and_none_for_actions_that_did_not_succeed(attempt, workspace, helpscout_connection):
    desk = (helpscout_connection.pk, "123", "helpscout")

    first = note_after_action(desk=desk, attempt=attempt, language="en")
    again = note_after_action(desk=desk, attempt=attempt, language="en")
    attempt.status = ActionAttempt.Status.AWAITING_APPROVAL

    assert first.pk == again.pk and DeskNote.objects.count() == 1
    assert note_after_action(desk=desk, attempt=attempt, language="en") is None


def test_no_note_for_a_draft_or_a_connection_of_another_workspace(attempt, other_workspace, helpscout_connection):
    foreign = Connection.objects.create(workspace=other_workspace, kind=Connection.Kind.HELPDESK, provider="helpscout", name="HS")

    assert note_after_action(desk=(helpscout_connection.pk, "", "helpscout"), attempt=attempt, language="en") is None
    assert note_after_action(desk=(foreign.pk, "123", "helpscout"), attempt=attempt, language="en") is None
    assert DeskNote.objects.count() == 0
