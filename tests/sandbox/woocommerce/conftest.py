"""Fixtures for the fake WooCommerce store: a started fake, the official SDK pointed at it, a webhook receiver."""

from __future__ import annotations

import http.server
import threading

import pytest
import woocommerce

from chargeside.sandbox.woocommerce import CONSUMER_KEY, CONSUMER_SECRET, WooFake


@pytest.fixture
def fake():
    fake = WooFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def wcapi(fake) -> woocommerce.API:
    return woocommerce.API(url=fake.base_url, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET, version="wc/v3", timeout=5)


class WooReceiver:
    """A local endpoint recording deliveries; answers with scripted statuses, then 200."""

    def __init__(self):
        self.deliveries: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/woo"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = WooReceiver()
    yield receiver
    receiver.close()
