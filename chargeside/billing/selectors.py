"""The unified customer view: what the panel and the console show about one person, from the local database.

Read path only: nothing here calls a gateway. `customer_view()` answers with frozen dataclasses in a bounded
number of indexed queries, whatever the customer's size: the identities, one aggregate that counts every
section and sums the totals, then one page per section that has rows (10 at most; 3 to 5 for a typical
customer). The statements are plain SQL (`view_queries`) reading only the columns shown, never the raw
payloads. Each section holds its most relevant items first (open disputes, failed payments, past-due
subscriptions, open invoices, then the most recent) and its total count, so a UI can offer "show more"
through `customer_section()`. `customer_view_for_emails()` finds the customers and their identities in one
statement, for the helpdesk panel.

What a member sees and may do depends on the role (`workspaces.roles`): payment methods need
`VIEW_PAYMENT_METHODS`, the recent-actions trail needs `VIEW_AUDIT`, and each item lists the actions that
are registered, allowed to the role, supported by the connection's adapter and possible in the item's state.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import translation
from django.utils.translation import gettext as _

from chargeside.core import formatting as fmt
from chargeside.gateways.types import InvoiceStatus as IS

from . import models as m
from .sections import BUILDERS, accounts_in, visible
from .view_queries import identity_rows_for_emails, section_summary
from .view_model import (  # noqa: F401 (re-exported: the view model's types are part of this module's API)
    FAILED_RECENT_DAYS, PAID, SECTIONS, TROUBLED_SUBSCRIPTIONS, Alert, CustomerView, Identity, Item, Section, Total,
    ViewContext, identity_rows, provider_label, view_context,
)

# --- totals and alerts ---------------------------------------------------------------------------------

def _totals(ctx: ViewContext, rows: list[dict]) -> tuple[Total, ...]:
    """Lifetime paid / refunded / net per currency (paid: charges that succeeded, even if refunded since)."""
    totals = [
        Total(
            currency=row["currency"], paid=row["paid"], refunded=row["refunded"], net=row["paid"] - row["refunded"],
            paid_display=ctx.money(row["paid"], row["currency"]), refunded_display=ctx.money(row["refunded"], row["currency"]),
            net_display=ctx.money(row["paid"] - row["refunded"], row["currency"]), count=row["count"],
        )
        for row in rows
    ]
    totals.sort(key=lambda total: (-total.count, total.currency))  # the currency most used first
    return tuple(totals)


def _alerts(ctx: ViewContext, sections: dict, failed: int) -> tuple[Alert, ...]:
    alerts = []
    for item in sections["disputes"].items:
        if item.open and item.due_soon:
            alerts.append(Alert("dispute_due", "danger", _("Dispute of %(amount)s: evidence due %(date)s.") % {"amount": item.amount_display, "date": item.due_display}))
        elif item.open:
            alerts.append(Alert("dispute_open", "warning", _("Open dispute of %(amount)s.") % {"amount": item.amount_display}))
    if failed:
        alerts.append(Alert("failed_payment", "danger", translation.ngettext(
            "%(count)d failed payment in the last 30 days.", "%(count)d failed payments in the last 30 days.", failed) % {"count": failed}))
    for item in sections["subscriptions"].items:
        if item.status in TROUBLED_SUBSCRIPTIONS:
            alerts.append(Alert("past_due", "warning", _("Subscription %(plan)s is %(status)s.") % {
                "plan": item.plan_name or item.remote_id, "status": status_label(item.status)}))
    for item in sections["invoices"].items:
        if item.status == IS.OPEN:
            text = _("Invoice %(number)s is overdue: %(amount)s unpaid.") if item.overdue else _("Invoice %(number)s is open: %(amount)s unpaid.")
            alerts.append(Alert("open_invoice", "warning", text % {"number": item.number or item.remote_id, "amount": item.remaining_display}))
    return tuple(alerts)


def status_label(status: str) -> str:
    from .decline_reasons import STATUS_LABELS

    label = STATUS_LABELS.get(status)
    return str(label) if label else status.replace("_", " ")


# --- public API ----------------------------------------------------------------------------------------

def customer_view(*, workspace, customer_ids: list[int], member=None, language: str = "en", limit: int = 5) -> CustomerView:
    """Everything about the customers (one person, possibly several unmerged records) in one view."""
    return _view(workspace, identity_rows(workspace.id, customer_ids), member, language, limit)[0]


def customer_view_for_emails(*, workspace, emails, member=None, language: str = "en", limit: int = 5) -> CustomerView | None:
    """The view of the customers any of these normalised emails identifies, or None when none does. Finding
    them and their gateway identities is one statement (the panel's path: a desk knows emails, not ids)."""
    return panel_view(workspace=workspace, emails=emails, member=member, language=language, limit=limit)[0]


def panel_view(*, workspace, emails, member=None, language: str = "en", limit: int = 5) -> tuple[CustomerView | None, tuple[Item, ...]]:
    """`customer_view_for_emails()` and the customers' gateway accounts with the customer-level actions this
    member may run (`sections.customer_accounts()`), read together: what a helpdesk panel shows first."""
    rows = identity_rows_for_emails(workspace.id, emails)
    if not rows:
        return None, ()
    view, ctx = _view(workspace, rows, member, language, limit)
    return view, accounts_in(ctx)


def _view(workspace, rows: list[dict], member, language: str, limit: int) -> tuple[CustomerView, ViewContext]:
    language = language if language in fmt.SUPPORTED else "en"
    with translation.override(language):
        ctx = view_context(workspace.id, (), member, language, rows)
        names = [name for name in BUILDERS if visible(ctx, name)]
        # One aggregate counts every section: the sections without rows are not asked for at all.
        counts, totals, failed = section_summary(ctx, names)
        ctx = replace(ctx, counts=counts)
        sections = {name: BUILDERS[name](ctx, 0, limit) for name in names}
        customers = [row for index, row in enumerate(rows) if index == 0 or rows[index - 1]["id"] != row["id"]]
        names = _unique([row["name"] for row in customers] + [row["gateway_customers__name"] for row in rows])
        emails = _unique([row["email"] for row in customers] + [(row["gateway_customers__email"] or "").lower() for row in rows])
        view = CustomerView(
            customer_ids=ctx.customer_ids, name=names[0] if names else (emails[0] if emails else ""), names=names,
            emails=emails, identities=tuple(
                Identity(
                    provider=provider_label(row["gateway_customers__connection__provider"]), connection=row["gateway_customers__connection__name"],
                    remote_id=row["gateway_customers__remote_id"], email=row["gateway_customers__email"] or "",
                    name=row["gateway_customers__name"] or "", deleted=bool(row["gateway_customers__deleted"]),
                )
                for row in rows if row["gateway_customers__id"]
            ),
            totals=_totals(ctx, totals), alerts=_alerts(ctx, sections, failed), sections=sections, language=language,
            can_view_payment_methods=visible(ctx, "payment_methods"), can_view_audit=visible(ctx, "recent_actions"),
        )
        return view, ctx


def customer_section(*, workspace, customer_ids: list[int], section: str, member=None, language: str = "en",
                     offset: int = 0, limit: int = 5) -> Section | None:
    """One page of one section ("show more"). None when the section is unknown or hidden from this role."""
    return _one_section(workspace, customer_ids, section, member, language, offset=min(max(offset, 0), MAX_OFFSET), limit=max(min(limit, 100), 1))


MAX_OFFSET = 100_000  # "show more" never pages that far; a bigger number is a bad request, not a query

KIND_SECTIONS = {"charge": "charges", "refund": "refunds", "subscription": "subscriptions", "invoice": "invoices",
                 "dispute": "disputes", "payment_method": "payment_methods", "tax_id": "tax_ids"}


def customer_item(*, workspace, customer_ids: list[int], kind: str, item_id: int, member=None, language: str = "en") -> Item | None:
    """One item of these customers (with the actions this member may run on it), or None: not theirs."""
    if kind not in KIND_SECTIONS:
        return None
    section = _one_section(workspace, customer_ids, KIND_SECTIONS[kind], member, language, offset=0, limit=1, only_id=item_id)
    return section.items[0] if section and section.items else None


def _one_section(workspace, customer_ids, section, member, language, *, offset, limit, only_id=None) -> Section | None:
    if section not in BUILDERS:
        return None
    language = language if language in fmt.SUPPORTED else "en"
    with translation.override(language):
        rows = identity_rows(workspace.id, customer_ids)
        ctx = view_context(workspace.id, customer_ids, member, language, rows, only_id=only_id)
        if not visible(ctx, section):
            return None
        if not ctx.customer_ids or (not ctx.gateway_customer_ids and section != "recent_actions"):
            return Section(section, (), 0)
        return BUILDERS[section](ctx, offset, limit)


def _unique(values) -> tuple[str, ...]:
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)


def customer_search(workspace, query: str, *, limit: int = 20) -> list[m.Customer]:
    """Customers by email, name prefix, card last four digits or any gateway remote id (exact)."""
    from .search import customer_ids_for_query

    ids = customer_ids_for_query(workspace, query, limit=limit)
    by_id = {c.id: c for c in m.Customer.objects.filter(workspace=workspace, id__in=ids).only("id", "name", "email", "workspace_id")}
    return [by_id[i] for i in ids if i in by_id]
