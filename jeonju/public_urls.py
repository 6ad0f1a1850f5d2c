"""The citizen-facing pages; Korean at the plain URLs, English under /en/ (see jeonju/urls.py)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("policies/", include("policies.urls")),
    path("programs/", include("programs.urls")),
    path("indicators/", include("programs.indicator_urls")),
    path("visits/", include("visits.urls")),
]
