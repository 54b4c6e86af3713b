"""Core page URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from incidentroom.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<str:code>/", views.organisation_details, name="organisation-details"),
]
