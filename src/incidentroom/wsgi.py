"""WSGI entry point for gunicorn (``incidentroom serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentroom.settings")
django_application = get_wsgi_application()

# Imported after Django is set up: it reads settings.
from incidentroom.status.wsgi import PublishedStatusApp  # noqa: E402

application = PublishedStatusApp(django_application)
