"""A stateful fake of PayPal's REST APIs for the official paypal-server-sdk (see README.md)."""

from .fake import PayPalFake

__all__ = ["PayPalFake"]
