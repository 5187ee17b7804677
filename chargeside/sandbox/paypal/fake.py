"""``PayPalFake``: store, API, webhooks, faults and controls in one object, served on 127.0.0.1."""

from __future__ import annotations

from chargeside.sandbox.loopback import ServerThread, base_url

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
        self._serving: ServerThread | None = None

    def accepts(self, client_id: str, secret: str) -> bool:
        return bool(client_id) and self.clients.get(client_id) == secret

    def start(self, port: int = 0, host: str = LOOPBACK) -> str:
        self._serving = ServerThread(make_server(self.api, host, port), "paypal-fake-http")
        self.base_url = self.webhooks.base_url = self._serving.base_url
        return self.base_url

    def serve_forever(self, port: int = 12112, host: str = LOOPBACK) -> None:
        server = make_server(self.api, host, port)
        self.base_url = self.webhooks.base_url = base_url(server)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
        self.webhooks.stop()

    close = stop

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
