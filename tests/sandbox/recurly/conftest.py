"""Fixtures for the Recurly fake: a started fake whose every response is validated against api.yaml at teardown,
the official SDK on it (through the adapter's one base-URL override), and a webhook receiver."""

from __future__ import annotations

import http.server
import sys
import threading
from pathlib import Path

import pytest
import recurly

sys.path.insert(0, str(Path(__file__).parent))
import sandbox_recurly_spec as spec_check  # noqa: E402

from chargeside.gateways.recurly.client import point_at  # noqa: E402
from chargeside.sandbox.recurly import RecurlyFake  # noqa: E402

API_KEY = "recurly_sandbox_key"


@pytest.fixture
def fake():
    fake = RecurlyFake(api_keys={API_KEY}, rng_seed=3)
    exchanges: list[tuple] = []
    fake.api.observers.append(lambda *ex: exchanges.append(ex))
    fake.exchanges = exchanges
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    assert SPEC_OK, "the Recurly spec file is missing"
    found = sorted({p for ex in exchanges for p in spec_check.problems(*ex)})
    assert not found, "responses that do not match api.yaml:\n" + "\n".join(found)


SPEC_OK = spec_check.SPEC_PATH.exists()


@pytest.fixture
def sdk(fake):
    return point_at(recurly.Client(API_KEY), fake.base_url)


@pytest.fixture
def receiver():
    """A local HTTP endpoint that records what it receives; `receiver.fail = n` answers 500 n times first."""
    received: list[tuple[dict, bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if server.fail > 0:
                server.fail -= 1
                self.send_response(500)
            else:
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.fail = 0
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
