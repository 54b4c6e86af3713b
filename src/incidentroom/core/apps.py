"""Organisations, people, roles, API tokens and the audit trail."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Django app for the cross-cutting concepts every other app builds on."""

    name = "incidentroom.core"
    label = "core"
    verbose_name = "Organisations, people and audit"

    def ready(self) -> None:
        """Every save of a text field is checked for control characters (core.signals)."""
        from django.db.models.signals import pre_save

        from incidentroom.core.signals import refuse_control_characters

        pre_save.connect(refuse_control_characters, dispatch_uid="incidentroom.refuse_control_characters")
