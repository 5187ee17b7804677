"""Finding customers by what an agent types: an email, a name, a card's last four digits or a remote id.

Each kind of query takes its own indexed path: emails through the identifier index (exact, normalised),
last four digits through the payment-method index, remote ids through each table's (connection, remote_id)
unique index, names by prefix, accents and case folded, through a range on the (workspace, search_name) index. Results are customer ids, best match first.
"""

from __future__ import annotations

import re


from . import models as m
from .matching import fold, normalise_email

# Tables whose remote ids an agent may paste, and how a row leads to its gateway customer.
_REMOTE_ID_PATHS = (
    (m.GatewayCustomer, "customer_id"),
    (m.Charge, "gateway_customer__customer_id"),
    (m.Subscription, "gateway_customer__customer_id"),
    (m.Invoice, "gateway_customer__customer_id"),
    (m.PaymentMethod, "gateway_customer__customer_id"),
    (m.Refund, "charge__gateway_customer__customer_id"),
    (m.Dispute, "charge__gateway_customer__customer_id"),
)
_REMOTE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{5,127}$")


def _unique(ids) -> list[int]:
    seen: list[int] = []
    for value in ids:
        if value is not None and value not in seen:
            seen.append(value)
    return seen


def customer_ids_for_query(workspace, query: str, *, limit: int = 20) -> list[int]:
    query = (query or "").strip()
    if not query:
        return []
    if "@" in query:
        email = normalise_email(query)
        ids = list(
            m.CustomerIdentifier.objects.filter(workspace=workspace, kind=m.CustomerIdentifier.Kind.EMAIL, value=email)
            .values_list("customer_id", flat=True)[:limit]
        )
        ids += m.Customer.objects.filter(workspace=workspace, email=email).values_list("id", flat=True)[:limit]
        return _unique(ids)[:limit]
    if query.isdigit() and len(query) == 4:
        return _unique(
            m.PaymentMethod.objects.filter(workspace=workspace, last4=query, gateway_customer__isnull=False)
            .values_list("gateway_customer__customer_id", flat=True)[:limit]
        )
    ids: list[int] = []
    if _REMOTE_ID.match(query) and " " not in query:
        connection_ids = list(workspace.connections.values_list("id", flat=True))
        for model, path in _REMOTE_ID_PATHS:
            ids += model.objects.filter(connection_id__in=connection_ids, remote_id=query).values_list(path, flat=True)[:1]
            if ids:
                break
    ids += _name_prefix(workspace, query, limit)
    return _unique(ids)[:limit]


def _name_prefix(workspace, query: str, limit: int) -> list[int]:
    """Names starting with the query, folded the same way as `Customer.search_name` ("ayse" finds "Ayşe
    Yılmaz"). A range on the (workspace, search_name) index: `LIKE 'x%'` cannot use a b-tree under most
    collations, while a range can, and `startswith` then keeps exactly the prefixed names."""
    folded = fold(query)
    if not folded:
        return []
    return list(
        m.Customer.objects.filter(
            workspace=workspace, search_name__gte=folded, search_name__lt=folded + "\U0010ffff", search_name__startswith=folded
        ).order_by("search_name", "id").values_list("id", flat=True)[:limit]
    )
