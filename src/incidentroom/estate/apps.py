"""The shared estate: IT systems, resident-facing services and what depends on what."""

from django.apps import AppConfig


class EstateConfig(AppConfig):
    """Django app for systems, services and dependency edges."""

    name = "incidentroom.estate"
    label = "estate"
    verbose_name = "Shared estate"
