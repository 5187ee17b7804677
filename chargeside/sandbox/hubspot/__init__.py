"""A HubSpot simulator (record page with our CRM card, signed data fetch and action hooks, the notes API) for
the demo and the tests: see simulator.py."""

from .simulator import HubSpotSimulator

__all__ = ["HubSpotSimulator"]
