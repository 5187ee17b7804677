"""An Intercom simulator (the Inbox with a Canvas Kit app, and the REST API for notes): see simulator.py."""

from .simulator import IntercomSimulator

__all__ = ["IntercomSimulator"]
