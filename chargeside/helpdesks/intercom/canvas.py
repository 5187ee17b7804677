"""The panel as Canvas Kit components (JSON Intercom renders itself in the conversation details panel).

Same information, order, money formatting and language as the generic panel (chargeside/panel/body.html and
the Help Scout sidebar), from the same view model, made compact: a header per section, one `text` per row
with its muted details, and each row's actions as buttons that post a submit back to us. Intercom's `text`
component reads markdown (bold, italic, links), so every value that comes from a customer or a gateway
goes through `md()`: a name like "[pay here](https://evil)" shows as typed and never becomes a link.

Component ids say what a button does; the submit handler (submit.py) reads them:
    open:<action>:<item id>     the action's form (inputs for amount, reason, ...)
    review:<action>:<item id>   the confirmation (action_preview), with what to run in stored_data
    run:<action>:<item id>      run it (run_action), then the panel again with what happened
    panel                       back to the panel
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chargeside.billing.selectors import status_label

from ..templatetags.chargeside_panel import audit_text, panel_actions

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")
_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")
MAX_TEXT = 500


def md(value) -> str:
    """Plain text made inert for Canvas Kit's markdown (every markdown character escaped, newlines flattened)."""
    # Only line breaks are flattened: money keeps its no-break space ("TRY\u00a045.50").
    return _MARKDOWN.sub(r"\\\1", _BREAKS.sub(" ", str(value or "")).strip()[:MAX_TEXT])


def text(value: str, style: str = "paragraph") -> dict:
    return {"type": "text", "text": value, "style": style}


def muted(value: str) -> dict:
    return text(value, "muted")


def header(title: str, count=None) -> dict:
    return text(f"*{md(title)}*" + (f" {md(count)}" if count not in (None, "") else ""), "header")


def button(component_id: str, label: str, style: str = "secondary") -> dict:
    return {"type": "button", "id": component_id, "label": label[:100], "style": style, "action": {"type": "submit"}}


def url_button(component_id: str, label: str, url: str) -> dict:
    return {"type": "button", "id": component_id, "label": label, "style": "link", "action": {"type": "url", "url": url}}


def status(value: str, kind: str = "") -> str:
    return _("completed") if kind == "refund" and value == "succeeded" else status_label(value)


def canvas(components: list[dict], stored_data: dict | None = None) -> dict:
    body = {"content": {"components": components}}
    if stored_data:
        body["stored_data"] = stored_data
    return {"canvas": body}


def message_canvas(message: str, *, level: str = "error") -> dict:
    return canvas([text(md(f"Chargeside: {message}"), "error" if level == "error" else "muted")])


def _item_buttons(item, panel, interactive: bool) -> list[dict]:
    if not interactive or panel.read_only:
        return []
    return [button(f"open:{name}:{item.id}", label, "secondary") for name, label, _danger, _url in panel_actions(item)]


def _more(section, links, key: str) -> list[dict]:
    if not section.more or links is None:
        return []
    label = ngettext("Show %(counter)s more", "Show %(counter)s more", section.more) % {"counter": section.more}
    return [url_button(f"more:{key}", label, links.panel())]


def _interval(item) -> str:
    if not item.interval:
        return ""
    names = {"month": _("month"), "year": _("year"), "week": _("week"), "day": _("day")}
    count = f"{item.interval_count} " if item.interval_count > 1 else ""
    return f" / {count}{names.get(item.interval, item.interval)}"


def panel_components(panel, *, links, flash: dict | None = None, interactive: bool = True, agent: str = "") -> list[dict]:
    out: list[dict] = []
    if flash:
        out.append(text(md(flash["message"]), "error" if flash.get("level") == "danger" else "muted"))
    if panel.read_only:
        notice = _("Read-only: your helpdesk account is not linked to a Chargeside member of this workspace, so actions are off. Ask an admin to add your email or desk identity.")
        out.append(text(md(notice + (f" ({agent})" if agent else "")), "error"))
    view = panel.view
    if view is None:
        out.append(header(_("No billing found for %(emails)s") % {"emails": ", ".join(panel.emails)}))
        if not panel.emails:
            out.append(muted(md(_("The ticket has no requester email to look up."))))
        else:
            out.append(muted(md(_("No connected gateway has a customer with this email. The customer may pay with another address: ask which email they used at checkout, or search in the Chargeside console."))))
        return out

    out.append(header(view.name or _("Unnamed customer")))
    for email in view.emails:
        out.append(muted(md(email)))
    if view.identities:
        out.append(muted(" · ".join(
            (f"~~{md(f'{i.provider} {i.remote_id}')}~~" if i.deleted else md(f"{i.provider} {i.remote_id}")) for i in view.identities)))
    if view.totals:
        items = []
        for total in view.totals:
            items.append({"type": "field-value", "field": f"{total.currency} {_('Paid')}", "value": total.paid_display})
            items.append({"type": "field-value", "field": f"{total.currency} {_('Refunded')}", "value": total.refunded_display})
            items.append({"type": "field-value", "field": f"{total.currency} {_('Net')}", "value": total.net_display})
        out.append({"type": "data-table", "items": items})
    if panel.accounts and interactive and not panel.read_only:
        out.append(header(_("Actions")))
        for account in panel.accounts:
            if len(panel.accounts) > 1:
                out.append(muted(md(f"{account.connection} · {account.remote_id}")))
            out += [button(f"open:{name}:{account.id}", label) for name, label, _d, _u in panel_actions(account)]
    for alert in view.alerts:
        out.append(text(md(alert.message), "error" if alert.level in ("danger", "bad") else "muted"))

    def section(sec, title: str, rows, empty: str = "", always: bool = False):
        key = rows.__name__
        if not sec.total and not always:
            return
        out.append({"type": "divider"})
        out.append(header(title, sec.total))
        if not sec.items and empty:
            out.append(muted(md(empty)))
        for item in sec.items:
            out.extend(rows(item))
        out.extend(_more(sec, links, key))

    def dispute(item):
        rows = [text(f"{md(item.amount_display)} · {md(status(item.status))} · {md(item.created_display)}")]
        if item.reason:
            rows.append(text(md(item.reason)))
        if item.due_display:
            rows.append(text(md(_("Evidence due %(date)s") % {"date": item.due_display}), "error" if item.due_soon else "muted"))
        rows.append(muted(md(f"{item.provider} {item.remote_id} → {item.charge_remote_id}")))
        return rows

    def charge(item):
        rows = [text(f"*{md(item.amount_display)}* · {md(status(item.status))} · {md(item.created_display)}")]
        if item.description:
            rows.append(text(md(item.description)))
        if item.disputed:
            rows.append(text(md(_("Disputed: refunds are not possible while the dispute is open.")), "error"))
        if item.decline_reason:
            rows.append(text(md(item.decline_reason), "error"))
        if item.refunded:
            line = _("Refunded %(amount)s") % {"amount": item.refunded_display}
            if item.refundable:
                line += " · " + _("%(amount)s left to refund") % {"amount": item.refundable_display}
            rows.append(muted(md(line)))
        rows.append(muted(md(f"{item.provider} {item.remote_id}")))
        return rows + _item_buttons(item, panel, interactive)

    def subscription(item):
        rows = [text(f"*{md(item.plan_name or item.remote_id)}* · {md(status(item.status))}"),
                muted(md(f"{item.amount_display}{_interval(item)}" + (f" × {item.quantity}" if item.quantity > 1 else "")))]
        if item.trial_end_display:
            rows.append(muted(md(_("Trial ends %(date)s") % {"date": item.trial_end_display})))
        if item.renews_display:
            rows.append(muted(md(_("Renews %(date)s") % {"date": item.renews_display})))
        if item.ends_display:
            rows.append(text(md(_("Cancels at period end: %(date)s") % {"date": item.ends_display}), "error"))
        if item.status == "canceled" and item.canceled_display:
            rows.append(muted(md(_("Canceled %(date)s") % {"date": item.canceled_display})))
        rows.append(muted(md(f"{item.provider} {item.remote_id}")))
        return rows + _item_buttons(item, panel, interactive)

    def invoice(item):
        rows = [text(f"*{md(item.number or item.remote_id)}* · {md(status(item.status))} · {md(item.total_display)}")]
        if item.status == "open":
            line = _("%(amount)s unpaid") % {"amount": item.remaining_display}
            if item.due_display:
                line += " · " + _("due %(date)s") % {"date": item.due_display}
            rows.append(text(md(line), "error" if item.overdue else "muted"))
        rows.append(muted(md(f"{item.provider} {item.created_display}")))
        if item.hosted_url and str(item.hosted_url).startswith(("https://", "http://")):
            rows.append(url_button(f"invoice:{item.id}", _("view"), item.hosted_url))
        return rows + _item_buttons(item, panel, interactive)

    def refund(item):
        rows = [text(f"{md(item.amount_display)} · {md(status(item.status, 'refund'))} · {md(item.created_display)}")]
        if item.reason:
            rows.append(text(md(item.reason)))
        rows.append(muted(md(f"{item.provider} {item.remote_id} → {item.charge_remote_id}")))
        return rows

    def method(item):
        line = (item.brand or item.type or "").capitalize() + (f" •••• {item.last4}" if item.last4 else "")
        if item.is_default:
            line += f" ({_('default')})"
        if item.expiry:
            line += " · " + (_("expired %(expiry)s") % {"expiry": item.expiry} if item.expired else item.expiry)
        return [text(md(line)), muted(md(item.provider + (f" · {item.wallet}" if item.wallet else "")))]

    def tax_id(item):
        rows = [text(f"{md(item.value)} · {md(item.type)}")]
        if item.verification_status:
            rows.append(muted(md(item.verification_status)))
        return rows

    def recent(item):
        line = audit_text(item) + (f" {item.amount_display}" if item.amount_display else "")
        who = _("You") if item.by_me else item.actor
        rows = [text(md(line)), muted(md(" · ".join(p for p in (who, item.created_display, item.remote_id) if p)))]
        if item.reason:
            rows.append(muted(md(f"“{item.reason}”")))
        return rows

    section(view.disputes, _("Disputes"), dispute)
    section(view.charges, _("Payments"), charge, _("No payments yet."), always=True)
    section(view.subscriptions, _("Subscriptions"), subscription, _("No subscriptions."), always=True)
    section(view.invoices, _("Invoices"), invoice)
    section(view.refunds, _("Refunds"), refund)
    if view.payment_methods:
        section(view.payment_methods, _("Payment methods"), method, _("No saved payment methods."), always=True)
    section(view.tax_ids, _("Tax IDs"), tax_id)
    if view.recent_actions:
        section(view.recent_actions, _("Recent actions"), recent, _("No actions yet."), always=True)
    if links is not None:
        out.append({"type": "divider"})
        out.append(url_button("open-chargeside", _("Open in Chargeside"), links.panel()))
    return out
