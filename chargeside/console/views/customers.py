"""Customer search, the customer page (the panel's view model) and the action steps (form, confirmation, run)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargeside.actions.base import ActionError
from chargeside.actions.inputs import bound_fields, check_choices, confirmation, inputs_for, link_result, load_subject, params_from
from chargeside.actions.models import ActionAttempt
from chargeside.actions.registry import get_action
from chargeside.actions.runner import ActionRequest, action_preview, run_action
from chargeside.billing.identity import customer_merge, customer_split
from chargeside.billing.models import Customer, GatewayCustomer
from chargeside.billing.sections import actionable_item, customer_accounts
from chargeside.billing.selectors import SECTIONS, customer_search, customer_section, customer_view
from chargeside.core.formatting import money
from chargeside.workspaces.roles import Perm, can

from ..access import console_view, page, refuse
from ..text import plain

SECTION_LIMIT = 10


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _customer(request, pk: int) -> Customer:
    customer = Customer.objects.filter(workspace=request.workspace, pk=pk).first()
    if customer is None:  # another workspace's customer is simply not found
        raise Http404
    return customer


@console_view(Perm.VIEW_BILLING)
def customer_list(request):
    query = plain(request.GET.get("q"), 200)
    results = customer_search(request.workspace, query) if query else []
    template = "console/customers/_results.html" if request.htmx else "console/customers/search.html"
    return page(request, template, {"section": "customers", "query": query, "results": results})


@console_view(Perm.VIEW_BILLING)
def customer_detail(request, pk: int):
    customer = _customer(request, pk)
    view = customer_view(workspace=request.workspace, customer_ids=[customer.pk], member=request.member,
                         language=_language(), limit=SECTION_LIMIT)
    expanded = request.GET.get("show")
    if expanded in SECTIONS and expanded in view.sections:
        full = customer_section(workspace=request.workspace, customer_ids=[customer.pk], section=expanded,
                                member=request.member, language=_language(), limit=100)
        if full is not None:
            view = replace(view, sections={**view.sections, expanded: full})
    accounts = GatewayCustomer.objects.filter(workspace=request.workspace, customer=customer).select_related("connection").order_by("id")
    actionable = customer_accounts(workspace=request.workspace, customer_ids=[customer.pk], member=request.member, language=_language())
    return page(request, "console/customers/detail.html", {
        "section": "customers", "customer": customer, "view": view,
        "account_actions": [account for account in actionable if account.actions],
        "accounts": accounts if can(request.member.role, Perm.CUSTOMER_MERGE) else None,
    })


def _ticket_url(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ActionError(_("The ticket link must be a full http(s) URL."), field="ticket_url") from None
    return value


@console_view(Perm.VIEW_BILLING)
def customer_action(request, pk: int, action_name: str, kind: str, item_id: int):
    """The form, the confirmation (action_preview) and the run of one action, from its declared inputs."""
    customer = _customer(request, pk)
    inputs = inputs_for(action_name)
    if inputs is None or kind != inputs.on:
        raise Http404
    action = get_action(action_name)
    if not can(request.member.role, action.permission):
        return refuse(request, _("Your role does not allow this action."))
    item = actionable_item(workspace=request.workspace, customer_ids=[customer.pk], kind=kind, item_id=item_id,
                           member=request.member, language=_language())
    if item is None:  # not this customer's (or another workspace's): not found
        raise Http404
    if action_name not in item.actions:
        return refuse(request, _("This action is not available for this item (the gateway or its state)."), status=409)
    subject = load_subject(request.workspace, inputs, item_id)
    values = request.POST if request.method == "POST" else {"mode": "full"}
    context = {
        "section": "customers", "customer": customer, "inputs": inputs, "item": item, "kind": kind, "item_id": item_id,
        "fields": bound_fields(inputs, subject, values, _language()), "values": values,
        "needs_reason": action.moves_money or action.requires_reason,
    }
    if request.method != "POST":
        return page(request, "console/customers/action.html", context)
    try:
        params = params_from(inputs, item_id, request.POST)
        check_choices(inputs, subject, params, _language())  # e.g. a plan of this connection, a card of this customer
        action_request = ActionRequest(action=action.name, params=params, reason=plain(request.POST.get("reason"), 1000),
                                       ticket_url=_ticket_url(request.POST.get("ticket_url", "")), source="console")
        if request.POST.get("step") == "confirm":
            return _run(request, customer, inputs, action_request)
        preview = action_preview(member=request.member, request=action_request, language=_language())
    except ActionError as exc:
        return page(request, "console/customers/action.html", {**context, "error": exc}, status=exc.status)
    return page(request, "console/customers/action.html", {
        **context, "preview": preview, "confirmed": confirmation(inputs, params, preview),
        "amount_display": money(preview.amount.amount, preview.amount.currency, _language()) if preview.amount else "",
    })


def _run(request, customer, inputs, action_request):
    outcome = run_action(member=request.member, request=action_request)
    attempt = outcome.attempt
    if attempt.status == ActionAttempt.Status.SUCCEEDED and inputs.shows_link:
        return page(request, "console/customers/link.html", {
            "section": "customers", "customer": customer, "inputs": inputs, "replayed": outcome.replayed,
            **link_result(attempt.result, _language()),
        })
    if attempt.status == ActionAttempt.Status.SUCCEEDED:
        messages.success(request, _("Done.") if not outcome.replayed else _("This was already done; nothing was repeated."))
    elif attempt.status == ActionAttempt.Status.AWAITING_APPROVAL:
        messages.warning(request, _("Over your limit, so it now waits for an owner or admin to approve it: %(why)s")
                         % {"why": attempt.error_message})
    elif attempt.status == ActionAttempt.Status.IN_FLIGHT:
        messages.warning(request, _("This request is still being processed."))
    else:
        messages.error(request, _("The gateway refused: %(error)s") % {"error": attempt.error_message or attempt.status})
    return redirect("console:customer", pk=customer.pk)


@require_POST
@console_view(Perm.CUSTOMER_MERGE)
def customer_merge_view(request, pk: int):
    """Merge another customer (by id, or an email that finds exactly one) into this one."""
    customer = _customer(request, pk)
    ref = plain(request.POST.get("source"), 320)
    try:
        source = _merge_source(request, customer, ref)
        customer_merge(member=request.member, source=source, into=customer)
        messages.success(request, _("Customer %(source)s was merged into this one.") % {"source": ref})
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("console:customer", pk=customer.pk)


def _merge_source(request, customer, ref: str) -> int:
    if ref.lstrip("#").isdigit():
        return int(ref.lstrip("#"))
    if "@" in ref:
        found = [c.pk for c in customer_search(request.workspace, ref) if c.pk != customer.pk]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ActionError(_("Several customers match this email; give the customer id instead."), field="source")
    raise ActionError(_("No other customer matches “%(ref)s”.") % {"ref": ref}, field="source")


@require_POST
@console_view(Perm.CUSTOMER_MERGE)
def customer_split_view(request, pk: int):
    """Give one gateway account of this customer a customer of its own."""
    customer = _customer(request, pk)
    account = GatewayCustomer.objects.filter(workspace=request.workspace, customer=customer,
                                             pk=request.POST.get("account") or 0).first()
    if account is None:
        raise Http404
    try:
        new = customer_split(member=request.member, gateway_customer=account)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("console:customer", pk=customer.pk)
    messages.success(request, _("The account %(account)s is now a customer of its own.") % {"account": account.remote_id})
    return redirect("console:customer", pk=new.pk)
