"""The home page, and the yearly charts it shares with the indicator pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from policies.models import Source
from portal import charts, qualifiers
from portal.attainment import day_words
from portal.cache import cache_public_page
from portal.figures import BUDGET_AMOUNTS, BUDGET_PERIODS
from portal.models import BudgetFigures, VisitFigures
from portal.selectors import (
    VISITING_ORGANIZATIONS,
    ReportingTotal,
    kept_reporting_totals,
    most_visited_programs,
    visiting_organizations_by_year,
)
from programs.models import BudgetLine, Program, Unit, YearlyMetric
from visits.models import Visit

from .programs import SourceIndex


@dataclass
class VisitHeadline:
    """The named visits on record in one year: the current year where the records reach it (it
    is covered), else the latest year with visits on record."""

    year: int | None  # None: no visit on record at all
    visits: int
    total: int  # named visits on record, all years
    as_of: datetime.date | None  # the sources counted that year's visiting organizations up to this date
    in_progress: bool  # the year is the current one: so far, not the whole year


def visit_headline(today: datetime.date, counted: ReportingTotal | None) -> VisitHeadline:
    """The current year is covered once a named visit or a source's count of visiting
    organizations of that year is on record: then its number of visits, 0 included, is a
    figure. Otherwise the headline is for the latest year with visits on record. One query of the
    kept visit figures, one row per year and region; the years of the counts and how far they
    count come with their kept sums (`counted`, from kept_reporting_totals)."""
    by_year: dict[int, int] = dict(VisitFigures.objects.order_by().values_list("year").annotate(n=Sum("visit_count")))
    latest = max((year for year in by_year if year <= today.year), default=None)
    as_of = counted.latest_as_of if counted else {}
    covered = today.year in by_year or today.year in as_of
    year = today.year if covered else latest
    return VisitHeadline(
        year=year,
        visits=by_year.get(year, 0),
        total=sum(by_year.values()),
        as_of=as_of.get(year),
        in_progress=year == today.year,
    )


@dataclass
class MoneyPart:
    lines: int
    amount: int


@dataclass
class MoneyTotal:
    """The planned (or the executed) amounts of every budget line, with the years they cover and
    what kinds of period they add together."""

    amount: int | None
    first_year: int | None
    last_year: int | None
    one_year: MoneyPart
    multi_year: MoneyPart
    period_not_given: MoneyPart  # the source gives no first year (a total "by 2024", or no years at all)

    @property
    def period(self) -> str:
        if self.first_year is None and self.last_year is None:
            return ""
        return BudgetLine(start_year=self.first_year, end_year=self.last_year).period_label

    @property
    def parts(self) -> list[tuple[str, MoneyPart]]:
        named = (
            ("one_year", self.one_year),
            ("multi_year", self.multi_year),
            ("period_not_given", self.period_not_given),
        )
        return [(kind, part) for kind, part in named if part.lines]


def budget_headline() -> dict[str, MoneyTotal]:
    """Planned and executed money apart, never added together, each with its years and how many
    one-year and multi-year amounts it sums: from the kept budget figures, six rows."""
    kept = {(row.amount, row.period): row for row in BudgetFigures.objects.all()}
    totals = {}
    for kind in BUDGET_AMOUNTS:
        rows = [kept[(kind, period)] for period in BUDGET_PERIODS if (kind, period) in kept]
        given = {row.period: MoneyPart(row.line_count, row.total or 0) for row in rows}
        parts = {period: given.get(period, MoneyPart(0, 0)) for period in BUDGET_PERIODS}
        lines = sum(part.lines for part in parts.values())
        totals[kind] = MoneyTotal(
            amount=sum(part.amount for part in parts.values()) if lines else None,
            first_year=min((row.first_year for row in rows if row.first_year is not None), default=None),
            last_year=max((row.last_year for row in rows if row.last_year is not None), default=None),
            **parts,
        )
    return totals


def headline_figures(counted: ReportingTotal | None, today: datetime.date | None = None) -> dict:
    """The home page's numbers, in three small queries: the visits from their kept figures (one
    row per year and region) and the kept sums of the counts of visiting organizations
    (`counted`), the money from the kept budget figures (six rows)."""
    today = today or timezone.localdate()
    return {
        "programs": Program.objects.count(),
        "visits": visit_headline(today, counted),
        "budget": budget_headline(),
        "today": today,
    }


def home_sources() -> list[Source]:
    """The sources of the home page's figures, each marked with what it supports: visits, counts
    of visiting organizations, budget lines; from the sources' kept figures, one query."""
    return list(
        Source.objects.annotate(
            for_visits=Q(figures__visit_count__gt=0),
            for_counts=Q(figures__counted_values__gt=0),
            for_budget=Q(figures__budget_line_count__gt=0),
        ).filter(Q(for_visits=True) | Q(for_counts=True) | Q(for_budget=True))
    )


def reporting_note(total: ReportingTotal, year: int) -> str:
    """The note of one year's sum: how many programs it is over, and whether it is partial."""
    note = ngettext("%(n)s program reporting", "%(n)s programs reporting", total.programs) % {"n": total.programs}
    names = ", ".join(str(program) for program in total.names)
    if total.more_names:
        names = _("%(names)s and %(n)s more") % {"names": names, "n": total.more_names}
    note = f"{note}: {names}"
    this = next((t for t in total.years if t.year == year), None)
    if this and this.as_of:
        note += "; " + _("includes partial-year figures, as of %(date)s") % {"date": day_words(this.as_of)}
    elif this and this.partial:
        note += "; " + _("includes partial-year counts (see the programs' notes)")
    return note


def reporting_total_chart(total: ReportingTotal | None, **options) -> charts.Chart | None:
    """A bar a year of the sums over the programs reporting every year shown; a year is marked
    partial when any of its values is, and each year's note names the programs in its sum."""
    if total is None or not total.years:
        return None
    points = [
        charts.Point(
            str(t.year), t.total, partial=t.partial, note=reporting_note(total, t.year), approximate=t.approximate
        )
        for t in total.years
    ]
    return charts.bar_chart(points, x_label=_("Year"), **options)


def visiting_organizations_total_chart(total: ReportingTotal | None) -> charts.Chart | None:
    """The sources' yearly counts of visiting organizations, summed over the programs reporting
    every year shown: a sum of the programs' counts, not a number of organizations (one that
    visited two programs is counted twice)."""
    return reporting_total_chart(
        total,
        title=_("Visiting organizations per year: sum of the programs' counts"),
        unit=str(Unit.ORGANIZATIONS.label),
        value_label=_("Sum of the programs' counts"),
    )


def programs_chart(years: list[int], table, title: str, unit: str = "", money: bool = False) -> charts.Chart | None:
    """One line per program (in the order given) over the given years, each in its program's own
    colour; partial-year and approximate points marked, with their notes."""
    if not table:
        return None
    series = [
        qualifiers.series(
            str(program),
            {str(year): metric for year, metric in by_year.items()},
            colour=charts.program_colour(program.pk),
        )
        for program, by_year in table.items()
    ]
    return charts.line_chart([str(y) for y in years], series, title=title, unit=unit, money=money)


@cache_public_page
class HomeView(TemplateView):
    template_name = "home.html"
    most_visited_count = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = kept_reporting_totals(VISITING_ORGANIZATIONS)
        most_visited = most_visited_programs(self.most_visited_count)
        by_program = visiting_organizations_by_year(YearlyMetric.objects.filter(program__in=most_visited))
        table = {program: by_program[program] for program in most_visited if program in by_program}
        years = sorted({year for by_year in table.values() for year in by_year})
        latest_visits = list(Visit.objects.with_related().order_by("-recorded_at", "-pk")[:8])

        refs = SourceIndex()
        sources = home_sources()
        source_refs = {}
        for use in ("for_visits", "for_budget", "for_counts"):
            source_refs[use] = sorted(refs.ref(source) for source in sources if getattr(source, use))
        by_pk = {source.pk: source for source in sources}
        for visit in latest_visits:
            visit.source_ref = refs.ref(by_pk.get(visit.source_id))

        context.update(
            figures=headline_figures(total),
            reporting=total,
            visitors_chart=visiting_organizations_total_chart(total),
            most_visited_chart=programs_chart(
                years,
                table,
                _("Visiting organizations per year, most-visited programs"),
                unit=str(Unit.ORGANIZATIONS.label),
            ),
            most_visited=most_visited,
            latest_visits=latest_visits,
            source_refs=source_refs,
            sources=list(refs),
        )
        return context
