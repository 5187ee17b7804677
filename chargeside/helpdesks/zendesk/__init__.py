"""Zendesk Support: a ZAF v2 iframe app in the ticket sidebar (signed URLs, RS256 JWT), the generic panel with a
desk-bound session, and private notes through the Support REST API. See adapter.py for the protocol."""
