"""Recurly gateway adapter (official SDK `recurly` 4.79.0, API v2021-02-25).

- adapter.py  RecurlyAdapter: capabilities, settings spec, reads, writes, webhook entry points, find_write
- client.py   the SDK pointed at the connection's base URL (the one pinned override), Recurly errors → typed errors,
              SDK resources → plain JSON dicts
- mapping.py  pure Recurly JSON → DTO functions (decimal amounts → integer minor units)
- statuses.py explicit status tables and the policy for statuses Recurly adds later
- webhooks.py `recurly-signature` verification on raw bytes, then JSON notification parsing

Registered in gateways/registry.py as "recurly". Nothing here imports Django.
"""
