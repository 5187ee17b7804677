"""A stateful fake of the Stripe API for the official ``stripe`` Python SDK.

    from chargeside.sandbox.stripe import StripeFake
    fake = StripeFake()                 # temporary state; StripeFake("state.sqlite3") persists
    base_url = fake.start()             # http://127.0.0.1:PORT on a daemon thread
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": base_url})
    ...
    fake.webhooks.drain()               # wait for webhook deliveries
    fake.stop()

Controls (``fake.control``), fault injection (``fake.faults``) and seeding
(:func:`chargeside.sandbox.stripe.seed.seed`) are documented in their modules. Pure stdlib;
no Django.
"""

from .events import API_VERSION
from .fake import StripeFake
from .webhooks import signature_header


def serve(state_path: str | None = None, port: int = 12111, *, seed_customers: int | None = None,
          rng_seed: int = 42, api_keys: set[str] | None = None, host: str = "127.0.0.1") -> None:
    """Seed (if asked) and serve in the foreground until interrupted: the CLI in one call."""
    from .seed import seed

    fake = StripeFake(state_path, api_keys)
    try:
        if seed_customers is not None:
            seed(fake, seed_customers, rng_seed=rng_seed)
        fake.serve_forever(port, host)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


__all__ = ["API_VERSION", "StripeFake", "serve", "signature_header"]
