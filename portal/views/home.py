"""The home page, and the yearly charts it shares with the indicator pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal import charts, qualifiers
from portal.cache import cache_public_page
from portal.models import ProgramFigures
from portal.selectors import YearTotal, most_visited_programs, visiting_organizations_by_year, yearly_totals
from programs.models import Program, Unit, YearlyMetric
from visits.models import Visit


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
    if total.as_of is None:
        return _("includes partial-year counts (see the programs' notes)")
    return _("includes partial-year counts, as of %(date)s") % {"date": total.as_of.isoformat()}


def yearly_total_chart(totals: list[YearTotal], **options) -> charts.Chart | None:
    """A bar a year of totals over all programs; a year is marked partial when any of its values
    is, and approximate ("약") when any is."""
    points = [
        charts.Point(
            str(t.year),
            t.total,
            partial=t.partial,
            note=partial_total_note(t) if t.partial else "",
            approximate=t.approximate,
        )
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
    """One line per program (in the order given) over the given years; partial-year and approximate
    points marked, with their notes."""
    if not table:
        return None
    series = [
        qualifiers.series(str(program), {str(year): metric for year, metric in by_year.items()})
        for program, by_year in table.items()
    ]
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
