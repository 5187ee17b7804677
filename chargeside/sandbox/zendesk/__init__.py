"""Zendesk Support simulator: the agent's ticket page with the Chargeside app in the sidebar iframe (signed-URL
first load, a stand-in ZAF SDK), the Tickets API calls Chargeside makes, and fault injection for notes."""

from .simulator import ZendeskSimulator

__all__ = ["ZendeskSimulator"]
