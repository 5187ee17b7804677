"""Merging and splitting customers: the agent's correction of automatic identity matching.

A Customer is our person; each gateway account is a GatewayCustomer linked to one Customer. Matching
links new accounts by shared identifiers (billing/matching.py). When it guessed wrong, an agent:
- merges: every gateway account and identifier of `source` moves to `into`;
- splits: one gateway account leaves its Customer for a new one of its own.
Moved accounts are marked link=MANUAL so automatic matching leaves them alone afterwards. Each change is one
transaction with its audit entry ("merged" / "split"). The source of a merge is deleted unless audit entries
point at it (the trail is immutable, so it then stays as an empty record with no accounts or identifiers).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from chargeside.actions.base import ActionError, Forbidden, NotFoundError
from chargeside.workspaces.roles import Perm, can

from .matching import identifiers_of
from .models import Customer, CustomerIdentifier, GatewayCustomer

_PROFILE = ("email", "name", "phone", "locale")


def _local_id(ref) -> bool:
    return str(ref).isdigit() and len(str(ref)) <= 18  # longer digits would overflow the id column


def _require(member) -> None:
    if not member.is_active or not can(member.role, Perm.CUSTOMER_MERGE):
        raise Forbidden(_("Your role does not allow merging or splitting customers."))


def _customer(member, ref, *, lock: bool = True) -> Customer:
    pk = ref.pk if isinstance(ref, Customer) else ref
    qs = Customer.objects.select_for_update() if lock else Customer.objects
    row = qs.filter(workspace_id=member.workspace_id, pk=pk).first() if _local_id(pk) else None
    if row is None:
        raise NotFoundError(_("Customer"))
    return row


def _gateway_customer(member, ref) -> GatewayCustomer:
    qs = GatewayCustomer.objects.select_for_update().filter(workspace_id=member.workspace_id)
    if isinstance(ref, GatewayCustomer):
        row = qs.filter(pk=ref.pk).first()
    else:
        row = qs.filter(pk=int(ref)).first() if _local_id(ref) else qs.filter(remote_id=str(ref)[:128]).first()
    if row is None:
        raise NotFoundError(_("Customer account"))
    return row


def _derived(workspace, accounts) -> set[tuple[str, str]]:
    """Identifiers that gateway accounts themselves carry (email, phone, identity metadata key)."""
    found = set()
    for account in accounts:
        found.update(identifiers_of(email=account.email, phone=account.phone, metadata=account.metadata,
                                    metadata_key=workspace.identity_metadata_key))
    return found


def customer_merge(*, member, source, into) -> Customer:
    """Move everything of `source` to `into` (both of the member's workspace). Returns `into`."""
    from chargeside.actions.audit import audit_append
    from chargeside.actions.models import ActionAttempt, AuditEvent

    _require(member)
    with transaction.atomic():
        source, into = _customer(member, source), _customer(member, into)
        if source.pk == into.pk:
            raise ActionError(_("A customer cannot be merged into itself."), code="same_customer")
        accounts = list(GatewayCustomer.objects.filter(customer=source).order_by("id"))
        GatewayCustomer.objects.filter(customer=source).update(customer=into, link=GatewayCustomer.Link.MANUAL)
        # `into` is now the hand-checked person: its own accounts are no longer a guess either.
        GatewayCustomer.objects.filter(customer=into).update(link=GatewayCustomer.Link.MANUAL)
        have = set(CustomerIdentifier.objects.filter(customer=into).values_list("kind", "value"))
        moved = 0
        for identifier in CustomerIdentifier.objects.filter(customer=source):
            if (identifier.kind, identifier.value) in have:
                identifier.delete()
            else:
                CustomerIdentifier.objects.filter(pk=identifier.pk).update(customer=into)
                moved += 1
        blanks = [name for name in _PROFILE if not getattr(into, name) and getattr(source, name)]
        for name in blanks:
            setattr(into, name, getattr(source, name))
        if blanks:
            into.save(update_fields=[*blanks, "updated_at"])
        ActionAttempt.objects.filter(customer=source).update(customer=into)
        audit_append(
            workspace=member.workspace, event="merged", member=member, action="customer_merge", customer=into,
            target=f"customer:{source.pk}", outcome="succeeded",
            detail={"source": source.pk, "into": into.pk, "accounts": [f"{a.connection_id}:{a.remote_id}" for a in accounts],
                    "identifiers_moved": moved},
        )
        if not AuditEvent.objects.filter(customer_id=source.pk).exists():
            try:
                with transaction.atomic():
                    source.delete()
            except (ProtectedError, RestrictedError):
                pass  # another table still points at it: it stays, empty
    into.refresh_from_db()
    return into


def customer_split(*, member, gateway_customer) -> Customer:
    """Give one gateway account a Customer of its own. Returns the new Customer."""
    from chargeside.actions.audit import audit_append

    _require(member)
    with transaction.atomic():
        account = _gateway_customer(member, gateway_customer)
        old = _customer(member, account.customer_id)
        others = list(GatewayCustomer.objects.filter(customer=old).exclude(pk=account.pk))
        if not others:
            raise ActionError(_("This account is the customer's only one; there is nothing to split off."), code="nothing_to_split")
        workspace = member.workspace
        new = Customer.objects.create(workspace=workspace, email=account.email.strip().lower(), name=account.name,
                                      phone=account.phone, locale=account.locale)
        GatewayCustomer.objects.filter(pk=account.pk).update(customer=new, link=GatewayCustomer.Link.MANUAL)
        GatewayCustomer.objects.filter(customer=old).update(link=GatewayCustomer.Link.MANUAL)
        mine, theirs = _derived(workspace, [account]), _derived(workspace, others)
        CustomerIdentifier.objects.bulk_create(
            [CustomerIdentifier(workspace=workspace, customer=new, kind=kind, value=value) for kind, value in sorted(mine)],
            ignore_conflicts=True,
        )
        # Identifiers that only the departing account carried leave with it; desk ids and shared ones stay.
        for kind, value in mine - theirs:
            CustomerIdentifier.objects.filter(customer=old, kind=kind, value=value).delete()
        _refresh_profile(old, others)
        audit_append(
            workspace=workspace, event="split", member=member, action="customer_split", customer=new,
            target=f"{account.connection.provider}:{account.remote_id}", outcome="succeeded",
            detail={"from": old.pk, "to": new.pk, "account": f"{account.connection_id}:{account.remote_id}",
                    "identifiers": sorted(f"{kind}:{value}" for kind, value in mine)},
        )
    return new


def _refresh_profile(customer: Customer, accounts: list[GatewayCustomer]) -> None:
    """Profile fields the departing account supplied are taken again from the accounts that remain."""
    emails = {a.email.strip().lower() for a in accounts if a.email}
    if customer.email and customer.email not in emails:
        first = next((a for a in accounts if a.email), None)
        customer.email = first.email.strip().lower() if first else ""
        customer.name = (first.name if first else "") or customer.name
        customer.save(update_fields=["email", "name", "updated_at"])
