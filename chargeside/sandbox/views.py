"""The demo's landing page: a helpdesk-like ticket with the Chargeside panel in its sidebar.

`GET /demo/` shows a customer's ticket (left) and, in a 320-px sidebar iframe, the generic panel opened with
a freshly signed link for the demo workspace, exactly as a real desk would embed it. `?lang=tr` shows both
in Turkish (the ticket is then answered by the demo's Turkish-speaking agent); `?customer=<id>` picks one of
the seeded customers listed at the top.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from chargeside.billing.models import Charge, Customer
from chargeside.core.formatting import date as format_date
from chargeside.core.formatting import money as format_money
from chargeside.helpdesks.signing import panel_query
from chargeside.workspaces.models import Member, Workspace
from chargeside.workspaces.roles import Role

from .demo_setup import demo_workspace_slug

FEATURED_EMAIL = "ayse.yilmaz@example.com"
PICKER_SIZE = 6
_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def _agent_for(workspace, language: str) -> Member | None:
    """The demo agent answering the ticket: one who prefers the page's language, else any agent or admin."""
    members = Member.objects.filter(workspace=workspace, is_active=True).select_related("user")
    by_role = {Role.AGENT: 0, Role.ADMIN: 1, Role.OWNER: 2, Role.FINANCE: 3}
    candidates = sorted(
        (m for m in members if m.role in by_role and m.user.email),
        key=lambda m: (m.language != language, by_role[m.role], m.pk),
    )
    return candidates[0] if candidates else None


def _picker(workspace) -> list[Customer]:
    featured = list(Customer.objects.filter(workspace=workspace, email=FEATURED_EMAIL).only("id", "name", "email")[:1])
    others = Customer.objects.filter(workspace=workspace).exclude(email="").exclude(email=FEATURED_EMAIL)
    return featured + list(others.order_by("id").only("id", "name", "email")[: PICKER_SIZE - len(featured)])


def _chosen(workspace, picker: list[Customer], requested: str) -> Customer | None:
    if requested.isdigit():
        found = Customer.objects.filter(workspace=workspace, pk=int(requested)).first()
        if found:
            return found
    return picker[0] if picker else None


def _double_charge(customer: Customer, language: str) -> dict:
    """The charge the customer writes about: their latest successful payment (or a plausible stand-in)."""
    charge = (
        Charge.objects.filter(workspace_id=customer.workspace_id, gateway_customer__customer=customer, status__in=["succeeded", "partially_refunded"])
        .order_by("-remote_created_at").only("amount", "currency", "remote_created_at").first()
    )
    if charge is None:
        return {"amount": format_money(4900, "TRY" if language == "tr" else "USD", language), "date": ""}
    return {"amount": format_money(charge.amount, charge.currency, language), "date": format_date(charge.remote_created_at, language)}


@require_GET
def ticket(request):
    language = request.GET.get("lang", "en")
    language = language if language in ("en", "tr") else "en"
    workspace = Workspace.objects.filter(slug=demo_workspace_slug()).first()
    context = {"lang": language, "other_lang": "en" if language == "tr" else "tr", "workspace": workspace}
    if workspace is not None:
        picker = _picker(workspace)
        customer = _chosen(workspace, picker, request.GET.get("customer", ""))
        agent = _agent_for(workspace, language)
        context.update(picker=picker, customer=customer, agent=agent)
        if customer is not None:
            ticket_number = 1000 + customer.pk
            ticket_url = f"{settings.CHARGESIDE_PUBLIC_URL}{reverse('demo:ticket')}?customer={customer.pk}"
            query = panel_query(
                workspace, emails=[customer.email], name=customer.name, ticket=str(ticket_number), ticket_url=ticket_url,
                agent=agent.user.email if agent else "", lang=language, ttl=3600,
            )
            context.update(
                panel_url=f"{reverse('panel:panel')}?{query}", ticket_number=ticket_number, charge=_double_charge(customer, language),
                first_name=(customer.name or customer.email).split(" ")[0],
            )
    with translation.override(language):
        response = render(request, "chargeside/demo/ticket.html", context)
    response["Content-Security-Policy"] = _POLICY
    return response
