"""Public page of benchmarking visits: the named visitors on record, filtered, with totals and charts."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from jeonju import charts
from jeonju.cache import cache_public_page
from jeonju.views import DownloadableFilterView

from .filters import VisitFilter
from .models import Region, Visit


@cache_public_page
class VisitListView(DownloadableFilterView):
    filterset_class = VisitFilter
    template_name = "visits/visit_list.html"
    context_object_name = "visits"
    paginate_by = 50
    download_name = "visits"

    def get_queryset(self):
        return Visit.objects.with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtered = self.object_list.order_by()
        context["totals"] = filtered.aggregate(
            visits=Count("pk"),
            organizations=Count("organization", distinct=True),
            programs=Count("program", distinct=True),
            people=Sum("people"),
        )
        by_year = list(filtered.values("year").annotate(n=Count("pk")).order_by("year"))
        region_labels = dict(Region.choices)
        by_region = list(filtered.values("organization__region").annotate(n=Count("pk")).order_by("-n"))
        context["year_chart"] = (
            charts.bar_chart(
                [charts.Point(str(row["year"]), row["n"]) for row in by_year],
                title=_("Named visits on record, by year"),
                unit=_("visits"),
                x_label=_("Year"),
                value_label=_("Visits on record"),
            )
            if by_year
            else None
        )
        context["region_chart"] = (
            charts.hbar_chart(
                [
                    (str(region_labels.get(row["organization__region"], row["organization__region"])), row["n"])
                    for row in by_region
                ],
                title=_("Named visits on record, by region of origin"),
                unit=_("visits"),
                label_header=_("Region of origin"),
            )
            if by_region
            else None
        )
        return context

    def download_columns(self):
        return [
            "program_slug",
            "program_name_ko",
            "program_name_en",
            "organization_ko",
            "organization_en",
            "organization_kind",
            "region",
            "municipality_ko",
            "year",
            "visited_on",
            "people",
            "purpose_ko",
            "source",
            "recorded_at",
        ]

    def download_rows(self, queryset):
        for visit in queryset:
            organization = visit.organization
            yield [
                visit.program.slug,
                visit.program.name_ko,
                visit.program.name_en,
                organization.name_ko,
                organization.name_en,
                organization.kind,
                organization.region,
                organization.municipality_ko,
                visit.year,
                visit.visited_on,
                visit.people,
                visit.purpose_ko,
                str(visit.source) if visit.source else "",
                visit.recorded_at,
            ]
