"""Advisory page URLs."""

from django.urls import path

from incidentroom.advisories import views

urlpatterns = [
    path("advisories/", views.advisory_list, name="advisory-list"),
    path("advisories/new/", views.advisory_create, name="advisory-create"),
    path("advisories/pending/", views.advisory_pending, name="advisory-pending"),
    path("advisories/<int:advisory_id>/", views.advisory_detail, name="advisory-detail"),
    path(
        "advisories/<int:advisory_id>/acknowledge/", views.advisory_acknowledge, name="advisory-acknowledge"
    ),
    path("advisories/<int:advisory_id>/remind/", views.advisory_remind, name="advisory-remind"),
    path("advisories/<int:advisory_id>/withdraw/", views.advisory_withdraw, name="advisory-withdraw"),
    path("advisories/<int:advisory_id>/acknowledgements.csv", views.advisory_export, name="advisory-export"),
]
