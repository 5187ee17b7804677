"""Chargeside: billing context and audited one-click actions beside every helpdesk ticket."""

__version__ = "0.1.0"
