"""Who is who: normalising identifiers and finding the Customer a gateway identity belongs to.

Emails are matched case-insensitively after trimming; for Gmail-style plus addressing we do NOT strip
"+tag" (different tags can be different people for a business). Phones keep digits and a leading "+".
"""

from __future__ import annotations

import re
import unicodedata

from .models import Customer, CustomerIdentifier


# Letters that do not decompose into a base letter plus a mark, folded the way people type them.
_FOLD = str.maketrans({"ı": "i", "İ": "i", "ß": "ss", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l"})


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: what a name is searched by ("Ayşe  YILMAZ" → "ayse yilmaz")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())[:300]


def normalise_email(value: str) -> str:
    value = (value or "").strip().lower()
    return value if "@" in value else ""


def normalise_phone(value: str) -> str:
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return ""
    return ("+" if value.startswith("+") else "") + digits


def identifiers_of(*, email: str = "", phone: str = "", metadata: dict | None = None, metadata_key: str = "") -> list[tuple[str, str]]:
    found = []
    if email := normalise_email(email):
        found.append((CustomerIdentifier.Kind.EMAIL, email))
    if phone := normalise_phone(phone):
        found.append((CustomerIdentifier.Kind.PHONE, phone))
    if metadata_key and metadata and (value := str(metadata.get(metadata_key, "")).strip()):
        found.append((CustomerIdentifier.Kind.METADATA, value))
    return found


def customer_ids_matching(workspace_id: int, identifiers: list[tuple[str, str]]) -> list[int]:
    """Customers sharing any identifier, oldest first (the oldest is the one we keep linking to)."""
    if not identifiers:
        return []
    from django.db.models import Q

    condition = Q()
    for kind, value in identifiers:
        condition |= Q(kind=kind, value=value)
    return sorted(
        set(CustomerIdentifier.objects.filter(condition, workspace_id=workspace_id).values_list("customer_id", flat=True))
    )


def find_customers(workspace, *, emails: list[str] = (), phones: list[str] = (), desk_requester: str = "") -> list[Customer]:
    """Customers a helpdesk context points at (all of the requester's emails, phone, desk id)."""
    identifiers = [(CustomerIdentifier.Kind.EMAIL, e) for e in map(normalise_email, emails) if e]
    identifiers += [(CustomerIdentifier.Kind.PHONE, p) for p in map(normalise_phone, phones) if p]
    if desk_requester:
        identifiers.append((CustomerIdentifier.Kind.DESK_REQUESTER, desk_requester))
    ids = customer_ids_matching(workspace.id, identifiers)
    return list(Customer.objects.filter(workspace=workspace, id__in=ids).order_by("id"))


def remember_identifier(customer: Customer, kind: str, value: str) -> None:
    CustomerIdentifier.objects.get_or_create(workspace_id=customer.workspace_id, customer=customer, kind=kind, value=value)
