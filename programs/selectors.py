"""Queries for the public pages that combine programs with their visits, metrics and budgets.

Each figure is computed in the database as a correlated subquery, so a list of any length
costs the same few queries and the sums never multiply each other through joins.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum

from policies.models import Policy

from .models import MetricKind, Program, YearlyMetric

# The indicator holding the yearly counts of visiting organizations given by the sources.
VISITING_ORGANIZATIONS = "visiting-organizations"


def _counted_visitors_subquery():
    inner = (
        YearlyMetric.objects.filter(
            program=OuterRef("pk"), indicator__code=VISITING_ORGANIZATIONS, kind=MetricKind.ACTUAL
        )
        .order_by()
        .values("program")
        .annotate(total=Sum("value"))
        .values("total")[:1]
    )
    return Subquery(inner)


def programs_with_figures(queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """Programs annotated with:

    - `visitors_counted`: the sum of the yearly counts of visiting organizations (the sources' counts),
      None where no source gives a count at all (shown as "–", not as 0);
    - `visit_count`: the number of named visits on record (a subset of the counts, never added to them);
    - `budget_total`: the planned (else executed) amounts of all budget lines, in KRW.
    """
    queryset = Program.objects.all() if queryset is None else queryset
    return (
        queryset.with_visit_counts()
        .with_budget_totals()
        .annotate(visitors_counted=_counted_visitors_subquery())
        .prefetch_related(
            Prefetch("policies", queryset=Policy.objects.only("pk", "slug", "title", "title_ko", "title_en"))
        )
    )


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
