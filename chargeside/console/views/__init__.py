"""Console views, one module per page group (thin: forms validate, services act, templates show)."""
