"""Staff advisories: what not to trust, who has read it, reminders and suggested controls."""
