"""Estate page URLs."""

from django.urls import path

from incidentroom.estate import views

urlpatterns = [path("estate/", views.estate, name="estate")]
