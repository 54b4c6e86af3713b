"""Indicator, sweep and evidence page URLs."""

from django.urls import path

from incidentroom.threats import views

urlpatterns = [
    path("incidents/<str:reference>/threats/", views.threats_home, name="threats-home"),
    path(
        "incidents/<str:reference>/threats/indicators/",
        views.indicator_create,
        name="threats-indicator-create",
    ),
    path("incidents/<str:reference>/threats/import/", views.indicator_import, name="threats-import"),
    path("incidents/<str:reference>/threats/export.<str:fmt>", views.indicator_export, name="threats-export"),
    path("incidents/<str:reference>/threats/hosts/", views.host_add, name="threats-host-add"),
    path("incidents/<str:reference>/threats/sweeps/upload/", views.sweep_upload, name="threats-sweep-upload"),
    path("incidents/<str:reference>/threats/sweeps/folder/", views.sweep_folder, name="threats-sweep-folder"),
    path("threats/sweeps/<int:sweep_id>/", views.sweep_detail, name="threats-sweep"),
    path("threats/sweeps/<int:sweep_id>/live/", views.sweep_live, name="threats-sweep-live"),
    path("threats/sweeps/<int:sweep_id>/cancel/", views.sweep_cancel, name="threats-sweep-cancel"),
    path("threats/sweeps/<int:sweep_id>/resume/", views.sweep_resume, name="threats-sweep-resume"),
    path("threats/hits/<int:hit_id>/confirm/", views.hit_confirm, name="threats-hit-confirm"),
    path("threats/hits/<int:hit_id>/dismiss/", views.hit_dismiss, name="threats-hit-dismiss"),
    path("incidents/<str:reference>/evidence/", views.evidence_list, name="threats-evidence-list"),
    path(
        "incidents/<str:reference>/evidence/register/",
        views.evidence_register,
        name="threats-evidence-register",
    ),
    path("threats/evidence/<int:item_id>/", views.evidence_detail, name="threats-evidence"),
    path("threats/evidence/<int:item_id>/custody/", views.evidence_custody, name="threats-evidence-custody"),
    path("threats/evidence/<int:item_id>/verify/", views.evidence_verify, name="threats-evidence-verify"),
    path("threats/evidence/<int:item_id>/custody.pdf", views.evidence_pdf, name="threats-evidence-pdf"),
]
