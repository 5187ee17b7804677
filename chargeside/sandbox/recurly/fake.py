"""`RecurlyFake`: the store, the API pipeline, notifications, faults and controls in one object.

    fake = RecurlyFake()                      # any non-empty API key; RecurlyFake(api_keys={"k"}) only those
    base_url = fake.start()                   # http://127.0.0.1:PORT on a daemon thread
    sdk = recurly.Client("k"); chargeside.gateways.recurly.client.point_at(sdk, base_url)
    fake.control.add_endpoint(url, secret)    # where signed notifications go
    fake.webhooks.drain(); fake.stop()

State is in memory for the fake's lifetime. Pure stdlib; no Django.
"""

from __future__ import annotations

from chargeside.sandbox.loopback import ServerThread

from . import resources  # noqa: F401  (registers the routes)
from .api import Api
from .faults import Faults
from .server import make_server
from .store import Clock, Store
from .webhooks import Webhooks


class RecurlyFake:
    def __init__(self, api_keys: set[str] | None = None, *, rng_seed: int | None = None, site_id: str = "sandboxsite1"):
        self.store = Store(rng_seed)
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.site_id = site_id
        self.clock = Clock()
        self.faults = Faults()
        self.webhooks = Webhooks()
        self.api = Api(self)
        self.base_url: str | None = None
        self._serving: ServerThread | None = None
        self._outbox: list[dict] = []
        from .control import Control

        self.control = Control(self)

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        self._serving = ServerThread(make_server(self.api, host, port), "recurly-fake-http")
        self.base_url = self._serving.base_url
        return self.base_url

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
        self.webhooks.stop()

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- notifications: collected while a request or control runs, sent once it has finished -------------
    def notify(self, object_type: str, event_type: str, object_id: str, *, uuid: str | None = None, account_code: str | None = None) -> None:
        note = {"id": object_id, "object_type": object_type, "site_id": self.site_id, "event_type": event_type,
                "event_time": self.clock.iso(), "uuid": uuid or self.store.new_uuid()}
        if account_code is not None:
            note["account_code"] = account_code
        with self.store.lock:
            self._outbox.append(note)

    def flush_notifications(self) -> None:
        with self.store.lock:
            outbox, self._outbox = self._outbox, []
        for note in outbox:
            self.webhooks.enqueue(note)
