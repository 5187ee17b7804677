"""What a sandbox gateway offers the shared contract suite (`tests/gateways/contract.py`) and the demo.

Each built-in provider's sandbox package has a `harness.py` whose module-level `HARNESS` names its `Harness`
subclass (found by that convention: `chargeside.sandbox.<provider key>.harness`).
The contract suite runs the same scenarios over every harness (backfill finds the seeded customers, a
partial refund moves the remaining amount, a duplicate webhook changes nothing, a bad signature is rejected,
an unsupported action is refused), limited to what each adapter declares. A third-party adapter's package can
ship its own harness and point the suite at it (`CHARGESIDE_CONTRACT_HARNESS=package.module:Class`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib import import_module
from typing import ClassVar


@dataclass(frozen=True)
class SeededCustomer:
    """A customer the harness created at its fake, with one captured, refundable payment."""

    email: str
    name: str
    customer_remote_id: str  # as the adapter maps it (CustomerDTO.remote_id)
    charge_remote_id: str  # as the adapter maps it (ChargeDTO.remote_id)
    amount: int  # minor units
    currency: str  # ISO 4217, upper case


class Harness(ABC):
    provider: ClassVar[str]  # the registry key of the adapter it serves

    @abstractmethod
    def start(self, state_dir: str) -> None:
        """Start the fake on 127.0.0.1 (a free port), keeping any state under `state_dir`."""

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def connection_settings(self) -> dict[str, str]:
        """Plain settings of a Connection pointed at the running fake (valid for the adapter's settings spec)."""

    @abstractmethod
    def connection_credentials(self) -> dict[str, str]:
        """Secrets of that Connection, including what its webhook verification needs."""

    @abstractmethod
    def seed_customers(self, emails: list[str], *, currency: str = "EUR", amount: int = 5000) -> list[SeededCustomer]:
        """Create one customer per email at the fake, each with one captured payment of `amount`."""

    @abstractmethod
    def signed_webhook(self, seeded: SeededCustomer) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a genuine notification about a change to the seeded payment (e.g. a
        refund made at the fake), signed exactly as the provider signs it for this connection's credentials."""


def harness_class(provider: str, path: str = "") -> type[Harness]:
    """The harness of a built-in provider, or the one at `path` ("package.module:Class") for a third-party one."""
    if path:
        module, _, name = path.partition(":")
        return getattr(import_module(module), name)
    return import_module(f"chargeside.sandbox.{provider}.harness").HARNESS
