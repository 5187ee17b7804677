"""The always-present demo customer, Ayşe Yılmaz (``ayse.yilmaz@example.com``), with fixed ids:
TRY and EUR charges, a partial refund, a failed charge, a dispute awaiting evidence, an active
subscription with paid invoices, an open invoice and a Turkish tax id."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import seed_data as D
from .resources import billing, tax_ids

if TYPE_CHECKING:
    from .seeder import Seeder

DAY = 86400


def demo(seeder: "Seeder") -> None:
    from .seeder import DEMO_CUSTOMER, DEMO_EMAIL

    tr = D.LOCALES[0]
    created = seeder.now - 400 * DAY
    cust = seeder.customer(DEMO_CUSTOMER, created, "Ayşe Yılmaz", DEMO_EMAIL, tr, phone="+905551234567",
                         description="Demo customer: a bit of everything", currency="try",
                         metadata={"plan_owner": "true", "crm_id": "CRM-0001"})
    cust["address"] = {"city": "İstanbul", "country": "TR", "line1": "Bağdat Caddesi No: 42",
                       "line2": "Kadıköy", "postal_code": "34710", "state": None}
    visa = seeder.card(cust["id"], created, "tr", pm_id="pm_DemoAyseVisaTr000000001")
    visa["card"].update(exp_month=8, exp_year=time.gmtime(seeder.now).tm_year + 2)
    master = seeder.card(cust["id"], created + DAY, "mastercard", pm_id="pm_DemoAyseMastercard00001")
    cust["invoice_settings"] = {**cust["invoice_settings"], "default_payment_method": visa["id"]}
    seeder.emit(cust)
    _, ch1 = seeder.payment(cust, visa, 125000, "try", seeder.now - 40 * DAY, description="Sipariş #48213",
                          ids=("pi_DemoAyseTry000000000001", "ch_DemoAyseTry000000000001"))
    seeder.refund(ch1, 25000, seeder.now - 38 * DAY, reason="requested_by_customer", rid="re_DemoAysePartial0000001")
    _, ch2 = seeder.payment(cust, master, 8900, "eur", seeder.now - 20 * DAY, description="Premium templates",
                          ids=("pi_DemoAyseEur000000000001", "ch_DemoAyseEur000000000001"))
    seeder.dispute(ch2, seeder.now - 2 * DAY, "needs_response", "product_not_received", 7, did="dp_DemoAyseDispute0000001")
    seeder.payment(cust, master, 4500, "eur", seeder.now - 10 * DAY, description="Seat top-up",
                 ids=("pi_DemoAyseEur000000000002", "ch_DemoAyseEur000000000002"))
    seeder.payment(cust, visa, 59900, "try", seeder.now - 3 * DAY, decline="insufficient_funds",
                 description="Sipariş #48377", ids=("pi_DemoAyseFailed00000001", "ch_DemoAyseFailed00000001"))
    seeder.subscription(cust, visa, "active", "try", sub_id="sub_DemoAyseTeamMonthly01", product="team",
                      plain=True)
    onboarding = seeder.prices[("onboarding", "try", None)]
    inv = billing.new_invoice(seeder.at(seeder.now - 5 * DAY), cust, currency="try", billing_reason="manual",
                              period=(seeder.now - 5 * DAY, seeder.now - 5 * DAY), collection_method="send_invoice",
                              invoice_id="in_DemoAyseOpenInvoice0001", description="Onboarding for the support team")
    billing.set_lines(inv, [billing.make_line(seeder.ctx, invoice_id=inv["id"], amount=onboarding["unit_amount"],
                                              currency="try", description="Onboarding package", price=onboarding,
                                              period=(seeder.now - 5 * DAY, seeder.now - 5 * DAY))])
    seq = cust["next_invoice_sequence"]
    cust["next_invoice_sequence"] = seq + 1
    inv.update(status="open", number=f"{cust['invoice_prefix']}-{seq:04d}", due_date=seeder.now + 9 * DAY,
               days_until_due=14, effective_at=seeder.now - 5 * DAY,
               hosted_invoice_url=f"https://invoice.stripe.com/i/acct_sandbox/test_{inv['id']}",
               status_transitions={"finalized_at": seeder.now - 5 * DAY, "marked_uncollectible_at": None,
                                   "paid_at": None, "voided_at": None})
    seeder.emit(inv)
    seeder.emit(tax_ids.new_tax_id("txi_DemoAyseTaxId000000001", created + DAY, cust["id"], "tr_tin", "1234567890"))
