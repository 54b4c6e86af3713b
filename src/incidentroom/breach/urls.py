"""Breach page URLs (the public notice is the only page without sign-in)."""

from django.urls import path

from incidentroom.breach import views, views_people, views_telling

urlpatterns = [
    path("breaches/", views.breach_list, name="breach-list"),
    path("incidents/<str:reference>/data-breach/", views.incident_breach, name="breach-record"),
    path("breaches/<int:breach_id>/", views.breach_detail, name="breach-detail"),
    path("breaches/<int:breach_id>/edit/", views.breach_update, name="breach-update"),
    path("breaches/<int:breach_id>/scans/", views.scan_start, name="breach-scan-start"),
    path("breaches/<int:breach_id>/individuals/", views.individuals, name="breach-individuals"),
    path("breaches/<int:breach_id>/individuals.csv", views.individuals_csv, name="breach-individuals-csv"),
    path("breaches/<int:breach_id>/reports/", views.report_draft, name="breach-report-draft"),
    path("breaches/<int:breach_id>/letters/", views.letters_generate, name="breach-letters-generate"),
    path("breaches/<int:breach_id>/emails/", views.emails_create, name="breach-emails-create"),
    path("breaches/<int:breach_id>/public-notice/", views.public_notice_publish, name="breach-public-notice"),
    path("breaches/<int:breach_id>/telling/", views_telling.wording, name="breach-telling"),
    path("breaches/<int:breach_id>/telling/save/", views_telling.wording_save, name="breach-telling-save"),
    path(
        "breaches/<int:breach_id>/telling/approve/",
        views_telling.wording_approve,
        name="breach-telling-approve",
    ),
    path(
        "breaches/<int:breach_id>/telling/sample-letter.pdf",
        views_telling.sample_letter,
        name="breach-telling-sample-letter",
    ),
    path("scans/<int:scan_id>/", views.scan_progress, name="breach-scan"),
    path("scans/<int:scan_id>/cancel/", views.scan_cancel, name="breach-scan-cancel"),
    path("scans/<int:scan_id>/resume/", views.scan_resume, name="breach-scan-resume"),
    path("scans/<int:scan_id>/discard/", views.scan_discard, name="breach-scan-discard"),
    path("people/<int:individual_id>/", views_people.individual_detail, name="breach-individual"),
    path(
        "people/<int:individual_id>/<slug:what>/",
        views_people.individual_action,
        name="breach-individual-action",
    ),
    path("reports/<int:report_id>/", views.report_detail, name="breach-report"),
    path("reports/<int:report_id>/download.<str:fmt>", views.report_download, name="breach-report-download"),
    path("reports/<int:report_id>/submit/", views.report_submit, name="breach-report-submit"),
    path("letters/<int:batch_id>/", views.letters_detail, name="breach-letters"),
    path("letters/<int:batch_id>/files/<str:name>", views.letters_file, name="breach-letters-file"),
    path("letters/<int:batch_id>/people/<int:letter_id>.pdf", views.letter_pdf, name="breach-letter-pdf"),
    path("letters/<int:batch_id>/posted/", views.letters_posted, name="breach-letters-posted"),
    path("emails/<int:notice_id>/", views_telling.emails_detail, name="breach-emails"),
    path("emails/<int:notice_id>/send/", views_telling.emails_send, name="breach-emails-send"),
    path("emails/<int:notice_id>/test/", views_telling.email_test, name="breach-emails-test"),
    path("emails/<int:notice_id>/confirm/", views_telling.email_confirm, name="breach-emails-confirm"),
    path(
        "emails/<int:notice_id>/deliveries/<int:delivery_id>/",
        views_telling.emails_resolve,
        name="breach-emails-resolve",
    ),
    path("notices/<str:slug>/", views.public_notice, name="breach-public"),
]
