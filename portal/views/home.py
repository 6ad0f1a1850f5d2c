"""The home page, and the behaviour every filtered list shares: downloads of exactly what it shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Sum
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.views import FilterView

from portal import charts
from portal.cache import cache_public_page
from portal.downloads import large_download_response
from portal.models import ProgramFigures
from portal.selectors import YearTotal, most_visited_programs, visiting_organizations_by_year, yearly_totals
from programs.models import Program, Unit, YearlyMetric
from visits.models import Visit


class DownloadableFilterView(FilterView):
    """A FilterView whose URL patterns may pass `format` ("csv" or "json").

    With a format, the same FilterSet as the page filters the queryset (sort included, no
    pagination) and the rows are sent as a file: the download equals the list on screen.
    """

    download_name = "data"
    strict = True

    def download_columns(self) -> Sequence[str]:
        raise NotImplementedError

    def download_rows(self, queryset) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format")
        if not fmt:
            return super().get(request, *args, **kwargs)
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return HttpResponseBadRequest(
                _("The filters are not valid: %(errors)s") % {"errors": self.filterset.errors.as_text()},
                content_type="text/plain; charset=utf-8",
            )
        return self.download(fmt, self.filterset.qs)

    download_chunk_size = 2000

    def download(self, fmt: str, queryset) -> HttpResponse:
        # Streamed when large; `download_rows` reads the queryset in chunks (`download_chunk_size`).
        return large_download_response(
            fmt,
            self.download_name,
            self.download_columns(),
            self.download_rows(queryset),
            url=self.request.build_absolute_uri(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        context["is_filtered"] = any(v for k, v in query.items() if k != "sort")
        return context


def headline_figures() -> dict[str, Any]:
    """The home page's numbers, in three small queries: the totals are sums of the programs'
    figures (portal.figures), not scans of every visit and budget line."""
    this_year = timezone.localdate().year
    totals = ProgramFigures.objects.aggregate(visits=Sum("visit_count"), budget=Sum("budget_total"))
    return {
        "this_year": this_year,
        "programs": Program.objects.count(),
        "visits_total": totals["visits"] or 0,
        "visits_this_year": Visit.objects.filter(year=this_year).count(),
        "budget_total": totals["budget"],
    }


def partial_total_note(total: YearTotal) -> str:
    return _("includes partial-year counts, as of %(date)s") % {"date": total.as_of.isoformat()}


def yearly_total_chart(totals: list[YearTotal], **options) -> charts.Chart | None:
    """A bar a year of totals over all programs; a year is marked partial when any of its values is."""
    points = [
        charts.Point(str(t.year), t.total, partial=t.as_of is not None, note=partial_total_note(t) if t.as_of else "")
        for t in totals
        if t.total is not None
    ]
    return charts.bar_chart(points, x_label=_("Year"), **options) if points else None


def visiting_organizations_total_chart(totals: list[YearTotal]) -> charts.Chart | None:
    """The sources' yearly counts of visiting organizations, summed over all programs."""
    return yearly_total_chart(
        totals,
        title=_("Visiting organizations per year, all programs"),
        unit=str(Unit.ORGANIZATIONS.label),
        value_label=_("Visiting organizations"),
    )


def programs_chart(years: list[int], table, title: str, unit: str = "", money: bool = False) -> charts.Chart | None:
    """One line per program (in the order given) over the given years; partial-year points marked."""
    if not table:
        return None
    series = []
    for program, by_year in table.items():
        values = {str(year): metric.value for year, metric in by_year.items()}
        partial = {
            str(year): _("as of %(date)s") % {"date": metric.as_of.isoformat()}
            for year, metric in by_year.items()
            if metric.as_of
        }
        series.append(charts.Series(str(program), values, partial))
    return charts.line_chart([str(y) for y in years], series, title=title, unit=unit, money=money)


@cache_public_page
class HomeView(TemplateView):
    template_name = "home.html"
    most_visited_count = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        totals = yearly_totals()
        most_visited = most_visited_programs(self.most_visited_count)
        by_program = visiting_organizations_by_year(YearlyMetric.objects.filter(program__in=most_visited))
        table = {program: by_program[program] for program in most_visited if program in by_program}
        context.update(
            figures=headline_figures(),
            visitors_chart=visiting_organizations_total_chart(totals),
            most_visited_chart=programs_chart(
                [t.year for t in totals],
                table,
                _("Visiting organizations per year, most-visited programs"),
                unit=str(Unit.ORGANIZATIONS.label),
            ),
            most_visited=most_visited,
            latest_visits=Visit.objects.with_related().order_by("-recorded_at", "-pk")[:8],
        )
        return context
