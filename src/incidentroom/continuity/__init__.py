"""Business continuity: prioritised services with ISO 22301 terms, workarounds, the grab bag."""
