"""The panel as a HubSpot CRM card: the legacy data-fetch answer, built from the same view model.

Shape (HubSpot's "CRM cards" guide for legacy public apps and its sample responses):

    {"results": [{"objectId": 1, "title": "…", "link": null,
                  "properties": [{"label": "…", "dataType": "STRING" | "STATUS" | "EMAIL", "value": "…",
                                  "optionType": "SUCCESS" (STATUS only)}],
                  "actions": [{"type": "IFRAME", "width": 890, "height": 748, "uri": "…", "label": "…"},
                              {"type": "CONFIRMATION_ACTION_HOOK", "httpMethod": "POST", "uri": "…", "label": "…",
                               "confirmationMessage": "…", "confirmButtonText": "…", "cancelButtonText": "…"}]}],
     "primaryAction": {"type": "IFRAME", …}}

HubSpot shows at most five results, so the card is: the customer (name, emails, gateway ids, totals per
currency, alerts, and how many of each section there are), then the first items in the generic panel's
order (disputes, payments, subscriptions, invoices, refunds) until five. "Open in Chargeside" (the primary
action) opens the whole generic panel in HubSpot's modal. Money is the view model's display text (STRING),
not HubSpot's CURRENCY type, so amounts read exactly as in every other desk and language.

Actions: those that need nothing from the agent beyond a yes (sending an invoice) are confirmation action
hooks, run by `views.action_hook` through run_action; every other action (refund with amount and reason,
cancel with its options, ...) is an IFRAME action opening our action form bound to the record, which runs
run_action and leaves the note the same way. Every URI is a signed, short-lived deep link (deeplinks.py).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chargeside.actions.inputs import inputs_for
from chargeside.actions.registry import get_action
from chargeside.billing.selectors import status_label

from ..base import DeskLinks
from ..panel import Panel
from ..templatetags.chargeside_panel import _TONES

MAX_RESULTS = 5  # HubSpot shows up to five results per card
MODAL = {"width": 890, "height": 748}  # HubSpot's modal size for IFRAME actions (its documented example)
_OPTION = {"ok": "SUCCESS", "info": "INFO", "warn": "WARNING", "bad": "DANGER", "muted": "DEFAULT"}
ITEM_SECTIONS = ("disputes", "charges", "subscriptions", "invoices", "refunds")
# objectId must be unique within a card, and a charge and an invoice may share a row id: the last digit says the kind.
_KIND_DIGIT = {"customer": 1, "disputes": 2, "charges": 3, "subscriptions": 4, "invoices": 5, "refunds": 6}


def object_id(kind: str, row_id: int) -> int:
    return int(row_id) * 10 + _KIND_DIGIT[kind]


class HookLinks(DeskLinks):
    """What a card needs on top of deep links: the signed URI of an action hook."""

    def hook(self, name: str, item_id: int) -> str:
        raise NotImplementedError


def hook_action(name: str) -> bool:
    """True when the action needs nothing from the agent: no fields to fill in, no reason, no link to copy."""
    inputs = inputs_for(name)
    if inputs is None or inputs.fields or inputs.shows_link:
        return False
    action = get_action(name)
    return not (action.moves_money or action.requires_reason)


def _text(label: str, value) -> dict:
    return {"label": label, "dataType": "STRING", "value": str(value)}


def _status(label: str, status: str, kind: str = "") -> dict:
    text = _("completed") if kind == "refund" and status == "succeeded" else status_label(status)
    return {"label": label, "dataType": "STATUS", "value": str(text), "optionType": _OPTION[_TONES.get(status, "muted")]}


def _actions(item, links: DeskLinks | None, panel: Panel) -> list[dict]:
    if links is None or panel.read_only:
        return []
    found = []
    for name in item.actions:
        inputs = inputs_for(name)
        if inputs is None:
            continue
        if hook_action(name) and isinstance(links, HookLinks):
            found.append({
                "type": "CONFIRMATION_ACTION_HOOK", "httpMethod": "POST", "uri": links.hook(name, item.id),
                "label": str(inputs.label), "associatedObjectProperties": [],
                "confirmationMessage": str(inputs.confirm) + "?", "confirmButtonText": str(inputs.confirm),
                "cancelButtonText": _("Cancel"),
            })
        else:
            found.append({"type": "IFRAME", **MODAL, "uri": links.action(name, item.id), "label": str(inputs.label),
                          "associatedObjectProperties": []})
    return found


def _rid(item) -> dict:
    return _text(_("Gateway"), f"{item.provider} {item.remote_id}")


def _item(kind: str, item) -> tuple[str, list[dict]]:
    """(title, properties) of one row, the same facts the generic panel shows for it."""
    props: list[dict] = []
    if kind == "disputes":
        title = item.amount_display
        props.append(_status(_("Status"), item.status))
        if item.reason:
            props.append(_text(_("Reason"), item.reason))
        if item.due_display:
            props.append(_text(_("Status"), _("Evidence due %(date)s") % {"date": item.due_display}))
        props.append(_rid(item))
    elif kind == "charges":
        title = f"{item.amount_display} · {item.description}" if item.description else item.amount_display
        props.append(_status(_("Status"), item.status))
        if item.disputed:
            props.append({**_text(_("Status"), _("Disputed: refunds are not possible while the dispute is open.")),
                          "dataType": "STATUS", "optionType": "DANGER"})
        if item.decline_reason:
            props.append({**_text(_("Status"), item.decline_reason), "dataType": "STATUS", "optionType": "DANGER"})
        if item.refunded:
            text = _("Refunded %(amount)s") % {"amount": item.refunded_display}
            if item.refundable:
                text += " · " + _("%(amount)s left to refund") % {"amount": item.refundable_display}
            props.append(_text(_("Refunded"), text))
        props += [_text(_("Date"), item.created_display), _rid(item)]
    elif kind == "subscriptions":
        title = item.plan_name or item.remote_id
        props.append(_status(_("Status"), item.status))
        amount = item.amount_display
        if item.interval:
            unit = {"month": _("month"), "year": _("year"), "week": _("week"), "day": _("day")}.get(item.interval, item.interval)
            amount += " / " + (f"{item.interval_count} " if item.interval_count > 1 else "") + unit
        if item.quantity > 1:
            amount += f" × {item.quantity}"
        props.append(_text(_("Amount"), amount))
        if item.trial_end_display:
            props.append(_text(_("Date"), _("Trial ends %(date)s") % {"date": item.trial_end_display}))
        if item.renews_display:
            props.append(_text(_("Date"), _("Renews %(date)s") % {"date": item.renews_display}))
        if item.ends_display:
            props.append({**_text(_("Date"), _("Cancels at period end: %(date)s") % {"date": item.ends_display}),
                          "dataType": "STATUS", "optionType": "DANGER"})
        if item.status == "canceled" and item.canceled_display:
            props.append(_text(_("Date"), _("Canceled %(date)s") % {"date": item.canceled_display}))
        props.append(_rid(item))
    elif kind == "invoices":
        title = f"{item.number or item.remote_id} · {item.total_display}"
        props.append(_status(_("Status"), item.status))
        if item.status == "open":
            text = _("%(amount)s unpaid") % {"amount": item.remaining_display}
            if item.due_display:
                text += " · " + _("due %(date)s") % {"date": item.due_display}
            props.append({**_text(_("Amount"), text), "dataType": "STATUS", "optionType": "DANGER" if item.overdue else "WARNING"})
        props.append(_text(_("Date"), f"{item.provider} {item.created_display}"))
        if item.hosted_url:
            props.append({"label": _("view"), "dataType": "LINK", "value": item.hosted_url, "linkLabel": item.number or item.remote_id})
    else:  # refunds
        title = item.amount_display
        props.append(_status(_("Status"), item.status, "refund"))
        if item.reason:
            props.append(_text(_("Reason"), item.reason))
        props += [_text(_("Date"), item.created_display), _rid(item)]
    return str(title), props


_SECTION_TITLES = {
    "disputes": "Disputes", "charges": "Payments", "subscriptions": "Subscriptions", "invoices": "Invoices",
    "refunds": "Refunds", "payment_methods": "Payment methods", "tax_ids": "Tax IDs", "recent_actions": "Recent actions",
}


def _summary(panel: Panel, links: DeskLinks | None) -> dict:
    view = panel.view
    props: list[dict] = []
    if panel.read_only:
        props.append({"label": _("Actions"), "dataType": "STATUS", "optionType": "WARNING", "value": _(
            "Read-only: your helpdesk account is not linked to a Chargeside member of this workspace, so actions are off. "
            "Ask an admin to add your email or desk identity.") + (f" ({panel.agent})" if panel.agent else "")})
    if view is None:
        message = (_("No connected gateway has a customer with this email. The customer may pay with another address: ask "
                     "which email they used at checkout, or search in the Chargeside console.") if panel.emails
                   else _("The ticket has no requester email to look up."))
        props.append(_text(_("Customer"), message))
        return {"objectId": 0, "title": _("No billing found for %(emails)s") % {"emails": ", ".join(panel.emails)},
                "link": None, "properties": props, "actions": []}
    props += [{"label": _("Email"), "dataType": "EMAIL", "value": email} for email in view.emails]
    if view.identities:
        props.append(_text(_("Gateway"), " · ".join(f"{i.provider} {i.remote_id}" for i in view.identities)))
    for total in view.totals:
        props.append(_text(total.currency, f"{_('Paid')} {total.paid_display} · {_('Refunded')} {total.refunded_display} · "
                                           f"{_('Net')} {total.net_display}"))
    for alert in view.alerts:
        props.append({"label": _("Status"), "dataType": "STATUS", "value": alert.message,
                      "optionType": "DANGER" if alert.level in ("danger", "bad") else "WARNING"})
    for name, title in _SECTION_TITLES.items():
        section = view.sections.get(name)
        if section is not None and section.total:
            props.append(_text(_(title), str(section.total)))
    actions = []
    if links is not None and not panel.read_only:
        for account in panel.accounts:
            for action in _actions(account, links, panel):
                if len(panel.accounts) > 1:
                    action = {**action, "label": f"{action['label']} ({account.connection})"}
                actions.append(action)
    return {"objectId": object_id("customer", view.customer_ids[0] if view.customer_ids else 0), "title": view.name or _("Unnamed customer"),
            "link": None, "properties": props, "actions": actions}


def card(panel: Panel, links: DeskLinks | None) -> dict:
    results = [_summary(panel, links)]
    shown = 0
    if panel.view is not None:
        for kind in ITEM_SECTIONS:
            section = panel.view.sections.get(kind)
            for item in section.items if section is not None else ():
                if len(results) >= MAX_RESULTS:
                    break
                title, props = _item(kind, item)
                results.append({"objectId": object_id(kind, item.id), "title": title, "link": None, "properties": props,
                                "actions": _actions(item, links, panel)})
                shown += 1
    answer: dict = {"results": results}
    if links is not None:
        answer["primaryAction"] = {"type": "IFRAME", **MODAL, "uri": links.panel(), "label": _("Open in Chargeside"),
                                   "associatedObjectProperties": []}
        hidden = sum(s.total for k, s in (panel.view.sections.items() if panel.view else ()) if k in ITEM_SECTIONS) - shown
        if hidden > 0:
            answer["secondaryActions"] = [{**answer["primaryAction"], "label": ngettext(
                "Show %(counter)s more", "Show %(counter)s more", hidden) % {"counter": hidden}}]
    return answer
