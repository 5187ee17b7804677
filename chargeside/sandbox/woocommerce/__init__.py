"""A wire-faithful fake WooCommerce store (REST API wc/v3, WooCommerce Subscriptions optional). See fake.py."""

from .fake import CONSUMER_KEY, CONSUMER_SECRET, WooFake

__all__ = ["CONSUMER_KEY", "CONSUMER_SECRET", "WooFake"]
