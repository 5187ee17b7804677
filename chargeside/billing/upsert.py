"""DTO → row. Idempotent, no network: applying the same DTO twice leaves the same rows.

`upsert_many` is the one write path for webhooks, backfill, reconcile and action results. It writes a batch
with one `INSERT … ON CONFLICT (connection, remote_id) DO UPDATE` per model, links new gateway customers to
a Customer (matching identifiers or creating one), and adopts children that arrived before their customer.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from chargeside.gateways import types as t

from . import models as m
from .matching import fold, identifiers_of

# DTO type → (model, fields copied verbatim from the DTO). `remote_id`, `raw`, `created_at` and the
# customer link are handled for every model.
_SPEC: dict[type, tuple[type, tuple[str, ...]]] = {
    t.PaymentMethodDTO: (m.PaymentMethod, ("type", "brand", "last4", "exp_month", "exp_year", "wallet")),
    t.ChargeDTO: (m.Charge, ("amount", "currency", "status", "amount_captured", "amount_refunded", "intent_remote_id",
                              "payment_method_remote_id", "invoice_remote_id", "description", "failure_code",
                              "failure_message", "receipt_url")),
    t.RefundDTO: (m.Refund, ("charge_remote_id", "amount", "currency", "status", "reason")),
    t.SubscriptionDTO: (m.Subscription, ("status", "price_remote_id", "item_remote_id", "plan_name", "amount", "currency",
                                          "interval", "interval_count", "quantity", "current_period_start",
                                          "current_period_end", "cancel_at_period_end", "canceled_at", "trial_end",
                                          "coupon_remote_ids")),
    t.InvoiceDTO: (m.Invoice, ("status", "number", "currency", "total", "amount_due", "amount_paid", "amount_remaining",
                                "tax", "subscription_remote_id", "charge_remote_id", "intent_remote_id", "hosted_url", "pdf_url", "due_at",
                                "period_start", "period_end", "lines")),
    t.DisputeDTO: (m.Dispute, ("charge_remote_id", "amount", "currency", "status", "reason", "evidence_due_by")),
    t.CouponDTO: (m.Coupon, ("name", "percent_off_bp", "amount_off", "currency", "duration", "duration_in_months", "valid")),
    t.PromotionCodeDTO: (m.PromotionCode, ("code", "coupon_remote_id", "active")),
    t.TaxIdDTO: (m.TaxId, ("type", "value", "country", "verification_status")),
    t.ProductDTO: (m.Product, ("name", "description", "active")),
    t.PriceDTO: (m.Price, ("product_remote_id", "currency", "unit_amount", "interval", "interval_count", "nickname", "active")),
}
_CUSTOMER_FIELDS = ("email", "name", "phone", "locale", "metadata", "deleted", "default_payment_method_remote_id", "coupon_remote_id")
# Children whose rows point at a gateway customer and may arrive before it.
_CUSTOMER_OWNED = (m.PaymentMethod, m.Charge, m.Subscription, m.Invoice, m.TaxId)
# Rows pointing at a parent row of the same connection: model → (fk field, remote id field, parent model).
_PARENT_LINKS = {
    m.Refund: ("charge", "charge_remote_id", m.Charge),
    m.Dispute: ("charge", "charge_remote_id", m.Charge),
    m.Price: ("product", "product_remote_id", m.Product),
}


def _value(dto, name):
    value = getattr(dto, name)
    if name == "lines":
        return [dataclasses.asdict(line) for line in value]
    if name == "coupon_remote_ids":
        return list(value)
    if name == "currency":
        return str(value).upper()
    if name == "status":
        return str(value)
    return value


def upsert(connection, dto) -> m.GatewayObject:
    return upsert_many(connection, [dto])[0]


@transaction.atomic
def upsert_many(connection, dtos: Iterable) -> list:
    """Write DTOs of any kinds; returns the rows in input order."""
    dtos = list(dtos)
    by_type: dict[type, list] = defaultdict(list)
    for dto in dtos:
        by_type[type(dto)].append(dto)
    rows: dict[tuple[type, str], object] = {}
    if customers := by_type.pop(t.CustomerDTO, None):
        for row in _upsert_customers(connection, customers):
            rows[(t.CustomerDTO, row.remote_id)] = row
    for dto_type, batch in by_type.items():
        if dto_type not in _SPEC:
            raise TypeError(f"Cannot store {dto_type.__name__}.")
        for row in _upsert_children(connection, dto_type, batch):
            rows[(dto_type, row.remote_id)] = row
    return [rows[(type(dto), dto.remote_id)] for dto in dtos]


def _latest(batch: list) -> list:
    # One row per remote id; the last occurrence in the batch wins (it is the newest fetch).
    return list({dto.remote_id: dto for dto in batch}.values())


def _upsert_children(connection, dto_type, batch):
    model, fields = _SPEC[dto_type]
    batch = _latest(batch)
    now = timezone.now()
    owned = model in _CUSTOMER_OWNED
    customer_ids = {}
    if owned:
        wanted = {dto.customer_remote_id for dto in batch if dto.customer_remote_id}
        customer_ids = dict(
            m.GatewayCustomer.objects.filter(connection=connection, remote_id__in=wanted).values_list("remote_id", "id")
        )
    parent_ids = {}
    if link := _PARENT_LINKS.get(model):
        fk, remote_field, parent = link
        wanted = {getattr(dto, remote_field) for dto in batch}
        parent_ids = dict(parent.objects.filter(connection=connection, remote_id__in=wanted).values_list("remote_id", "id"))
    objs = []
    for dto in batch:
        values = {name: _value(dto, name) for name in fields}
        if owned:
            values["customer_remote_id"] = dto.customer_remote_id
            values["gateway_customer_id"] = customer_ids.get(dto.customer_remote_id)
        if link:
            values[f"{link[0]}_id"] = parent_ids.get(getattr(dto, link[1]))
        objs.append(
            model(workspace_id=connection.workspace_id, connection=connection, remote_id=dto.remote_id, raw=dto.raw,
                  remote_created_at=getattr(dto, "created_at", None), synced_at=now, **values)
        )
    update_fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", "workspace_id", "connection_id", "remote_id"}]
    model.objects.bulk_create(objs, update_conflicts=True, unique_fields=["connection", "remote_id"], update_fields=update_fields)
    if model is m.Charge:
        _adopt(m.Refund, "charge", "charge_remote_id", connection, batch)
        _adopt(m.Dispute, "charge", "charge_remote_id", connection, batch)
    if model is m.Product:
        _adopt(m.Price, "product", "product_remote_id", connection, batch)
    return model.objects.filter(connection=connection, remote_id__in=[dto.remote_id for dto in batch])


def _adopt(model, fk, remote_field, connection, parents) -> None:
    """Link rows that arrived before their parent."""
    # Orphans are rare, so find them in one query first; a page of 100 parents then costs one query, not 100.
    orphans = list(
        model.objects.filter(connection=connection, **{f"{fk}__isnull": True, f"{remote_field}__in": [p.remote_id for p in parents]})
        .values_list("id", remote_field)
    )
    if not orphans:
        return
    ids = dict(
        _SPEC_PARENT_MODEL[model].objects.filter(connection=connection, remote_id__in={remote for _, remote in orphans}).values_list("remote_id", "id")
    )
    for row_id, remote_id in orphans:
        if remote_id in ids:
            model.objects.filter(id=row_id).update(**{f"{fk}_id": ids[remote_id]})


_SPEC_PARENT_MODEL = {model: parent for model, (_, _, parent) in _PARENT_LINKS.items()}


def _upsert_customers(connection, batch: list[t.CustomerDTO]):
    batch = _latest(batch)
    workspace = connection.workspace
    now = timezone.now()
    existing = {
        row.remote_id: row for row in m.GatewayCustomer.objects.filter(connection=connection, remote_id__in=[d.remote_id for d in batch])
    }
    new = [dto for dto in batch if dto.remote_id not in existing]
    links = _link_new_identities(workspace, new)
    objs = []
    for dto in batch:
        values = {name: getattr(dto, name) for name in _CUSTOMER_FIELDS}
        customer_id = existing[dto.remote_id].customer_id if dto.remote_id in existing else links[dto.remote_id]
        objs.append(
            m.GatewayCustomer(workspace_id=workspace.id, connection=connection, remote_id=dto.remote_id, raw=dto.raw,
                              remote_created_at=dto.created_at, synced_at=now, customer_id=customer_id, **values)
        )
    m.GatewayCustomer.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["connection", "remote_id"],
        update_fields=[*_CUSTOMER_FIELDS, "raw", "remote_created_at", "synced_at"],
    )
    rows = list(m.GatewayCustomer.objects.filter(connection=connection, remote_id__in=[d.remote_id for d in batch]))
    _remember_identifiers(workspace, rows)
    if new:
        by_remote = {row.remote_id: row.id for row in rows}
        for model in _CUSTOMER_OWNED:
            # Orphans are rare (a child webhook beat its customer's), so find them first, then link each.
            orphans = model.objects.filter(
                connection=connection, gateway_customer__isnull=True, customer_remote_id__in=[dto.remote_id for dto in new]
            ).values_list("id", "customer_remote_id")
            for row_id, remote_id in orphans:
                model.objects.filter(id=row_id).update(gateway_customer_id=by_remote[remote_id])
    return rows


def _link_new_identities(workspace, new: list[t.CustomerDTO]) -> dict[str, int]:
    """Remote id → Customer id for gateway customers we have not seen: match identifiers or create.

    Two new identities in one batch that share an identifier become one Customer, as they would have
    one after the other.
    """
    links: dict[str, int] = {}
    claimed: dict[tuple[str, str], object] = {}  # identifier → existing Customer id or a new Customer
    pending: list[tuple[str, m.Customer]] = []
    identifiers_by_dto = [
        identifiers_of(email=dto.email, phone=dto.phone, metadata=dto.metadata, metadata_key=workspace.identity_metadata_key)
        for dto in new
    ]
    oldest = _oldest_customer_by_identifier(workspace.id, {i for ids in identifiers_by_dto for i in ids})
    for dto, identifiers in zip(new, identifiers_by_dto):
        match = next((claimed[i] for i in identifiers if i in claimed), None)
        if match is None:
            ids = [oldest[i] for i in identifiers if i in oldest]
            match = min(ids) if ids else None
        if match is None:
            email = next((value for kind, value in identifiers if kind == m.CustomerIdentifier.Kind.EMAIL), "")
            match = m.Customer(workspace=workspace, email=email, name=dto.name, phone=dto.phone, locale=dto.locale,
                               search_name=fold(dto.name))
        for identifier in identifiers:
            claimed.setdefault(identifier, match)
        if isinstance(match, m.Customer):
            pending.append((dto.remote_id, match))
        else:
            links[dto.remote_id] = match
    m.Customer.objects.bulk_create(list({id(c): c for _, c in pending}.values()))
    links.update({remote_id: customer.id for remote_id, customer in pending})
    return links


def _oldest_customer_by_identifier(workspace_id: int, identifiers: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The oldest Customer holding each identifier: what customer_ids_matching() answers for one identity,
    for a whole batch in one query per identifier kind (a backfill page brings 100 new identities)."""
    values_by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, value in identifiers:
        values_by_kind[kind].add(value)
    oldest: dict[tuple[str, str], int] = {}
    for kind, values in values_by_kind.items():
        rows = m.CustomerIdentifier.objects.filter(workspace_id=workspace_id, kind=kind, value__in=values).values_list("value", "customer_id")
        for value, customer_id in rows:
            oldest[(kind, value)] = min(customer_id, oldest.get((kind, value), customer_id))
    return oldest


def _remember_identifiers(workspace, rows: list[m.GatewayCustomer]) -> None:
    wanted = []
    for row in rows:
        for kind, value in identifiers_of(email=row.email, phone=row.phone, metadata=row.metadata, metadata_key=workspace.identity_metadata_key):
            wanted.append(m.CustomerIdentifier(workspace_id=workspace.id, customer_id=row.customer_id, kind=kind, value=value))
    m.CustomerIdentifier.objects.bulk_create(wanted, ignore_conflicts=True)
