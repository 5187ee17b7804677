"""Resource families; importing them registers their routes and object defaults."""

from . import (  # noqa: F401
    account,
    catalog,
    charges,
    checkout,
    coupons,
    customers,
    disputes,
    events_api,
    invoice_payments,
    invoices,
    payment_intents,
    payment_methods,
    refunds,
    setup_intents,
    subscriptions,
    tax_ids,
)
