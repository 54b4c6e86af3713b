"""Advisory fixtures: background tasks run at once."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """Emails are sent by tasks; run them in the test instead of a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def mail(settings: Any, smtp_server: Any) -> Any:
    """Point Django's SMTP backend at the real local SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    return smtp_server
