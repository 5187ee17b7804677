"""``PayPalFake``: store, API, webhooks, faults and controls in one object, served on 127.0.0.1."""

from __future__ import annotations

import threading

from .api import Api
from .control import Control
from .faults import Faults
from .server import LOOPBACK, make_server
from .signing import Signer
from .store import Store
from .webhooks import Webhooks

CLIENT_ID = "AZfakeChargesideClientId"
CLIENT_SECRET = "EKfakeChargesideClientSecret"


class PayPalFake:
    """A stateful fake of PayPal's REST APIs (orders, payments, subscriptions, catalog, invoicing, disputes,
    transaction search, webhooks). `clients` maps accepted client ids to secrets (default: CLIENT_ID/CLIENT_SECRET)."""

    def __init__(self, clients: dict[str, str] | None = None):
        self.clients = dict(clients) if clients is not None else {CLIENT_ID: CLIENT_SECRET}
        self.store = Store()
        self.clock = self.store.clock
        self.signer = Signer()
        self.faults = Faults()
        self.webhooks = Webhooks(self.store, self.signer)
        self.api = Api(self)
        self.control = Control(self)
        self.base_url: str | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    def accepts(self, client_id: str, secret: str) -> bool:
        return bool(client_id) and self.clients.get(client_id) == secret

    def start(self, port: int = 0, host: str = LOOPBACK) -> str:
        self._server = make_server(self.api, host, port)
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self.webhooks.base_url = self.base_url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="paypal-fake-http", daemon=True)
        self._thread.start()
        return self.base_url

    def serve_forever(self, port: int = 12112, host: str = LOOPBACK) -> None:
        self._server = make_server(self.api, host, port)
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self.webhooks.base_url = self.base_url
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.webhooks.stop()

    close = stop

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
