"""The home page, and the behaviour every filtered list shares: downloads of exactly what it shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.views import FilterView

from jeonju import charts
from jeonju.cache import cache_public_page
from jeonju.downloads import download_response
from programs.models import BudgetLine, Program, Unit
from programs.selectors import programs_with_figures, visiting_organizations_by_year
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

    def download(self, fmt: str, queryset) -> HttpResponse:
        return download_response(
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
    """The home page's numbers, each a single aggregate query."""
    this_year = timezone.localdate().year
    visits = Visit.objects.aggregate(total=Count("pk"))
    return {
        "this_year": this_year,
        "programs": Program.objects.count(),
        "visits_total": visits["total"],
        "visits_this_year": Visit.objects.in_year(this_year).count(),
        "budget_total": BudgetLine.objects.aggregate(total=Sum(Coalesce("planned_amount", "executed_amount")))["total"],
    }


def visiting_organizations_chart(table) -> charts.Chart | None:
    """One line per program: the sources' yearly counts of visiting organizations."""
    if not table:
        return None
    years = sorted({year for by_year in table.values() for year in by_year})
    series = []
    for program, by_year in sorted(table.items(), key=lambda item: str(item[0])):
        values = {str(year): metric.value for year, metric in by_year.items()}
        partial = {
            str(year): _("as of %(date)s") % {"date": metric.as_of.isoformat()}
            for year, metric in by_year.items()
            if metric.as_of
        }
        series.append(charts.Series(str(program), values, partial))
    return charts.line_chart(
        [str(y) for y in years],
        series,
        title=_("Visiting organizations per year, by program"),
        unit=str(Unit.ORGANIZATIONS.label),
    )


@cache_public_page
class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = visiting_organizations_by_year()
        context.update(
            figures=headline_figures(),
            visitors_chart=visiting_organizations_chart(table),
            most_visited=programs_with_figures()
            .filter(visitors_counted__gt=0)
            .order_by("-visitors_counted", "-visit_count")[:5],
            latest_visits=Visit.objects.with_related().order_by("-recorded_at", "-pk")[:8],
        )
        return context
