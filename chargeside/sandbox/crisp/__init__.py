"""A Crisp simulator for the demo and the tests: see simulator.py."""

from .simulator import CrispSimulator

__all__ = ["CrispSimulator"]
