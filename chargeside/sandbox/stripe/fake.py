"""``StripeFake``: the store, the API pipeline, webhooks, faults and controls in one object."""

from __future__ import annotations

from chargeside.sandbox.loopback import LOOPBACK_HOSTS as LOOPBACK
from chargeside.sandbox.loopback import ServerThread, base_url

from . import resources  # noqa: F401  (registers routes and object defaults)
from .api import Api
from .context import Clock
from .faults import Faults
from .idempotency import Idempotency
from .server import make_server, wsgi_app
from .store import Store
from .webhooks import Webhooks


class StripeFake:
    """A stateful fake of the Stripe v1 API for the official SDK.

    ``state_path=None`` keeps state in a temporary file removed on :meth:`stop`/:meth:`close`;
    a path persists it (seed in one process, serve in another). ``api_keys=None`` accepts any
    ``sk_test_``/``rk_test_`` key. ``legacy_fields=True`` also serves, in responses and webhooks,
    the fields the current API no longer has, for code written against older versions (see :mod:`.legacy`).
    """

    def __init__(self, state_path: str | None = None, api_keys: set[str] | None = None, *,
                 legacy_fields: bool = False):
        self.store = Store(state_path)
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.legacy_fields = legacy_fields
        self.clock = Clock(self.store.meta_get("clock_offset", 0))
        self.faults = Faults()
        self.idempotency = Idempotency(self.store)
        # Signatures use the wall clock (receivers check them against theirs), not the test clock.
        self.webhooks = Webhooks()
        self.api = Api(self)
        self.base_url: str | None = None
        self._serving: ServerThread | None = None
        from .control import Control

        self.control = Control(self)

    # -- serving ----------------------------------------------------------------------------

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serve on a daemon thread; returns the base URL (``http://127.0.0.1:PORT``)."""
        self._serving = ServerThread(make_server(self.api, host, port), "stripe-fake-http")
        self.base_url = self._serving.base_url
        return self.base_url

    def serve_forever(self, port: int = 12111, host: str = "127.0.0.1") -> None:
        """Serve in the foreground until interrupted."""
        server = make_server(self.api, host, port)
        self.base_url = base_url(server)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
        self.webhooks.stop()
        self.store.close()

    close = stop

    def wsgi_app(self, environ, start_response):
        """WSGI entry point (mount the fake inside another server if you prefer)."""
        return wsgi_app(self.api, environ, start_response)

    def __enter__(self) -> StripeFake:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- used by the pipeline and the controls ------------------------------------------------

    def webhook_endpoints(self) -> list[dict]:
        return self.store.find("webhook_endpoint", limit=500)

    def dispatch(self, events: list[dict]) -> None:
        if not events:
            return
        endpoints = self.webhook_endpoints()
        if not endpoints:
            return
        for event in events:
            self.webhooks.enqueue(event, endpoints)


__all__ = ["LOOPBACK", "StripeFake"]
