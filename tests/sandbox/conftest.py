"""Fixtures for the Stripe fake: a started fake, an SDK client on it, a webhook receiver.

Every response the ``fake`` fixture serves is validated against the bundled OpenAPI spec at
teardown (see ``sandbox_stripe_spec.py`` for the allow-list); without the spec file that
check is skipped (``test_stripe_fake_spec.py`` reports it).
"""

from __future__ import annotations

import http.server
import sys
import threading
from pathlib import Path

import pytest
import stripe

sys.path.insert(0, str(Path(__file__).parent))  # helpers beside this file, whatever the import mode
import sandbox_stripe_spec as spec_check

from chargeside.sandbox.stripe import StripeFake

from sandbox_stripe_client import API_KEY, make_client  # noqa: E402,F401  (re-exported for fixtures)


def _validated(**options):
    """A started fake whose every response is checked against the spec when the test ends;
    ``fake.exchanges`` holds them (method, path, status, body, content type)."""
    fake = StripeFake(**options)
    exchanges: list[tuple] = []

    def record(method, target, headers, body, response):
        if not response.drop:
            exchanges.append((method, target.partition("?")[0], response.status, response.body,
                              response.headers.get("Content-Type", "application/json")))

    fake.exchanges = exchanges
    fake.api.observers.append(record)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    if spec_check.SPEC_PATH.exists():
        problems = sorted({p for ex in exchanges for p in spec_check.problems(*ex)})
        assert not problems, "responses that do not match the spec:\n" + "\n".join(problems)


@pytest.fixture
def fake():
    yield from _validated()


@pytest.fixture
def current_fake():
    """The default fake, named for tests about the current API's shape (no legacy fields)."""
    yield from _validated()


@pytest.fixture
def legacy_fake():
    """A fake that also serves the fields the current API no longer has (``legacy_fields=True``)."""
    yield from _validated(legacy_fields=True)


@pytest.fixture
def client(fake) -> stripe.StripeClient:
    return make_client(fake.base_url)


class Receiver:
    """A local webhook endpoint that records deliveries and answers with scripted statuses."""

    def __init__(self):
        self.deliveries: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []  # consumed first; then 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/stripe"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def customer(client):
    """A customer with a default Visa card."""
    cus = client.v1.customers.create(params={"email": "jenny.rosen@example.com", "name": "Jenny Rosen",
                                             "payment_method": "pm_card_visa"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    return client.v1.customers.update(cus.id, params={"invoice_settings": {"default_payment_method": pm.id}})
