"""A stateful fake of the Recurly v3 API (v2021-02-25) for the official `recurly` Python SDK (4.79.0).

    from chargeside.sandbox.recurly import RecurlyFake
    fake = RecurlyFake(); base_url = fake.start()
    ... the adapter (or any SDK client pointed at base_url with client.point_at) talks to it ...
    fake.stop()

Controls (`fake.control`), fault injection (`fake.faults`), signed notifications (`fake.webhooks`) and
seeding (`chargeside.sandbox.recurly.seed.seed(fake, n)`) are documented in their modules. Pure stdlib.
"""

from .api import API_VERSION
from .fake import RecurlyFake
from .webhooks import signature_header

__all__ = ["API_VERSION", "RecurlyFake", "signature_header"]
