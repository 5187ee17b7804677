"""Intercom: a Canvas Kit inbox app in the conversation details panel (signed initialize and submit requests
answered with Canvas Kit components), and private notes through the REST API."""
