"""Public page of benchmarking visits: the named visitors on record, filtered, with totals and charts."""

import logging
from collections import Counter

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Sum
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from policies.models import Source
from portal import charts
from portal.cache import cache_public_page, fragment_key
from portal.columns import VISITS
from portal.feeds import RssVisitFeed
from portal.filters import VisitFilter
from portal.models import ProgramFigures, VisitFigures
from portal.views.lists import DownloadableFilterView, visit_columns
from portal.views.programs import SourceIndex
from programs.models import Program
from visits.models import Organization, Region, Visit

logger = logging.getLogger("portal.cache")


@cache_public_page
class VisitListView(DownloadableFilterView):
    filterset_class = VisitFilter
    template_name = "visits/visit_list.html"
    context_object_name = "visits"
    paginate_by = 20  # as the program and policy lists
    download_name = "visits"

    # What a row shows, and nothing more: its source by id only (the page's numbered list names
    # it), no program description (a third of the columns and a model instance a row fewer to build).
    row_fields = (
        "source",
        "year",
        "visited_on",
        "program",
        "program__slug",
        "program__name_ko",
        "program__name_en",
        "organization",
        "organization__name_ko",
        "organization__name_en",
        "organization__kind",
        "organization__region",
        "organization__municipality_ko",
        "organization__municipality_en",
        "people",
        "purpose_ko",
        "purpose_en",
    )

    def get_queryset(self):
        return Visit.objects.select_related("program", "organization").only(*self.row_fields)

    # The totals and the charts are read by the template inside {% cache %} blocks keyed by the
    # data generation and the filters: every page of one filtered list shares them. Unfiltered,
    # they come from the kept figures instead of every visit. The number of visits is theirs.

    @cached_property
    def unfiltered(self) -> bool:
        return not any(self.request.GET.get(name) for name in self.filterset.filters)

    @cached_property
    def cells(self) -> list[tuple[int, str, int, int | None]]:
        """(year, region, visits, people) of the filtered set: one GROUP BY, or the kept figures."""
        if self.unfiltered:
            return list(VisitFigures.objects.values_list("year", "region", "visit_count", "people"))
        rows = self.object_list.order_by().values_list("year", "organization__region")
        return list(rows.annotate(n=Count("*"), people=Sum("people")))

    def get_paginator(self, queryset, per_page, **kwargs):
        # The number of visits is the sum of the cells the totals and charts read anyway.
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = sum(visits for _year, _region, visits, _people in self.cells)
        return paginator

    @cached_property
    def totals(self) -> dict:
        """The filtered set's totals (the number of visits is the paginator's). The distinct counts
        are counts of DISTINCT subqueries: a COUNT(DISTINCT …) sorts every row."""
        people = [n for _year, _region, _visits, n in self.cells if n is not None]
        if self.unfiltered:
            with_visits = Organization.objects.filter(Exists(Visit.objects.filter(organization=OuterRef("pk"))))
            organizations = with_visits.count()
            programs = ProgramFigures.objects.filter(visit_count__gt=0).count()
        else:
            filtered = self.object_list.order_by()
            organizations = filtered.values("organization").distinct().count()
            programs = filtered.values("program").distinct().count()
        return {"organizations": organizations, "programs": programs, "people": sum(people) if people else None}

    @cached_property
    def visit_charts(self) -> dict:
        """The charts of the filtered set: visits per year and per region of origin."""
        by_year: Counter[int] = Counter()
        by_region: Counter[str] = Counter()
        for year, region, visits, _people in self.cells:
            by_year[year] += visits
            by_region[region] += visits
        return self.charts(by_year, by_region)

    @staticmethod
    def charts(by_year: Counter, by_region: Counter) -> dict:
        region_labels = dict(Region.choices)
        year_chart = region_chart = None
        if by_year:
            year_chart = charts.bar_chart(
                [charts.Point(str(year), n) for year, n in sorted(by_year.items())],
                title=_("Named visits on record, by year"),
                unit=_("visits"),
                x_label=_("Year"),
                value_label=_("Visits on record"),
            )
        if by_region:
            region_chart = charts.hbar_chart(
                [
                    (str(region_labels.get(region, region)), n)
                    for region, n in sorted(by_region.items(), key=lambda item: (-item[1], item[0]))
                ],
                title=_("Named visits on record, by region of origin"),
                unit=_("visits"),
                label_header=_("Region of origin"),
            )
        return {"year_chart": year_chart, "region_chart": region_chart}

    def sources(self) -> list[Source]:
        """The sources of every visit the page counts (the filtered set, not only this page's
        rows), in one query: unfiltered, an EXISTS probe per source; filtered, one pass over the
        filtered visits, as their count makes."""
        if self.unfiltered:
            return list(Source.objects.filter(Exists(Visit.objects.filter(source=OuterRef("pk")))))
        return list(Source.objects.filter(pk__in=self.object_list.order_by().values("source")))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        refs = SourceIndex()
        numbers = {source.pk: refs.ref(source) for source in self.sources()}
        for visit in context["visits"]:
            visit.source_ref = numbers.get(visit.source_id)
        context["sources"] = list(refs)
        context.update(visit_columns(context["visits"]))
        context["fragment_seconds"] = settings.PUBLIC_FRAGMENT_CACHE_SECONDS
        if context["fragment_seconds"]:
            try:
                context["cache_generation"] = fragment_key()
            except Exception:  # the cache server is down: build the totals and charts
                logger.warning("Cache unavailable; visit totals not cached", exc_info=True)
                context["fragment_seconds"] = 0
        return context

    download_fields = VISITS
    # The lookup of each of the download's columns.
    download_lookups = (
        "program__slug",
        "program__name_ko",
        "program__name_en",
        "organization__name_ko",
        "organization__name_en",
        "organization__kind",
        "organization__region",
        "organization__municipality_ko",
        "organization__municipality_en",
        "year",
        "visited_on",
        "people",
        "purpose_ko",
        "purpose_en",
        "source",
        "recorded_at",
    )

    @staticmethod
    def source_labels() -> dict[int, str]:
        """Every source by its name in the active language: a few dozen rows, cheaper than
        finding which ones the filtered visits name."""
        return {source.pk: str(source) for source in Source.objects.all()}

    def download_rows(self, queryset):
        # Plain tuples rather than four model instances per row; the few sources named once.
        sources = self.source_labels()
        rows = queryset.values_list(*self.download_lookups)
        for row in rows.iterator(chunk_size=self.download_chunk_size):
            *cells, source, recorded_at = row
            yield [*cells, sources.get(source, ""), recorded_at]


@cache_public_page
class VisitFeedsView(TemplateView):
    """The page a browser shows for the feeds: what a feed is, the addresses to give a feed reader
    (every visit, the page's filters, one program), and what the feed holds now. Browsers show a
    feed's XML raw; the feeds themselves stay as readers expect them."""

    filterset_class = VisitFilter  # the feeds' filters: the page cache keeps exactly these
    template_name = "visits/visit_feeds.html"
    preview_length = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feed = RssVisitFeed()
        filterset = feed.get_object(self.request)  # 404 for filters that are not valid, as the feeds
        query = filterset.query
        context["filtered_feed"] = (
            {
                "title": feed.title(filterset),
                "atom": self.request.build_absolute_uri(f"{reverse('visits:feed-atom')}?{query}"),
                "rss": self.request.build_absolute_uri(f"{reverse('visits:feed-rss')}?{query}"),
                "list": f"{reverse('visits:list')}?{query}",
            }
            if query
            else None
        )
        context["all_feed"] = {
            "atom": self.request.build_absolute_uri(reverse("visits:feed-atom")),
            "rss": self.request.build_absolute_uri(reverse("visits:feed-rss")),
        }
        context["latest"] = [
            {"title": feed.item_title(visit), "text": feed.item_text(visit), "visit": visit}
            for visit in feed.items(filterset)[: self.preview_length]
        ]
        context["programs"] = Program.objects.filter(figures__visit_count__gt=0).only("slug", "name_ko", "name_en")
        return context
