"""Stripe gateway adapter (official SDK `stripe` 16.1.0, API version 2026-10-28.endive).

- adapter.py  StripeAdapter: capabilities, settings spec, reads, writes, webhook entry points
- client.py   the SDK pointed at the connection's base URL; our idempotency keys; Stripe errors → typed errors
- mapping.py  pure Stripe JSON → DTO functions (reads the current and the older API shapes)
- statuses.py explicit status tables and the policy for statuses Stripe adds later
- events.py   the explicit Stripe event type → ResourceKind table (re-exported as mapping.event)
- webhooks.py Stripe-Signature verification on raw bytes, then parsing

Registered in gateways/registry.py as "stripe". Nothing here imports Django.
"""
