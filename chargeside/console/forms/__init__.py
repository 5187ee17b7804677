"""Console forms: validation of what people type, with messages that say what to fix."""
