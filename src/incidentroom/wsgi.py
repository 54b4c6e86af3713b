"""WSGI entry point for gunicorn (``incidentroom serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentroom.settings")
application = get_wsgi_application()
