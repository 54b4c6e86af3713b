"""Public status page app."""

from django.apps import AppConfig


class StatusConfig(AppConfig):
    """Django app for the residents' status page and its email subscribers."""

    name = "incidentroom.status"
    label = "status"
    verbose_name = "Public status page"

    def ready(self) -> None:
        """Listen to the incident signals that propose status changes."""
        from incidentroom.status import receivers

        receivers.connect()
