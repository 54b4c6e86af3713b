"""Organisations, people, roles, API tokens and the audit trail."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Django app for the cross-cutting concepts every other app builds on."""

    name = "incidentroom.core"
    label = "core"
    verbose_name = "Organisations, people and audit"
