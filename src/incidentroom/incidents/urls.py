"""Incident page URLs."""

from django.urls import path

from incidentroom.incidents import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<str:reference>/", views.incident_dashboard, name="incident-dashboard"),
    path("incidents/<str:reference>/live/", views.incident_live, name="incident-live"),
    path("incidents/<str:reference>/systems/", views.set_system_state, name="incident-system-state"),
    path("incidents/<str:reference>/containment/", views.set_containment, name="incident-containment"),
    path("incidents/<str:reference>/awareness/", views.set_awareness, name="incident-awareness"),
    path("incidents/<str:reference>/breach/", views.flag_breach, name="incident-breach"),
    path("incidents/<str:reference>/reports/", views.record_obligation, name="incident-obligation-record"),
    path("incidents/<str:reference>/log/", views.incident_log, name="incident-log"),
    path("incidents/<str:reference>/log/add/", views.add_log_entry, name="incident-log-add"),
    path("incidents/<str:reference>/log.csv", views.incident_log_csv, name="incident-log-csv"),
    path("incidents/<str:reference>/log.pdf", views.incident_log_pdf, name="incident-log-pdf"),
    path("incidents/<str:reference>/actions/", views.create_action, name="incident-action-create"),
    path(
        "incidents/<str:reference>/actions/<int:action_id>/",
        views.update_action,
        name="incident-action-update",
    ),
    path(
        "incidents/<str:reference>/obligations/<int:obligation_id>/",
        views.update_obligation,
        name="incident-obligation-update",
    ),
]
