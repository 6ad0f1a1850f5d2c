from django.urls import path, re_path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.ProgramListView.as_view(), name="list"),
    re_path(r"^download\.(?P<format>csv|json)$", views.ProgramListView.as_view(), name="download"),
    path("<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/budget\.(?P<format>csv|json)$",
        views.ProgramBudgetDownloadView.as_view(),
        name="budget-download",
    ),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/figures\.(?P<format>csv|json)$",
        views.ProgramFiguresDownloadView.as_view(),
        name="figures-download",
    ),
]
