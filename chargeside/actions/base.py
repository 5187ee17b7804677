"""What an action module declares, and the errors the write path speaks.

Each action is one module in this package with one subclass of `Action`. The runner (`runner.py`) does
the rest identically for every action: permission and limits, attempt row and audit, the gateway call
with an idempotency key derived from the attempt, the outcome, and the local upsert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from chargeside.core.money import Money
from chargeside.gateways.types import Capability
from chargeside.workspaces.roles import Perm


class ActionError(Exception):
    """A request the write path refuses. `message` is shown to the agent as is; `status` is the HTTP code."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Forbidden(ActionError):
    status = 403

    def __init__(self, message: str = ""):
        super().__init__(message or _("Your role does not allow this action."), code="forbidden")


class NotFoundError(ActionError):
    status = 404

    def __init__(self, what: str):
        """`what` is already translated ("Charge", "Ödeme")."""
        super().__init__(_("%(what)s was not found in this workspace.") % {"what": what}, code="not_found")


class Conflict(ActionError):
    status = 409


@dataclass
class Target:
    """What the action is about, loaded from the local database of the caller's workspace only."""

    connection: Any  # connections.Connection
    customer: Any | None  # billing.Customer
    obj: Any | None  # the billing row acted on (Charge, Subscription, ...), None for customer-level actions
    label: str  # "stripe:ch_123" for the audit trail
    remote_id: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    """The confirmation step: what will happen, in the agent's words, before money moves."""

    summary: str
    amount: Money | None = None
    lines: tuple[tuple[str, str], ...] = ()  # (label, value) pairs such as ("Remaining after", "€25.00")
    # Parameters the confirm step sends back so that what was previewed is what happens (e.g. the
    # proration date a plan change was priced at). Merge them into the request's params.
    confirm_params: dict = field(default_factory=dict)


class Action:
    name: ClassVar[str]
    label: ClassVar[str]
    permission: ClassVar[Perm]
    capability: ClassVar[Capability]
    moves_money: ClassVar[bool] = False  # needs a reason; counts against limits when money() is not None
    requires_reason: ClassVar[bool] = False  # needs a reason even though no money moves (void, cancel)

    def resolve(self, workspace, params: dict) -> Target:
        raise NotImplementedError

    def clean(self, target: Target, params: dict, adapter) -> dict:
        """Validate and normalise the parameters; raise ActionError with a clear message. JSON-safe result."""
        raise NotImplementedError

    def money(self, target: Target, cleaned: dict) -> Money | None:
        return None

    def key_params(self, cleaned: dict) -> dict:
        """The part of the cleaned parameters that identifies the request (hashed into the derived key).
        Instants that only pin a computation ("as of", a proration date) are left out, so two clicks a few
        seconds apart, or from two tabs, are still the same attempt."""
        return cleaned

    def state_token(self, target: Target) -> str:
        """What the agent saw when confirming. Part of the derived key: the same click on the same state is
        the same attempt, while a deliberate second partial refund (after the first changed the state) is not."""
        return ""

    def preview(self, target: Target, cleaned: dict, adapter, language: str) -> Preview:
        raise NotImplementedError

    def execute(self, target: Target, cleaned: dict, adapter, idempotency_key: str) -> list:
        """Call the gateway; return the DTOs to upsert (the gateway's answer)."""
        raise NotImplementedError

    def result(self, dtos: list) -> dict:
        return {"remote_ids": [getattr(dto, "remote_id", "") for dto in dtos]}

    def stored(self, dtos: list) -> list:
        """The part of the gateway's answer that is billing data to upsert (a hosted-page link is not)."""
        return dtos

    def audit_detail(self, result: dict) -> dict:
        """What of the result goes into the permanent audit trail: never a bearer link or a secret."""
        return result
