"""One search for the whole site: policies, programs, indicators, organizations and visits,
grouped by kind, each kind's first results with a count and, where a list page takes the same
query, a link to all of them there (jeonju.search says how words match)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jeonju.search import MAX_QUERY_LENGTH, rank, words
from policies.models import Policy
from portal.cache import cache_public_page
from portal.filters import localized_name
from programs.models import Indicator, Program
from visits.models import Organization, Visit

# The results of each kind shown on the page.
SHOWN = 10
# Counted no further: beyond it the page says "more than", and the database stops reading.
COUNTED = 1000


@dataclass
class Group:
    key: str
    title: Any
    results: list
    count: int
    more_url: str = ""

    @property
    def over(self) -> bool:
        return self.count > COUNTED


def _group(key: str, title, queryset: QuerySet, more_url: str = "", count: int | None = None) -> Group:
    results = list(queryset[: SHOWN + 1])
    if count is None:
        count = len(results) if len(results) <= SHOWN else queryset.order_by()[: COUNTED + 1].count()
    return Group(key, title, results[:SHOWN], count, more_url if count > SHOWN else "")


def groups(query: str) -> list[Group]:
    """Each kind's results for the query, in the order the page shows them; in each kind, those
    whose name matches first, then by name in the page's language."""
    qs = urlencode({"q": query})
    query_words = words(query)

    def by_name(name: str):
        return (rank((f"{name}_ko", f"{name}_en"), query_words), localized_name(name))

    # The organizations each word matches, read once: the organizations found are those all the
    # words match, and the visits are read through them.
    organizations = Organization.objects.ids_matching(query)
    found = set.intersection(*organizations) if organizations else set()
    visits = (
        Visit.objects.search(query, organizations)
        # Newest first, as on the visit list, but without its order by program and organization
        # names, which would have the database join every visit found before keeping ten.
        .order_by("-year", F("visited_on").desc(nulls_last=True), "-pk")
        .select_related("program", "organization")
        .only(
            "year",
            "visited_on",
            "purpose_ko",
            "purpose_en",
            "program__slug",
            "program__name_ko",
            "program__name_en",
            "organization__name_ko",
            "organization__name_en",
            "organization__region",
            "organization__municipality_ko",
            "organization__municipality_en",
        )
    )
    return [
        _group(
            "policies",
            _("Policies"),
            Policy.objects.search(query).order_by(*by_name("title"), "slug"),
            f"{reverse('policies:list')}?{qs}",
        ),
        _group(
            "programs",
            _("Programs"),
            Program.objects.search(query).order_by(*by_name("name"), "slug"),
            f"{reverse('programs:list')}?{qs}",
        ),
        _group("indicators", _("Indicators"), Indicator.objects.search(query).order_by(*by_name("name"), "code")),
        _group(
            "organizations",
            _("Visiting organizations"),
            Organization.objects.filter(pk__in=found).order_by(*by_name("name"), "pk"),
            f"{reverse('visits:list')}?{qs}",
            count=len(found),
        ),
        _group("visits", _("Benchmarking visits"), visits, f"{reverse('visits:list')}?{qs}"),
    ]


@cache_public_page(params=("q",))
def search(request):
    """The results page; also its own form when nothing (or too much) was typed. Cached like the
    other public pages, keyed by the query like a filtered list (portal.cache)."""
    query = " ".join(request.GET.get("q", "").split())
    context = {"query": query, "max_length": MAX_QUERY_LENGTH, "groups": [], "error": ""}
    if len(query) > MAX_QUERY_LENGTH:
        context["error"] = _("The search text is too long: at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}
        context["query"] = query[:MAX_QUERY_LENGTH]
    elif query and not words(query):
        context["error"] = _("Type a word or a number to search for.")
    elif query:
        context["groups"] = groups(query)
        context["total"] = sum(group.count for group in context["groups"])
    return TemplateResponse(request, "search.html", context)
