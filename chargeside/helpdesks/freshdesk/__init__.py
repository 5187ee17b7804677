"""Freshdesk: a Freshworks (FDK, platform 3.0) app in the ticket sidebar that reaches us through the Freshworks
request proxy, shows the generic panel in its frame, and private notes through the Freshdesk API v2."""
