"""Wire-faithful fake gateway servers and helpdesk simulators for the demo and tests."""
