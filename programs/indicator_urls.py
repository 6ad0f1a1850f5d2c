"""Indicators live in the programs app but have their own URL namespace, mounted at /indicators/."""

from django.urls import path, re_path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.IndicatorListView.as_view(), name="list"),
    path("<slug:code>/", views.IndicatorDetailView.as_view(), name="detail"),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/download\.(?P<format>csv|json)$",
        views.IndicatorDetailView.as_view(),
        name="download",
    ),
]
