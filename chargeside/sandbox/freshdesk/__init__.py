"""A Freshdesk simulator (ticket page with the Chargeside app, the request proxy, the notes API): see simulator.py."""

from .simulator import FreshdeskSimulator

__all__ = ["FreshdeskSimulator"]
