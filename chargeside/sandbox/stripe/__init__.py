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

__all__ = ["API_VERSION", "StripeFake", "signature_header"]
