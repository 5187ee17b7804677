"""From new events to what to write: one target per remote object, its fresh state or its deletion.

Events for the same object in one batch collapse into one target, so a burst of updates costs one
re-fetch and one row write. Whether the event's own copy of the object can be trusted:

* the adapter says the payload may be stale or partial (`event_needs_refetch`) → fetch it;
* an event at least as old as one already applied to the same object (order unknown; Stripe's
  timestamps have one-second resolution) → fetch it: the gateway's current state makes order irrelevant;
* otherwise the newest event's copy is written as it is.

A fetch that fails with anything but "not found" marks the target failed; its deliveries are retried
later. After the gateway reports itself unavailable, the remaining fetches of the batch are not tried (those
already under way finish). Fetches run a few at a time when the adapter declares `fetch_concurrency`, and
`resolve_in_steps` hands targets back as they are ready, so the pipeline writes while the rest is fetched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db.models import Max

from chargeside.billing import models as billing
from chargeside.gateways.errors import GatewayError, NotFound, RateLimited, Unavailable
from chargeside.gateways.types import InboundEvent, ResourceKind

from .models import ProcessedEvent

K = ResourceKind
STEP = 50  # targets handed back at a time by resolve_in_steps
# How a deleted object is marked on its row. Kinds in _REMOVED lose their local row instead: a detached
# card, a removed tax id or a deleted draft invoice no longer exists for the customer and must not show in
# the panel. Any other kind is re-stored as the event carried it.
_MARKERS = {
    K.CUSTOMER: {"deleted": True},
    K.PRODUCT: {"active": False},
    K.PRICE: {"active": False},
    K.COUPON: {"valid": False},
    K.PROMOTION_CODE: {"active": False},
}
_REMOVED = {K.TAX_ID, K.PAYMENT_METHOD, K.INVOICE}
MODELS = {
    K.CUSTOMER: billing.GatewayCustomer, K.PAYMENT_METHOD: billing.PaymentMethod, K.TAX_ID: billing.TaxId,
    K.PRODUCT: billing.Product, K.PRICE: billing.Price, K.COUPON: billing.Coupon,
    K.PROMOTION_CODE: billing.PromotionCode, K.CHARGE: billing.Charge, K.REFUND: billing.Refund,
    K.SUBSCRIPTION: billing.Subscription, K.INVOICE: billing.Invoice, K.DISPUTE: billing.Dispute,
}


@dataclass
class Target:
    kind: ResourceKind
    remote_id: str
    events: list[InboundEvent] = field(default_factory=list)
    dto: object | None = None  # what to upsert
    deleted: bool = False
    error: str = ""  # set when the object could not be resolved now (retry the deliveries)
    related: list = field(default_factory=list)  # objects the event changed without naming them (a refund's charge)

    @property
    def key(self) -> tuple[str, str]:
        return (str(self.kind), self.remote_id)

    @property
    def failed(self) -> bool:
        return bool(self.error)


def key_of(event: InboundEvent) -> tuple[str, str]:
    return (str(event.kind), event.remote_id or (event.obj.remote_id if event.obj is not None else ""))


def group(events: list[InboundEvent]) -> dict[tuple[str, str], Target]:
    targets: dict[tuple[str, str], Target] = {}
    for event in events:
        key = key_of(event)
        targets.setdefault(key, Target(kind=event.kind, remote_id=key[1])).events.append(event)
    return targets


def resolve(connection, adapter, targets: dict[tuple[str, str], Target]) -> None:
    """Fill in `dto`/`deleted`/`error` on every target (network calls happen here, outside transactions)."""
    for _ in resolve_in_steps(connection, adapter, targets):
        pass


def resolve_in_steps(connection, adapter, targets: dict[tuple[str, str], Target], step: int = STEP) -> Iterator[list[Target]]:
    """`resolve`, handing the targets back as they become ready: first those that need no fetch, then the
    fetched ones in order, `step` at a time. The caller writes a step while the next ones are being fetched."""
    applied = _newest_applied(connection, targets)
    ready: list[Target] = []
    to_fetch: list[tuple[Target, InboundEvent]] = []
    for target in targets.values():
        newest = _newest(target.events)
        if any(event.deleted for event in target.events):
            target.deleted = True
            deleted_copy = next((e.obj for e in reversed(target.events) if e.deleted and e.obj is not None), None)
            target.dto = _mark_deleted(target.kind, deleted_copy)
            ready.append(target)
        elif _must_fetch(adapter, target, newest, applied.get(target.key)):
            to_fetch.append((target, newest))
        else:
            target.dto = newest.obj
            ready.append(target)
    if ready:
        yield ready
    yield from _fetch_all(adapter, to_fetch, step)


def _fetch_all(adapter, work: list[tuple[Target, InboundEvent]], step: int) -> Iterator[list[Target]]:
    """Re-fetch each target, several at a time when the adapter says its client allows it (`fetch_concurrency`,
    1 unless declared): one request per object is most of a batch's time, and it is spent waiting."""
    gateway_down: list[str] = []  # set by the first "unavailable" answer; later fetches are not tried

    def fetch(item: tuple[Target, InboundEvent]) -> None:
        target, newest = item
        if gateway_down:
            target.error = gateway_down[0]
            return
        try:
            target.dto = adapter.fetch(target.kind, target.remote_id)
            if _charge_changes_silently(adapter, target):
                target.related = [adapter.fetch(K.CHARGE, target.dto.charge_remote_id)]
        except NotFound:
            # Gone at the gateway: the event's copy is the last state there will ever be.
            target.dto = newest.obj
        except (Unavailable, RateLimited) as exc:
            target.error = _describe(exc)
            gateway_down.append(target.error)
        except GatewayError as exc:
            target.error = _describe(exc)
        except Exception as exc:  # an adapter bug must not lose the delivery: retry it later
            target.error = f"{type(exc).__name__}: {exc}"

    steps = [work[i:i + step] for i in range(0, len(work), step)]
    workers = min(int(getattr(adapter, "fetch_concurrency", 1) or 1), len(work))
    if workers <= 1:
        for items in steps:
            for item in items:
                fetch(item)
            yield [target for target, _ in items]
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ingest-fetch")
    try:
        futures = [pool.submit(fetch, item) for item in work]
        for index, items in enumerate(steps):
            for future in futures[index * step:(index + 1) * step]:
                future.result()
            yield [target for target, _ in items]
    finally:  # also when the caller stops early: fetches not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def _charge_changes_silently(adapter, target: Target) -> bool:
    """A refund changes its charge's refunded amount and status. Gateways that send no event for the charge
    (Recurly names only the refund transaction) declare `refetch_charge_after_refund`; the charge is then
    fetched with the refund."""
    return (target.kind == K.REFUND and getattr(adapter, "refetch_charge_after_refund", False)
            and target.dto is not None and bool(getattr(target.dto, "charge_remote_id", "")))


def _must_fetch(adapter, target: Target, newest: InboundEvent, applied_at) -> bool:
    if not target.remote_id:
        return False  # nothing to fetch by; the payload is all there is
    if target.kind == K.REFUND and getattr(adapter, "refetch_charge_after_refund", False):
        return True  # fetched with its charge (see _charge_changes_silently)
    if newest.obj is None or any(adapter.event_needs_refetch(event) for event in target.events):
        return True
    if newest.occurred_at is None:
        return True
    if applied_at is not None and newest.occurred_at <= applied_at:
        return True
    tied = [e for e in target.events if e.occurred_at == newest.occurred_at]
    return len(tied) > 1  # two versions from the same instant: only the gateway knows which is current


def _newest(events: list[InboundEvent]) -> InboundEvent:
    # Stable: among equal timestamps the one received last wins (used only when not ambiguous).
    return max(enumerate(events), key=lambda pair: (pair[1].occurred_at is not None, pair[1].occurred_at or 0, pair[0]))[1]


def _newest_applied(connection, targets) -> dict[tuple[str, str], object]:
    remote_ids = {target.remote_id for target in targets.values() if target.remote_id}
    if not remote_ids:
        return {}
    rows = (
        ProcessedEvent.objects.filter(connection=connection, remote_id__in=remote_ids)
        .values("kind", "remote_id").annotate(newest=Max("occurred_at"))
    )
    return {(row["kind"], row["remote_id"]): row["newest"] for row in rows if row["newest"] is not None}


def _mark_deleted(kind, dto):
    if dto is None or kind in _REMOVED:
        return None
    marker = _MARKERS.get(kind, {})
    usable = {name: value for name, value in marker.items() if name in {f.name for f in dataclasses.fields(dto)}}
    return dataclasses.replace(dto, **usable) if usable else dto


def delete_locally(connection, targets: list[Target]) -> None:
    """Deletions whose event carried no object, and kinds whose rows go away on deletion."""
    for target in targets:
        model = MODELS.get(target.kind)
        if model is None or not target.remote_id:
            continue
        rows = model.objects.filter(connection=connection, remote_id=target.remote_id)
        if target.kind in _REMOVED:
            rows.delete()
        elif target.dto is None and target.kind in _MARKERS:
            rows.update(**_MARKERS[target.kind])


def _describe(exc: GatewayError) -> str:
    detail = f" (HTTP {exc.http_status})" if exc.http_status else ""
    return f"{exc.kind}{detail}: {exc.message}"
