from django.urls import path, re_path

from . import feeds, views

app_name = "visits"

urlpatterns = [
    path("", views.VisitListView.as_view(), name="list"),
    re_path(r"^download\.(?P<format>csv|json)$", views.VisitListView.as_view(), name="download"),
    path("feed.atom", feeds.AtomVisitFeed(), name="feed-atom"),
    path("feed.rss", feeds.RssVisitFeed(), name="feed-rss"),
]
