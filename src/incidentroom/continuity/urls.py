"""Continuity page URLs."""

from django.urls import path

from incidentroom.continuity import views

urlpatterns = [
    path("continuity/", views.continuity_home, name="continuity-home"),
    path("continuity/<str:code>/", views.continuity_board, name="continuity-board"),
    path("continuity/<str:code>/suppliers/", views.add_supplier, name="continuity-supplier-add"),
    path("continuity/<str:code>/grab-bag.pdf", views.grab_bag, name="continuity-grab-bag"),
    path("continuity/services/<int:service_id>/plan/", views.save_plan, name="continuity-plan-save"),
    path("continuity/services/<int:service_id>/update/", views.record_update, name="continuity-update"),
    path(
        "continuity/suppliers/<int:supplier_id>/remove/",
        views.remove_supplier,
        name="continuity-supplier-remove",
    ),
]
