"""The demo's four other gateways (PayPal, Braintree, WooCommerce, Recurly), as fakes on fixed loopback ports.

These fakes keep their state in memory, so seeding and serving must happen in the one process that holds
them: `chargeside demo` (for as long as it runs) or `chargeside sandbox serve-gateways`. Each start seeds them
afresh and deterministically (the same customers, amounts and states; PayPal's and Braintree's generated ids
differ from run to run, as they would between two real accounts). Ayşe Yılmaz, the demo's landing customer at
the fake Stripe, is also a PayPal buyer (USD) and a Braintree customer (TRY) with the same email.

What a Connection needs is here too (`settings`, `credentials`), and `register_webhook` subscribes a URL the
way an operator does at each provider: PayPal's and WooCommerce's REST APIs (through the adapter's own
client), Braintree's and Recurly's control panels (their fakes' control API, since neither has a REST call).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

DEFAULT_PORTS = {"paypal": 12112, "braintree": 12113, "woocommerce": 12114, "recurly": 12115}
PROVIDERS = tuple(DEFAULT_PORTS)
NAMES = {"paypal": "PayPal (sandbox)", "braintree": "Braintree (sandbox)", "woocommerce": "WooCommerce (sandbox)",
         "recurly": "Recurly (sandbox)"}
CUSTOMERS = 24  # per gateway: enough to look like a shop, small enough to keep the demo's start short
RECURLY_API_KEY = "recurly_demo_api_key"
# The WooCommerce topics Chargeside reads (orders carry refunds; subscriptions need the extension).
WOO_TOPICS = ("order.created", "order.updated", "order.deleted", "customer.created", "customer.updated",
              "subscription.created", "subscription.updated")


@dataclass
class DemoGateways:
    """The running fakes, by provider key."""

    fakes: dict[str, object] = field(default_factory=dict)

    def base_url(self, provider: str) -> str:
        return self.fakes[provider].base_url

    def settings(self, provider: str) -> dict[str, str]:
        fake = self.fakes[provider]
        if provider == "paypal":
            from .paypal.fake import CLIENT_ID

            # The fake signs with a certificate it serves itself; 400 days cover the seeded history.
            return {"base_url": fake.base_url, "client_id": CLIENT_ID, "cert_hosts": "127.0.0.1", "backfill_days": "400"}
        if provider == "braintree":
            state = fake.store.state
            accounts = ",".join(f"{currency}:{account}" for account, currency in state.merchant_accounts.items())
            return {"base_url": fake.base_url, "merchant_id": fake.merchant_id, "merchant_accounts": accounts,
                    "default_currency": state.merchant_accounts[state.default_account]}
        if provider == "woocommerce":
            from .woocommerce.fake import CONSUMER_KEY

            return {"base_url": fake.base_url, "consumer_key": CONSUMER_KEY, "subscriptions_extension": "yes"}
        return {"base_url": fake.base_url}

    def credentials(self, provider: str) -> dict[str, str]:
        fake = self.fakes[provider]
        if provider == "paypal":
            from .paypal.fake import CLIENT_SECRET

            return {"client_secret": CLIENT_SECRET}
        if provider == "braintree":
            return {"public_key": fake.public_key, "private_key": fake.private_key}
        if provider == "woocommerce":
            from .woocommerce.fake import CONSUMER_SECRET

            return {"consumer_secret": CONSUMER_SECRET}
        return {"api_key": RECURLY_API_KEY}

    def register_webhook(self, connection, url: str) -> None:
        """Subscribe `url` at the provider of `connection` as its operator would, and keep on the connection what
        verifying deliveries needs. A secret we choose is saved before subscribing: WooCommerce pings at once."""
        from chargeside.gateways.registry import adapter_for

        provider = connection.provider
        fake = self.fakes[provider]
        if provider == "paypal":  # POST /v1/notifications/webhooks; PayPal names the webhook, we verify with its id
            hook = adapter_for(connection).client.request("POST", "/v1/notifications/webhooks",
                                                          body={"url": url, "event_types": [{"name": "*"}]})
            _keep(connection, settings={"webhook_id": hook["id"]})
        elif provider == "woocommerce":  # POST /wp-json/wc/v3/webhooks, one per topic, with a secret we choose
            secret = secrets.token_urlsafe(24)
            _keep(connection, credentials={"webhook_secret": secret})
            client = adapter_for(connection).client
            for topic in WOO_TOPICS:
                client.post("webhooks", {"name": f"Chargeside {topic}", "topic": topic, "delivery_url": url, "secret": secret,
                                         "status": "active"})
        elif provider == "braintree":  # Control Panel → Webhooks; signed with the API keys, no secret of its own
            fake.webhooks.register(url)
        else:  # Recurly: Integrations → Webhooks, where Recurly shows the endpoint's signature secret
            secret = secrets.token_hex(16)
            _keep(connection, credentials={"webhook_secret": secret})
            fake.control.add_endpoint(url, secret)

    def stop(self) -> None:
        for fake in self.fakes.values():
            fake.stop()
        self.fakes.clear()


def start_demo_gateways(ports: dict[str, int] | None = None, *, customers: int = CUSTOMERS) -> DemoGateways:
    """Start and seed the four fakes on 127.0.0.1 (`ports` overrides DEFAULT_PORTS; 0 picks a free port)."""
    ports = {**DEFAULT_PORTS, **(ports or {})}
    running = DemoGateways()
    try:
        running.fakes["paypal"] = _paypal(ports["paypal"], customers)
        running.fakes["braintree"] = _braintree(ports["braintree"], customers)
        running.fakes["woocommerce"] = _woocommerce(ports["woocommerce"], customers)
        running.fakes["recurly"] = _recurly(ports["recurly"], customers)
    except BaseException:
        running.stop()
        raise
    return running


def _paypal(port: int, customers: int):
    from .paypal.fake import PayPalFake
    from .paypal.seed import seed, seed_demo_customer

    fake = PayPalFake()
    fake.start(port=port)
    seed(fake, customers)
    seed_demo_customer(fake)
    return fake


def _braintree(port: int, customers: int):
    from .braintree.fake import BraintreeFake
    from .braintree.seed import seed, seed_demo_customer

    fake = BraintreeFake(port=port).start()
    seed(fake, customers)
    seed_demo_customer(fake)
    return fake


def _woocommerce(port: int, customers: int):
    from .woocommerce.fake import WooFake
    from .woocommerce.seed import seed

    fake = WooFake(port=port).start()  # in memory, like the others: each start is the same fresh shop
    seed(fake, customers)
    return fake


def _recurly(port: int, customers: int):
    from .recurly.fake import RecurlyFake
    from .recurly.seed import seed

    fake = RecurlyFake(api_keys={RECURLY_API_KEY}, rng_seed=42)
    fake.start(port=port)
    seed(fake, customers)
    return fake


def _keep(connection, *, settings: dict | None = None, credentials: dict | None = None) -> None:
    connection.settings = {**connection.settings, **(settings or {})}
    connection.set_credentials({**connection.credentials, **(credentials or {})})
    connection.save(update_fields=["settings", "credentials_encrypted"])
