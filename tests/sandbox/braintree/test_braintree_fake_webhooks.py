"""Notifications are signed like Braintree's, readable by the SDK, sent on state changes, and retried."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qs

import pytest
from sandbox_braintree_client import customer_with_card

from chargeside.sandbox.braintree.seed import seed


class Inbox:
    def __init__(self, fail_first: int = 0):
        self.bodies: list[bytes] = []
        self.fail_first = fail_first
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                inbox.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(500 if len(inbox.bodies) <= inbox.fail_first else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def inbox():
    box = Inbox(fail_first=1)
    yield box
    box.server.shutdown()


def test_protocol_vector_signature(bt_fake):
    from chargeside.sandbox.braintree.webhooks import sign

    assert sign(b"PG5vdGlmaWNhdGlvbj48L25vdGlmaWNhdGlvbj4=\n", "integration_public_key", "integration_private_key") == \
        "integration_public_key|9d8c26221276dbabd81c02e5f37208929f074e90"


def test_notification_parses_with_the_sdk(bt_fake, bt):
    _, token = customer_with_card(bt)
    sale = bt.transaction.sale({"amount": "10.00", "payment_method_token": token, "options": {"submit_for_settlement": True}}).transaction
    bt_fake.settle(sale.id)
    fields = parse_qs(bt_fake.notification("transaction_settled", "transaction", sale.id).decode())
    notification = bt.webhook_notification.parse(fields["bt_signature"][0], fields["bt_payload"][0])
    assert (notification.kind, notification.transaction.id, notification.transaction.status) == ("transaction_settled", sale.id, "settled")


def test_state_changes_are_posted_and_retried(bt_fake, bt, inbox):
    bt_fake.webhooks.register(inbox.url)
    bt_fake.store.plan_add("pro", "Pro", "29.00", "USD")
    _, token = customer_with_card(bt)
    sub = bt.subscription.create({"plan_id": "pro", "payment_method_token": token}).subscription
    bt.subscription.cancel(sub.id)
    bt_fake.webhooks.drain()
    kinds = []
    for body in inbox.bodies:
        fields = parse_qs(body.decode())
        kinds.append(bt.webhook_notification.parse(fields["bt_signature"][0], fields["bt_payload"][0]).kind)
    # the first delivery failed with 500 and was sent again (the retry may arrive after the next notification)
    assert sorted(kinds) == ["subscription_canceled", "subscription_charged_successfully", "subscription_charged_successfully"]
    assert sorted(a.ok for a in bt_fake.webhooks.sent) == [False, True, True]


def test_seed_makes_a_realistic_merchant(bt_fake, bt):
    ids = seed(bt_fake, 12)
    state = bt_fake.store.state
    assert len(ids) == 12 and len(state.customers) == 12
    assert {t["currency_iso_code"] for t in state.transactions.values()} == {"USD", "EUR", "TRY"}
    assert {t["status"] for t in state.transactions.values()} >= {"settled", "processor_declined", "authorized", "submitted_for_settlement"}
    assert any(t["type"] == "credit" for t in state.transactions.values())
    assert {s["status"] for s in state.subscriptions.values()} >= {"Active", "Past Due", "Canceled"}
    assert state.disputes
    assert len(list(bt.customer.all().items)) == 12  # everything readable through the SDK
