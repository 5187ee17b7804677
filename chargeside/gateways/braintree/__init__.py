"""Braintree (XML gateway API through the official `braintree` SDK 4.48.0): adapter, client, mapping, webhooks."""
