"""Custom HTTP gateway: a merchant's own billing system behind the contract in docs/custom-gateways.md.

- adapter.py  CustomHttpAdapter: capabilities, settings spec, reads, refund, cancel, webhook entry points
- client.py   httpx transport: every request signed, https required (loopback aside), errors → typed errors
- signing.py  the HMAC-SHA256 scheme used in both directions (requests to the server, webhooks to us)
- mapping.py  strict contract JSON → DTO functions (integer minor units, ISO currencies, RFC 3339 times)
- webhooks.py one event per delivery → InboundEvent
- check.py    run_checks(url, secret): the contract scenarios against any server (`chargeside gateways check-custom`)

Registered in gateways/registry.py as "custom_http". Nothing here imports Django.
"""
