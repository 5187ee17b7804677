"""A Help Scout (and FreeScout) simulator for the demo and the tests: see simulator.py."""

from .simulator import HelpScoutSimulator

__all__ = ["HelpScoutSimulator"]
