"""WSGI entry point for granian (``incidentroom serve``); any WSGI server can load it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentroom.settings")
django_application = get_wsgi_application()

# Imported after Django is set up: it reads settings.
from incidentroom.core.wsgi_environ import WithoutProcessEnvironment  # noqa: E402
from incidentroom.status.wsgi import PublishedStatusApp  # noqa: E402

# The status front answers a public status URL without looking at the rest of the environ;
# everything else reaches Django with the request's own environ only.
application = PublishedStatusApp(WithoutProcessEnvironment(django_application))
