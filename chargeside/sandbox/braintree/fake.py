"""BraintreeFake: the fake gateway as one object (start/stop, base URL, credentials, control, webhooks).

    fake = BraintreeFake(); fake.start()
    gateway = braintree.BraintreeGateway(braintree.Configuration(
        braintree.Environment("fake", "127.0.0.1", str(fake.port), "", False, None),
        merchant_id=fake.merchant_id, public_key=fake.public_key, private_key=fake.private_key))

Control (what the Braintree control panel and billing engine do, for tests and the demo): `settle(tid)`,
`open_dispute(tid)`, `dispute_status(did, status)`, `renew(sid)`, `past_due(sid)`, `expire(sid)`,
`faults.add(...)`, `unreachable = True`, `clock_offset` (seconds added to now), `webhooks.register(url)`.
Every state change Braintree notifies about is sent to the registered URLs (see webhooks.py).
"""

from __future__ import annotations

import datetime as dt

from chargeside.sandbox.loopback import ServerThread

from . import shapes
from . import webhooks as hooks
from .api import Api
from .server import make_server
from .store import Store

DEFAULT_ACCOUNTS = {"chargeside_usd": "USD", "chargeside_eur": "EUR", "chargeside_try": "TRY"}
# Subscription kinds Braintree sends for status changes, keyed by the new status.
SUBSCRIPTION_KINDS = {"Past Due": "subscription_went_past_due", "Expired": "subscription_expired", "Canceled": "subscription_canceled",
                      "Active": "subscription_went_active"}
DISPUTE_KINDS = {"open": "dispute_opened", "won": "dispute_won", "lost": "dispute_lost", "accepted": "dispute_accepted",
                 "auto_accepted": "dispute_auto_accepted", "disputed": "dispute_disputed", "expired": "dispute_expired",
                 "under_review": "dispute_under_review"}


class BraintreeFake:
    def __init__(self, *, merchant_id: str = "chargeside_merchant", public_key: str = "chargeside_public",
                 private_key: str = "chargeside_private", merchant_accounts: dict[str, str] | None = None,
                 default_account: str = "chargeside_usd", host: str = "127.0.0.1", port: int = 0):
        self.merchant_id, self.public_key, self.private_key = merchant_id, public_key, private_key
        self.clock_offset = 0.0
        self.unreachable = False
        self.store = Store(merchant_id=merchant_id, merchant_accounts=merchant_accounts or DEFAULT_ACCOUNTS,
                           default_account=default_account, clock=self.now, notify=self.notify)
        self.webhooks = hooks.Webhooks()
        self.api = Api(self)
        self.faults = self.api.faults
        self._host, self._port = host, port
        self._serving: ServerThread | None = None

    # --- lifecycle --------------------------------------------------------------------------------------
    def start(self) -> BraintreeFake:
        self._serving = ServerThread(make_server(self.api, self._host, self._port), "braintree-fake")
        return self

    def stop(self) -> None:
        self.webhooks.stop()
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    @property
    def port(self) -> int:
        return self._serving.server.server_address[1]

    @property
    def base_url(self) -> str:
        return self._serving.base_url

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.clock_offset)

    # --- notifications ----------------------------------------------------------------------------------
    def notification(self, kind: str, subject: str, object_id: str, *, timestamp: dt.datetime | None = None) -> bytes:
        """The signed form body Braintree would POST for `kind` about one object, as it is now."""
        render = {"subscription": (self.store.subscription, shapes.subscription),
                  "transaction": (self.store.transaction, shapes.transaction),
                  "dispute": (lambda i: self.store.state.disputes[i], shapes.dispute)}[subject]
        with self.store.lock:
            obj = render[1](self.store, render[0](object_id))
        return hooks.form_body(kind, (timestamp or self.now()).replace(microsecond=0), subject, obj, self.public_key, self.private_key)

    def notify(self, kind: str, subject: str, object_id: str) -> None:
        if self.webhooks.endpoints:
            self.webhooks.enqueue(kind, self.notification(kind, subject, object_id))

    def after_change(self, what: str, obj: dict) -> None:
        if what == "subscription_created" and obj["transaction_ids"]:
            self.notify("subscription_charged_successfully", "subscription", obj["id"])

    # --- control ----------------------------------------------------------------------------------------
    def settle(self, transaction_id: str) -> dict:
        tx = self.store.settle(transaction_id)
        self.notify("transaction_settled", "transaction", tx["id"])
        return tx

    def open_dispute(self, transaction_id: str, **kw) -> dict:
        dispute = self.store.dispute_open(transaction_id, **kw)
        self.notify("dispute_opened", "dispute", dispute["id"])
        return dispute

    def dispute_status(self, dispute_id: str, status: str) -> dict:
        dispute = self.store.dispute_status(dispute_id, status)
        self.notify(DISPUTE_KINDS[status], "dispute", dispute_id)
        return dispute

    def renew(self, subscription_id: str) -> tuple[dict, dict]:
        with self.store.lock:
            before = self.store.subscription(subscription_id)["status"]
            sub, tx = self.store.subscription_renew(subscription_id)
        if tx["status"] == "submitted_for_settlement":
            self.notify("subscription_charged_successfully", "subscription", subscription_id)
            if before == "Past Due":
                self.notify("subscription_went_active", "subscription", subscription_id)
        else:
            self.notify("subscription_charged_unsuccessfully", "subscription", subscription_id)
            self.notify("subscription_went_past_due", "subscription", subscription_id)
        return sub, tx

    def past_due(self, subscription_id: str) -> dict:
        sub = self.store.subscription_set_status(subscription_id, "Past Due")
        self.notify("subscription_went_past_due", "subscription", subscription_id)
        return sub

    def expire(self, subscription_id: str) -> dict:
        sub = self.store.subscription_set_status(subscription_id, "Expired")
        self.notify("subscription_expired", "subscription", subscription_id)
        return sub
