"""Who may see and do what: the one place that says it.

Every check in the console, the API and the panel asks `can(role, permission)`. A role absent from a
permission's set never sees the data or the button, and the server refuses the request even if a link is
forged.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    AGENT = "agent"
    VIEWER = "viewer"


class Perm(StrEnum):
    VIEW_BILLING = "view_billing"  # customers, charges, subscriptions, invoices, disputes
    VIEW_PAYMENT_METHODS = "view_payment_methods"  # brand, last4, expiry (never more exists)
    VIEW_AUDIT = "view_audit"  # the audit trail and the panel's "recent actions"
    EXPORT_AUDIT = "export_audit"
    REFUND = "refund"
    CAPTURE = "capture"  # authorise on a saved method, capture, void
    SUBSCRIPTION_CANCEL = "subscription_cancel"
    SUBSCRIPTION_CREATE = "subscription_create"  # create and change plan
    INVOICE_SEND = "invoice_send"
    COUPON_APPLY = "coupon_apply"
    TAX_ID_ADD = "tax_id_add"
    CUSTOMER_MERGE = "customer_merge"  # merge or split identities
    APPROVE = "approve"  # approve or reject actions over a limit
    MANAGE_CONNECTIONS = "manage_connections"
    MANAGE_MEMBERS = "manage_members"  # members, roles, limits, panel settings


_ALL = frozenset(Perm)
_AGENT = frozenset(
    {
        Perm.VIEW_BILLING,
        Perm.VIEW_PAYMENT_METHODS,
        Perm.VIEW_AUDIT,
        Perm.REFUND,
        Perm.CAPTURE,
        Perm.SUBSCRIPTION_CANCEL,
        Perm.SUBSCRIPTION_CREATE,
        Perm.INVOICE_SEND,
        Perm.COUPON_APPLY,
        Perm.TAX_ID_ADD,
        Perm.CUSTOMER_MERGE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL,
    # Finance moves money and reads the trail, but does not administer people or integrations.
    Role.FINANCE: frozenset(
        {
            Perm.VIEW_BILLING,
            Perm.VIEW_PAYMENT_METHODS,
            Perm.VIEW_AUDIT,
            Perm.EXPORT_AUDIT,
            Perm.REFUND,
            Perm.CAPTURE,
            Perm.SUBSCRIPTION_CANCEL,
            Perm.INVOICE_SEND,
            Perm.TAX_ID_ADD,
        }
    ),
    Role.AGENT: _AGENT,
    # Viewers see the billing summary only: no card details, no audit trail, no buttons.
    Role.VIEWER: frozenset({Perm.VIEW_BILLING}),
}

# Roles whose money-moving actions are subject to limits unless a limit row says otherwise.
LIMITED_BY_DEFAULT = frozenset({Role.FINANCE, Role.AGENT})
# Roles that may approve over-limit requests (never their own).
APPROVER_ROLES = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if Perm.APPROVE in perms)


def can(role: str | Role | None, permission: Perm) -> bool:
    if role is None:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())


def permissions_of(role: str | Role | None) -> frozenset[Perm]:
    return ROLE_PERMISSIONS.get(Role(role), frozenset()) if role else frozenset()
