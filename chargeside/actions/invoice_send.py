"""Email an invoice to the customer through the gateway; a draft is finalized first."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chargeside.billing.models import Invoice
from chargeside.core.formatting import money as fmt
from chargeside.core.money import Money
from chargeside.gateways.types import Capability, InvoiceStatus
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import finished_count, get_row, status_words, target_for

SENDABLE = {InvoiceStatus.DRAFT, InvoiceStatus.OPEN}


class InvoiceSend(Action):
    name = "invoice_send"
    label = "Send invoice"
    permission = Perm.INVOICE_SEND
    capability = Capability.INVOICE_SEND

    def resolve(self, workspace, params):
        return target_for(get_row(Invoice, workspace, params.get("invoice"), _("Invoice")))

    def clean(self, target, params, adapter):
        invoice: Invoice = target.obj
        if invoice.status not in SENDABLE:
            raise ActionError(_("Only a draft or open invoice can be sent; this one is %(status)s.") % {"status": status_words(invoice.status)},
                              code="not_sendable")
        if invoice.raw.get("collection_method") == "charge_automatically":  # Stripe sends only "send_invoice" ones
            raise ActionError(_("This invoice is paid automatically from the card on file; only invoices the customer pays "
                                "from an email can be sent."), code="not_sendable")
        if target.obj.gateway_customer_id and not (target.obj.gateway_customer.email or "").strip():
            raise ActionError(_("The customer has no email address at the gateway to send the invoice to."), code="no_email")
        return {"finalize": invoice.status == InvoiceStatus.DRAFT}

    def key_params(self, cleaned):
        return {}  # `finalize` only mirrors the status, which the state token already covers

    def state_token(self, target):
        # Sending again later (the customer lost the email) is a new attempt; a double click is not.
        return f"{target.obj.status}:{finished_count(target.connection.workspace_id, self.name, target.remote_id)}"

    def preview(self, target, cleaned, adapter, language):
        invoice: Invoice = target.obj
        email = invoice.gateway_customer.email if invoice.gateway_customer_id else ""
        what = invoice.number or invoice.remote_id
        values = {"invoice": what, "amount": fmt(invoice.amount_remaining or invoice.total, invoice.currency, language),
                  "to": email or _("the customer")}
        summary = _("Finalize and email invoice %(invoice)s (%(amount)s) to %(to)s.") if cleaned["finalize"] else \
            _("Email invoice %(invoice)s (%(amount)s) to %(to)s.")
        return Preview(
            summary=summary % values,
            amount=Money(invoice.amount_remaining or invoice.total, invoice.currency),
            lines=(
                (_("Invoice"), what),
                (_("Status"), f"{status_words(invoice.status)} → {status_words('open')}" if cleaned["finalize"] else status_words(invoice.status)),
                (_("Amount due"), fmt(invoice.amount_remaining or invoice.total, invoice.currency, language)),
                (_("To"), email or "—"),
            ),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.invoice_send(invoice_remote_id=target.remote_id, idempotency_key=idempotency_key)]
