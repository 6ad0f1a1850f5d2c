"""Queries for the public pages that combine programs with their visits, metrics and budgets.

Each figure is computed in the database as a correlated subquery, so the sums never multiply
each other through joins; the lists read a program's figures from ProgramFigures, where
portal.figures keeps these sums as the data changes.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from programs.models import Indicator, MetricKind, Program, YearlyMetric
from visits.models import Visit

# The indicator holding the yearly counts of visiting organizations given by the sources.
VISITING_ORGANIZATIONS = "visiting-organizations"


def _indicator_id(code: str) -> Subquery:
    """The indicator's id as an uncorrelated scalar subquery: PostgreSQL runs it once per query
    (an InitPlan), not once per program as a join inside a correlated subquery would."""
    return Subquery(Indicator.objects.filter(code=code).values("pk")[:1])


def with_visit_counts(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """Recorded benchmarking visits per program (named visitors, not the yearly totals).

    A subquery rather than a join, so it composes with the other annotations
    without multiplying their sums.
    """
    # COUNT(*), not COUNT(id): an index-only scan of visits_visit(program_id) answers it.
    visits = (
        Visit.objects.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("*")).values("n")
    )
    return queryset.annotate(visit_count=Coalesce(Subquery(visits), 0))


def counted_visitors(programs: QuerySet[Program]) -> QuerySet[YearlyMetric]:
    """Per program of `programs` with any count, the sum of its yearly counts of visiting
    organizations and what it sums: `total`, `first` and `last` year, `years` (how many),
    `partial` (how many of them are partial-year counts) and `as_of` (the latest one's date)."""
    # Index-only on programs_yearlymetric (indicator, kind, program, year) INCLUDE (value, as_of).
    return (
        YearlyMetric.objects.filter(
            indicator=_indicator_id(VISITING_ORGANIZATIONS), kind=MetricKind.ACTUAL, program__in=programs
        )
        .order_by()
        .values("program")
        .annotate(
            total=Sum("value"),
            first=Min("year"),
            last=Max("year"),
            years=Count("*"),
            partial=Count("as_of"),
            as_of=Max("as_of"),
        )
    )


# The figures programs_with_figures gives each program, read from its ProgramFigures row.
LISTED_FIGURES = (
    "visitors_counted",
    "counted_first_year",
    "counted_last_year",
    "counted_years",
    "counted_partial_years",
    "counted_as_of",
    "planned_total",
    "executed_total",
)


def programs_with_figures(queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """Programs annotated with their figures (kept in ProgramFigures by portal.figures):

    - `visitors_counted`: the sum of the yearly counts of visiting organizations (the sources' counts),
      None where no source gives a count at all (shown as "–", not as 0), with what it sums:
      `counted_first_year`, `counted_last_year`, `counted_years`, and `counted_partial_years` with
      `counted_as_of` (the latest partial count's date), and `counted_span` (years from first to last);
    - `visit_count`: the number of named visits on record (a subset of the counts, never added to them);
    - `planned_total` and `executed_total`: the planned and the executed amounts of all budget lines,
      in KRW, apart.
    """
    queryset = Program.objects.all() if queryset is None else queryset
    return queryset.annotate(
        visit_count=Coalesce(F("figures__visit_count"), 0, output_field=IntegerField()),
        **{name: F(f"figures__{name}") for name in LISTED_FIGURES},
        # The years from the first to the last counted: as many as `counted_years` when unbroken.
        counted_span=F("figures__counted_last_year") - F("figures__counted_first_year") + 1,
    )


# What a list shows of a program's policies; `title` in the active language, else in Korean.
PolicyTitle = namedtuple("PolicyTitle", "slug title title_ko title_en")


def with_policy_titles(programs: list[Program]) -> list[Program]:
    """Give each program `policy_titles`, its policies by title, from one query of (program,
    policy) pairs, where a prefetch builds a related manager and a Policy per program and policy."""
    english = (get_language() or "ko").startswith("en")
    by_program: dict[int, list[PolicyTitle]] = defaultdict(list)
    links = Program.policies.through.objects.filter(program__in=[p.pk for p in programs]).values_list(
        "program_id", "policy__slug", "policy__title_ko", "policy__title_en"
    )
    for program_id, slug, title_ko, title_en in links:
        title = (title_en or title_ko) if english else title_ko
        by_program[program_id].append(PolicyTitle(slug, title, title_ko, title_en))
    for program in programs:
        program.policy_titles = sorted(by_program.get(program.pk, []), key=lambda policy: (policy.title, policy.slug))
    return programs


def visiting_organizations_by_year(queryset: QuerySet[YearlyMetric] | None = None):
    """Actual yearly counts of visiting organizations, as {program: {year: metric}}, one query."""
    queryset = YearlyMetric.objects.all() if queryset is None else queryset
    metrics = (
        queryset.filter(indicator__code=VISITING_ORGANIZATIONS, kind=MetricKind.ACTUAL)
        .select_related("program", "source")
        .order_by("year")
    )
    table: dict[Program, dict[int, YearlyMetric]] = defaultdict(dict)
    for metric in metrics:
        table[metric.program][metric.year] = metric
    return table


@dataclass
class YearTotal:
    """One year's sum of an indicator's actual values across programs."""

    year: int
    total: Decimal | None  # None for a year with only targets
    programs: int  # how many programs the sum is over
    as_of: date | None  # the latest as-of date among its values: the year is partial if set


def yearly_totals(indicator_filter: dict | None = None, *, all_years: bool = False) -> list[YearTotal]:
    """Per year, the sum of the actual values of one indicator over all programs, in one GROUP BY.

    A year is partial when any of its values is a partial-year figure (has an as-of date).
    `all_years`: also the years with only targets (their total is None).
    """
    if indicator_filter is None:
        indicator_filter = {"indicator": _indicator_id(VISITING_ORGANIZATIONS)}
    actual = Q(kind=MetricKind.ACTUAL)
    metrics = YearlyMetric.objects.filter(**indicator_filter)
    if not all_years:
        metrics = metrics.filter(actual)
    rows = (
        metrics.order_by()
        .values("year")
        .annotate(
            total=Sum("value", filter=actual),
            programs=Count("program", filter=actual),
            as_of=Max("as_of", filter=actual),
        )
        .order_by("year")
    )
    return [YearTotal(r["year"], r["total"], r["programs"], r["as_of"]) for r in rows]


def most_visited_programs(limit: int = 5) -> list[Program]:
    """The programs with the largest sums of yearly counts of visiting organizations, largest
    first, each with `visitors_counted` and `visit_count`: one query of the programs' figures."""
    top = programs_with_figures(Program.objects.only("slug", "name_ko", "name_en"))
    return list(top.filter(visitors_counted__gt=0).order_by("-visitors_counted", "pk")[:limit])
