"""The public status page: proposals from the estate, confirmed statuses, static publishing, subscribers."""
