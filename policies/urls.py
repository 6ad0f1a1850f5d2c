from django.urls import path, re_path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    re_path(r"^download\.(?P<format>csv|json)$", views.PolicyListView.as_view(), name="download"),
    path("<slug:slug>/", views.PolicyDetailView.as_view(), name="detail"),
]
