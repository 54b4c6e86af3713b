"""Status page URLs: the public site under /status/, the comms page under /comms/status/."""

from django.urls import path

from incidentroom.status import views

urlpatterns = [
    path("status/", views.public_file, name="status-public"),
    path("status/status.json", views.public_file, name="status-public-json"),
    path("status/feed.atom", views.public_file, name="status-public-feed"),
    path("status/accessibility/", views.public_file, name="status-accessibility"),
    path("status/assets/<str:name>", views.public_file, name="status-asset"),
    path("status/subscribe/", views.subscribe, name="status-subscribe"),
    path(
        "status/subscribe/confirm/<str:token>/", views.confirm_subscription, name="status-subscribe-confirm"
    ),
    path("status/unsubscribe/<str:token>/", views.unsubscribe, name="status-unsubscribe"),
    path("status/<slug:code>/", views.public_file, name="status-public-org"),
    path("status/<slug:code>/status.json", views.public_file, name="status-public-org-json"),
    path("status/<slug:code>/feed.atom", views.public_file, name="status-public-org-feed"),
    path("comms/status/", views.manage, name="status-manage"),
    path("comms/status/proposals/bulk/", views.decide_proposals, name="status-proposals-bulk"),
    path("comms/status/proposals/<int:proposal_id>/", views.decide_proposal, name="status-proposal-decide"),
    path("comms/status/services/", views.set_service_status, name="status-service-set"),
    path("comms/status/updates/", views.post_update, name="status-update-post"),
    path("comms/status/pages/<str:code>/", views.configure_page, name="status-page-configure"),
    path("comms/status/republish/", views.republish, name="status-republish"),
]
