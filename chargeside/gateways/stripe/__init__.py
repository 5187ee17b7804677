"""Stripe gateway adapter (official SDK `stripe` 16.1.0, API version 2026-10-28.endive).

- adapter.py  StripeAdapter: capabilities, settings spec, reads, writes, webhook entry points
- client.py   the SDK pointed at the connection's base URL; our idempotency keys; Stripe errors → typed errors
- mapping.py  pure Stripe JSON → DTO functions with explicit status tables (old and new API shapes)
- events.py   the explicit Stripe event type → ResourceKind table (re-exported as mapping.event)
- webhooks.py Stripe-Signature verification on raw bytes, then parsing

Registered in gateways/registry.py as "stripe". Nothing here imports Django.
"""
