"""A Front simulator for the demo and the tests: see simulator.py."""

from .simulator import FrontSimulator

__all__ = ["FrontSimulator"]
