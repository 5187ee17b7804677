"""A stateful fake of Braintree's XML gateway API for tests and the demo (see fake.py, README.md)."""

from .fake import BraintreeFake

__all__ = ["BraintreeFake"]
