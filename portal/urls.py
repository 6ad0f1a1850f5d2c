"""The citizen-facing pages; Korean at the plain URLs, English under /en/ (see jeonju/urls.py).

Each section keeps its URL namespace (`programs:detail`, `indicators:list`, …).
"""

from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from . import feeds
from .models import SitePage
from .views import home, indicators, policies, programs, requests, search, sitepages, visits


class DownloadFormatConverter:
    """`csv` or `json`: the formats of every download."""

    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DownloadFormatConverter, "format")


def moved(slug: str, to: str, name: str):
    """A page whose address was corrected ("donne" was a misspelling of Dongne): the old one
    redirects for good, so links and bookmarks keep working."""
    return path(f"{slug}/", RedirectView.as_view(pattern_name=name, permanent=True), {"slug": to})


policy_urls = [
    path("", policies.PolicyListView.as_view(), name="list"),
    moved("neighbourhood-welfare", "dongne-welfare", "policies:detail"),
    path("download.<format:format>", policies.PolicyListView.as_view(), name="download"),
    path("<slug:slug>/", policies.PolicyDetailView.as_view(), name="detail"),
]
program_urls = [
    path("", programs.ProgramListView.as_view(), name="list"),
    path("download.<format:format>", programs.ProgramListView.as_view(), name="download"),
    moved("donne-welfare", "dongne-welfare", "programs:detail"),
    path("<slug:slug>/", programs.ProgramDetailView.as_view(), name="detail"),
    path("<slug:slug>/budget.<format:format>", programs.ProgramBudgetDownloadView.as_view(), name="budget-download"),
    path("<slug:slug>/figures.<format:format>", programs.ProgramFiguresDownloadView.as_view(), name="figures-download"),
]
indicator_urls = [
    path("", indicators.IndicatorListView.as_view(), name="list"),
    path("<slug:code>/", indicators.IndicatorDetailView.as_view(), name="detail"),
    path("<slug:code>/download.<format:format>", indicators.IndicatorDetailView.as_view(), name="download"),
]
visit_urls = [
    path("", visits.VisitListView.as_view(), name="list"),
    path("download.<format:format>", visits.VisitListView.as_view(), name="download"),
    path("feeds/", visits.VisitFeedsView.as_view(), name="feeds"),
    path("request/", requests.request_visit, name="request"),
    path("request/<str:token>/", requests.request_status, name="request-status"),
    path("follow-up/<str:token>/", requests.follow_up, name="follow-up"),
    path("calendar/<str:token>.ics", requests.hosting_calendar, name="calendar"),
    path("feed.atom", feeds.AtomVisitFeed(), name="feed-atom"),
    path("feed.rss", feeds.RssVisitFeed(), name="feed-rss"),
]

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("search/", search.search, name="search"),
    path("policies/", include((policy_urls, "policies"))),
    path("programs/", include((program_urls, "programs"))),
    path("indicators/", include((indicator_urls, "indicators"))),
    path("visits/", include((visit_urls, "visits"))),
    # The footer's pages, each named by its slug: reverse("privacy").
    *(path(f"{slug}/", sitepages.SitePageView.as_view(), {"slug": slug}, name=slug) for slug in SitePage.Slug.values),
]
