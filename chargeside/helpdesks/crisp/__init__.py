"""Crisp: the plugin's iFrame widget in the conversation sidebar (our generic panel with a desk-bound session),
signed plugin requests, and private notes through Crisp's REST API v1. See adapter.py for what was checked."""
