"""URL map: pages per app, the API under /api/."""

from django.urls import include, path

from incidentroom.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("incidentroom.core.urls")),
    path("", include("incidentroom.estate.urls")),
    path("", include("incidentroom.incidents.urls")),
    path("", include("incidentroom.status.urls")),
    path("", include("incidentroom.advisories.urls")),
    path("", include("incidentroom.continuity.urls")),
    path("", include("incidentroom.breach.urls")),
    path("", include("incidentroom.threats.urls")),
]
