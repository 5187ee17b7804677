"""WooFake: a local WooCommerce store (REST wc/v3) that the unmodified `woocommerce` SDK talks to.

    fake = WooFake(); fake.start()            # http://127.0.0.1:<port>, key ck_test / cs_test
    customer = fake.create_customer("ada@example.com", "Ada", "Lovelace")
    order = fake.create_order(customer_id=customer["id"], total="50.00", currency="EUR")
    fake.create_webhook(delivery_url=..., topic="order.updated", secret="woo_secret")
    ...; fake.flush(); fake.stop()

The methods of `Shop` are the control API (what the shop admin or a customer at checkout does); the REST
routes are in api.py; webhooks in webhooks.py; scripted outages in faults.py.
"""

from __future__ import annotations

from .api import Api
from .auth import ApiKey, Authenticator
from .faults import Faults
from .server import Server
from .shop import Shop
from .store import Store
from .webhooks import Dispatcher

CONSUMER_KEY = "ck_test"
CONSUMER_SECRET = "cs_test"


class WooFake(Shop):
    def __init__(self, *, state_path: str | None = None, currency: str = "EUR", subscriptions: bool = True,
                 keys: list[ApiKey] | None = None, webhook_retries: int = 0, port: int = 0):
        self.store = Store(state_path)
        self.currency = currency.upper()
        self.subscriptions_enabled = subscriptions
        self.auth = Authenticator(keys or [ApiKey(CONSUMER_KEY, CONSUMER_SECRET)])
        self.faults = Faults()
        self.gateway_refusals: dict[int, str] = {}  # order id → the payment plugin's error for the next refund
        self.requests: list[tuple[str, str, dict, int]] = []  # (method, path, query, status), for tests
        self.api = Api(self)
        self.dispatcher = Dispatcher(self, retries=webhook_retries)
        self.server = Server(self, port)
        self.home = f"http://127.0.0.1:{self.server.port}"

    @property
    def base_url(self) -> str:
        return self.home

    def start(self) -> WooFake:
        self.server.start()
        self.dispatcher.start()
        return self

    def stop(self) -> None:
        self.dispatcher.flush()
        self.dispatcher.stop()
        self.server.stop()
        self.store.close()

    def flush(self) -> None:
        """Wait until every queued webhook delivery has been sent (no sleeping in tests)."""
        self.dispatcher.flush()

    @property
    def deliveries(self):
        return self.dispatcher.log
